/**
 * Strict verification of the package signature, streaming: one pass over the bytes (digest as
 * they go), then one public-key operation with a cached key, then the caller's trust decision.
 */
import { verify as cryptoVerify, timingSafeEqual } from "node:crypto";
import type { TrustCallback, TrustVerdict } from "@truc/common";
import { EdxmlError, type EdxmlErrorCode } from "../errors.ts";
import type { ScanLimits } from "../xml/scanner.ts";
import type { Canonicalization, DigestName, SignatureMethodName } from "./algorithms.ts";
import { PackageScanHandler, PackageScanner, type ScanResult } from "./engine.ts";
import { certificateKey, checkKeyFits } from "./keys.ts";
import { canonicalizeCaptured, type ParsedSignature, parseSignature } from "./signature-info.ts";

export interface VerifyPolicy {
  /** Accept RSA-SHA1 / SHA-1 digests from legacy producers (the result then says legacyAlgorithm). */
  readonly allowRsaSha1?: boolean;
  /** Throw EDXML_SIGNATURE_MISSING instead of returning status "unsigned". */
  readonly requireSignature?: boolean;
}

export interface VerifyOptions {
  /** Decides whether the KeyInfo certificate is trusted; nothing else does. */
  readonly trust: TrustCallback;
  readonly policy?: VerifyPolicy;
  /** Time at which the certificate's validity is judged (default: now). */
  readonly at?: Date;
  readonly limits?: Partial<ScanLimits>;
}

export type VerifyStatus = "valid" | "invalid" | "indeterminate" | "unsigned";

export interface VerifyResult {
  readonly status: VerifyStatus;
  /** Why the status is not "valid" (absent for valid and unsigned). */
  readonly code?: EdxmlErrorCode;
  readonly algorithm: SignatureMethodName | null;
  readonly digestAlgorithm: DigestName | null;
  /** How the document was canonicalised ("c14n" = the legacy inclusive form). */
  readonly canonicalization: Canonicalization | null;
  /** RSA-SHA1 or a SHA-1 digest was accepted under `policy.allowRsaSha1`. */
  readonly legacyAlgorithm: boolean;
  /** The KeyInfo certificate (the signer's), as carried; trust is in `trust`. */
  readonly certificate: {
    readonly der: Uint8Array;
    readonly subject: string;
    readonly fingerprint: string;
  } | null;
  /** The trust callback's verdict; null when it was not asked (unsigned, or the cryptography failed). */
  readonly trust: TrustVerdict | null;
  /** SHA-256 (hex) of exactly the bytes verified: bind any later parse to these bytes. */
  readonly digest: string;
  readonly size: number;
}

/**
 * Verifies an edXML package's XML-DSig. Structural violations (misplaced, duplicated or
 * malformed signature, unaccepted transforms or algorithms, DTDs/entities, bad base64) throw an
 * `EdxmlError`; cryptographic and trust outcomes are returned as a status with a code.
 */
export async function verifyEdxml(
  input: Buffer | AsyncIterable<Uint8Array>,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const policy = { allowRsaSha1: options.policy?.allowRsaSha1 === true };
  let parsed: ParsedSignature | null = null;
  const scanner = new PackageScanner(
    new PackageScanHandler({
      choose: (signature) => {
        parsed = parseSignature(signature, policy);
        return { c14n: parsed.documentC14n, digest: parsed.digestAlgorithm };
      },
    }),
    options.limits,
  );
  if (Buffer.isBuffer(input)) scanner.write(input);
  else {
    for await (const chunk of input) {
      scanner.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)); // a view, no copy
    }
  }
  const scan = scanner.end();
  return finishVerification(scan, parsed, options);
}

export async function finishVerification(
  scan: Pick<
    ScanResult,
    "inputSha256" | "size" | "signature" | "signatureNamespaces" | "signatureXmlAttributes" | "documentDigest"
  >,
  parsed: ParsedSignature | null,
  options: VerifyOptions,
  /** The DOM oracle path checks digest and signature value itself (with xml-crypto). */
  override?: { digestOk: boolean; signatureOk: boolean },
): Promise<VerifyResult> {
  const digest = scan.inputSha256.toString("hex");
  if (!scan.signature || !parsed) {
    if (options.policy?.requireSignature) throw new EdxmlError("EDXML_SIGNATURE_MISSING");
    return {
      status: "unsigned",
      algorithm: null,
      digestAlgorithm: null,
      canonicalization: null,
      legacyAlgorithm: false,
      certificate: null,
      trust: null,
      digest,
      size: scan.size,
    };
  }
  const sig: ParsedSignature = parsed;
  const signer = certificateKey(sig.certificates[0]!);
  checkKeyFits(signer, sig.signatureMethodKey, sig.legacyAlgorithm);
  const base = {
    algorithm: sig.signatureMethod,
    digestAlgorithm: sig.digestAlgorithm,
    canonicalization: sig.documentC14n,
    legacyAlgorithm: sig.legacyAlgorithm,
    certificate: { der: signer.der, subject: signer.certificate.subject, fingerprint: signer.fingerprint },
    digest,
    size: scan.size,
  };
  const fail = (code: EdxmlErrorCode): VerifyResult => ({ ...base, status: "invalid", code, trust: null });

  const computed = scan.documentDigest;
  const digestOk =
    override?.digestOk ??
    (computed !== null &&
      computed.length === sig.digestValue.length &&
      timingSafeEqual(computed, sig.digestValue));
  if (!digestOk) return fail("EDXML_SIGNATURE_DIGEST_MISMATCH");

  const signatureOk =
    override?.signatureOk ??
    verifySignatureValue(
      sig,
      signer.key,
      canonicalizeCaptured(sig.signedInfo, sig.signedInfoC14n, {
        namespaces: scan.signatureNamespaces,
        xmlAttributes: scan.signatureXmlAttributes,
      }),
    );
  if (!signatureOk) return fail("EDXML_SIGNATURE_INVALID");

  const verdict = await options.trust({
    certificate: signer.der,
    candidates: sig.certificates.slice(1),
    at: options.at ?? new Date(),
    purpose: "package-signature",
  });
  if (verdict.status === "valid") return { ...base, status: "valid", trust: verdict };
  if (verdict.status === "invalid") {
    return { ...base, status: "invalid", code: "EDXML_SIGNATURE_UNTRUSTED", trust: verdict };
  }
  return { ...base, status: "indeterminate", code: "EDXML_SIGNATURE_TRUST_INDETERMINATE", trust: verdict };
}

export function verifySignatureValue(
  sig: Pick<ParsedSignature, "signatureMethodKey" | "signatureHash" | "signatureValue">,
  key: import("node:crypto").KeyObject,
  signedInfo: Buffer,
): boolean {
  if (sig.signatureMethodKey === "ec") {
    // XML-DSig carries ECDSA as r||s (RFC 4050 / XML-DSig 1.1), 32 bytes each for P-256.
    if (sig.signatureValue.length !== 64) return false;
    return cryptoVerify(
      sig.signatureHash,
      signedInfo,
      { key, dsaEncoding: "ieee-p1363" },
      sig.signatureValue,
    );
  }
  return cryptoVerify(sig.signatureHash, signedInfo, key, sig.signatureValue);
}
