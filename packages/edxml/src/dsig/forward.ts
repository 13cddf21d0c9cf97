/**
 * What an axis node does to a package it passes on, in one streaming pass over the received
 * bytes: append its TraceHeader, re-sign with its own key (replacing the package signature),
 * and verify the signature it received. The forwarded package is returned as splices over the
 * received bytes (the hop and the new signature), never built in memory, so a 1 GB package
 * costs what its header costs.
 */
import type { Signer } from "@truc/common";
import { EdxmlError } from "../errors.ts";
import type { ScanLimits } from "../xml/scanner.ts";
import {
  type EdxmlSplice,
  PackageScanHandler,
  PackageScanner,
  type ScanResult,
  type TraceHop,
} from "./engine.ts";
import { signatureElement } from "./sign.ts";
import { type ParsedSignature, parseSignature } from "./signature-info.ts";
import { finishVerification, type VerifyOptions, type VerifyPolicy, type VerifyResult } from "./verify.ts";

export interface ForwardOptions {
  /** The hop to append (document packages; status packages have no TraceHeaderList). */
  readonly hop?: TraceHop | undefined;
  /**
   * "if-present": a package without TraceHeaderList (a status package) is forwarded without
   * the hop, for a caller that streams before knowing the kind. Default "required".
   */
  readonly traceList?: "required" | "if-present";
  /** Re-sign with this key; without it the received signature is left as it is. */
  readonly signer?: Signer | undefined;
  /** Applied when the received signature is verified (see `verify`). */
  readonly verifyPolicy?: VerifyPolicy;
  readonly limits?: Partial<ScanLimits>;
}

export interface ForwardedPackage {
  /** In byte order, not overlapping: apply them to the received bytes to get the forwarded ones. */
  readonly splices: readonly EdxmlSplice[];
  /** Size of the forwarded package. */
  readonly size: number;
  /** Size and SHA-256 (hex) of the received bytes. */
  readonly receivedSize: number;
  readonly receivedSha256: string;
  /**
   * The received signature's verdict, from the same pass; only the public-key operation and
   * the trust callback run on this call (so a caller whose policy is "off" asks no one).
   */
  verify(options: Pick<VerifyOptions, "trust" | "at">): Promise<VerifyResult>;
}

export async function forwardEdxml(
  input: Buffer | AsyncIterable<Uint8Array>,
  options: ForwardOptions,
): Promise<ForwardedPackage> {
  const forwarding = forwardingScan(options);
  const scanner = new PackageScanner(forwarding.handler, options.limits);
  if (Buffer.isBuffer(input)) scanner.write(input);
  else {
    for await (const chunk of input)
      scanner.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return forwarding.finish(scanner.end());
}

/**
 * The forwarding's side of a package scan: the events handler, then `finish` with the scan's
 * result (signs). Internal: `parseAndForwardEdxml` feeds the handler from the parser's scan.
 */
export function forwardingScan(options: Omit<ForwardOptions, "limits">): {
  handler: PackageScanHandler;
  finish(scan: ScanResult): Promise<ForwardedPackage>;
} {
  const policy = { allowRsaSha1: options.verifyPolicy?.allowRsaSha1 === true };
  let parsed: ParsedSignature | null = null;
  // A malformed signature is the verifier's finding, raised when a verdict is asked for:
  // re-signing replaces it anyway.
  let signatureError: unknown;
  const handler = new PackageScanHandler(
    {
      choose: (signature) => {
        try {
          parsed = parseSignature(signature, policy);
          return { c14n: parsed.documentC14n, digest: parsed.digestAlgorithm };
        } catch (error) {
          if (!(error instanceof EdxmlError)) throw error;
          signatureError = error;
          return null;
        }
      },
    },
    { hop: options.hop, optional: options.traceList === "if-present" },
  );
  const finish = async (scan: ScanResult): Promise<ForwardedPackage> => {
    const forward = scan.forward!;
    const splices: EdxmlSplice[] = forward.trace ? [forward.trace] : [];
    if (options.signer) {
      const element = await signatureElement(forward.digest, options.signer);
      const range = scan.signatureRange;
      splices.push(
        range
          ? { at: range.start, remove: range.end - range.start, insert: element }
          : { at: scan.headerEndTagStart, remove: 0, insert: element },
      );
    }
    splices.sort((a, b) => a.at - b.at);
    return {
      splices,
      size: splices.reduce((n, s) => n + s.insert.length - s.remove, scan.size),
      receivedSize: scan.size,
      receivedSha256: scan.inputSha256.toString("hex"),
      verify: async (o) => {
        if (signatureError) throw signatureError;
        return finishVerification(scan, parsed, { ...o, policy: options.verifyPolicy ?? {} });
      },
    };
  };
  return { handler, finish };
}
