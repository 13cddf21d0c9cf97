/**
 * The axis's use of @truc/edxml: one streaming pass over the received bytes that parses them
 * (attachments decoded straight into a sink), validates them with the edXML codes
 * (`assertValid`) and prepares their forwarding (this hop's TraceHeader, the node's signature,
 * the strict XML-DSig verification of the received one). Only the mapping to what routing
 * needs lives here.
 */
import { createHash } from "node:crypto";
import type { Signer, TrustCallback } from "@truc/common";
import {
  type AttachmentSink,
  type AttachmentWriter,
  assertValid,
  EdxmlError,
  type ForwardedPackage,
  type ForwardOptions,
  hashOnlySink,
  type ParsedEdxml,
  type ParseLimits,
  parseAndForwardEdxml,
  type VerifyResult,
} from "@truc/edxml";
import type { BlobStore, BlobWriter } from "@truc/store";
import { type Splice, splicedPieces } from "../domain/splice.ts";
import type { ParsedPackage } from "../services/ports.ts";

export type PackageInput = Buffer | AsyncIterable<Buffer>;

interface ReadOptions {
  sink: AttachmentSink;
  limits: Partial<ParseLimits>;
}

interface ForwardingOptions {
  organId: string;
  at: Date;
  signer?: Signer | undefined;
}

/**
 * The forwarding as routing needs it: the splices over the received bytes (this hop's
 * TraceHeader for document packages and, with a signer, the node's signature replacing the
 * package signature), and the received signature's verdict, asked for only when the policy
 * wants it (trust, revocation included, is the callback's; structural violations throw
 * EdxmlError).
 */
export interface PreparedForward {
  forward: { splices: Splice[]; size: number };
  verify(trust: TrustCallback): Promise<VerifyResult>;
}

function toParsedPackage(parsed: ParsedEdxml): ParsedPackage {
  const attachments = parsed.attachments.map((a) => ({
    contentId: a.contentId,
    name: a.name,
    contentType: a.contentType,
    sha256: a.sha256,
    size: a.size,
  }));
  if (parsed.kind === "status") {
    const s = parsed.status;
    return {
      kind: "status",
      from: s.from.organId.trim(),
      to: [],
      documentId: s.responseFor.documentId,
      businessType: "status",
      targetDocumentIds: [],
      statusCode: s.statusCode,
      responseForOrganId: s.responseFor.organId.trim(),
      statusTime: s.timestamp.toISOString(),
      senderTimes: [s.timestamp],
      attachments,
      sha256: parsed.sha256,
      size: parsed.size,
    };
  }
  const d = parsed.document;
  const h = d.header;
  const notation = [h.code.codeNumber, h.code.codeNotation].filter(Boolean).join("/");
  return {
    kind: "edoc",
    from: h.from.organId.trim(),
    to: h.to.map((t) => t.organId.trim()).filter((x) => x !== ""),
    documentId: h.documentId,
    businessType: String(d.business.docType),
    targetDocumentIds: [
      ...(d.business.documentId ? [d.business.documentId] : []),
      ...(d.business.replacements ?? []).map((r) => r.documentId),
    ].filter((x) => x !== ""),
    ...(h.subject ? { subject: h.subject } : {}),
    ...(notation ? { notation } : {}),
    senderTimes: d.traces.map((t) => t.timestamp),
    attachments,
    sha256: parsed.sha256,
    size: parsed.size,
  };
}

/**
 * Reads and validates a package and prepares its forwarding, in one pass over the bytes
 * (tokenised and hashed once). Throws EdxmlError with the edXML code when the package is not
 * valid; `prepare()` gives the forwarding, or its error, and only then signs, so an invalid
 * package is never signed.
 */
export async function readAndPrepareForward(
  input: PackageInput,
  options: ReadOptions & ForwardingOptions,
): Promise<{ parsed: ParsedPackage; prepare(): Promise<PreparedForward> }> {
  const both = await parseAndForwardEdxml(input, {
    attachmentSink: options.sink,
    limits: options.limits,
    forward: forwardOptions(options),
  });
  assertValid(both.parsed);
  return {
    parsed: toParsedPackage(both.parsed),
    prepare: async () => prepared(await both.forward(), options.at),
  };
}

function forwardOptions(options: ForwardingOptions): ForwardOptions {
  return {
    hop: { organId: options.organId, timestamp: options.at },
    // Status packages have no TraceHeaderList in QCVN 102: their hop is in the evidence log only.
    traceList: "if-present",
    signer: options.signer,
  };
}

function prepared(forwarded: ForwardedPackage, at: Date): PreparedForward {
  return {
    forward: { splices: [...forwarded.splices], size: forwarded.size },
    verify: (trust) => forwarded.verify({ trust, at }),
  };
}

/** SHA-256 (hex) of the forwarded bytes, without building them. */
export function forwardedSha256(raw: Buffer, splices: readonly Splice[]): string {
  const hash = createHash("sha256");
  for (const piece of splicedPieces(raw, splices)) hash.update(piece);
  return hash.digest("hex");
}

/** An attachment sink whose outputs become durable only on `commit()` (or vanish on `discard()`). */
export type PackageSink = AttachmentSink & { commit(): Promise<void>; discard(): Promise<void> };

/** Hashes attachments without keeping them (their bytes stay inside the stored package). */
export function hashingSink(): PackageSink {
  return { ...hashOnlySink(), commit: async () => {}, discard: async () => {} };
}

/**
 * Streams attachments into blob-store temp files but commits none of them until `commit()`:
 * a package refused after parsing leaves nothing behind (`discard()`).
 */
export function deferredBlobSink(blobs: BlobStore): PackageSink {
  const pending: BlobWriter[] = [];
  return {
    begin() {
      const writer = blobs.writer();
      pending.push(writer);
      const hash = createHash("sha256");
      let size = 0;
      const w: AttachmentWriter = {
        async write(chunk) {
          hash.update(chunk);
          size += chunk.length;
          await writer.write(chunk);
        },
        async finish() {
          const sha256 = hash.digest("hex");
          return { sha256, size, ref: `sha256:${sha256}` };
        },
        abort: () => writer.abort(),
      };
      return w;
    },
    async commit() {
      // Each finish() fsyncs its file; in parallel they share the disk's flushes.
      await Promise.all(pending.splice(0).map((w) => w.finish()));
    },
    async discard() {
      await Promise.allSettled(pending.splice(0).map((w) => w.abort()));
    },
  };
}

export function isEdxmlError(error: unknown): error is EdxmlError {
  return error instanceof EdxmlError;
}
