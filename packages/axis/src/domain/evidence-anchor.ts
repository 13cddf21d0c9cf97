/**
 * Evidence anchors: copies of the node's seals kept where someone who can rewrite the
 * database cannot (an append-only file on other storage, the parent node). The hash chain
 * proves every row up to its end, but not where the end was: deleting the last rows and their
 * seals leaves a valid shorter chain. An anchored seal says "the chain reached record `seq`
 * with head `hash`", signed by the node key, so a chain that ends before it, or differs at it,
 * was cut (see `verifyEvidenceLog`).
 *
 * One anchor is one JSON object (one line of the anchor file): the sealed sequence number and
 * head hash, the seal's time, and the seal's signature with the SHA-256 fingerprint of the
 * certificate that made it (the certificate itself is in the chain's seal records and is the
 * node's own; lines stay short in a file that grows by one line per seal).
 */
import { canonicalJson } from "./evidence.ts";

export interface EvidenceAnchor {
  /** Format version. */
  v: 1;
  nodeId: string;
  /** The sealed record (the seal itself is the record after it). */
  seq: number;
  /** Hash of the sealed record: the chain head when the seal was made. */
  hash: string;
  /** When the seal was made (ISO 8601). */
  at: string;
  algorithm: string;
  /** Base64 signature over `sealMessage(nodeId, seq, hash)`. */
  signature: string;
  /** SHA-256 fingerprint (hex, lower case) of the signing certificate (DER). */
  certSha256: string;
}

/** The anchor of a seal record of the chain (its `details` as written by `sealEvidence`). */
export function anchorFromSeal(
  seal: { at: string; nodeId: string; details: Readonly<Record<string, unknown>> },
  certSha256: string,
): EvidenceAnchor | undefined {
  const d = seal.details as {
    sealedSeq?: unknown;
    sealedHash?: unknown;
    signature?: unknown;
    algorithm?: unknown;
  };
  if (typeof d.sealedSeq !== "number" || typeof d.sealedHash !== "string" || typeof d.signature !== "string")
    return undefined;
  return {
    v: 1,
    nodeId: seal.nodeId,
    seq: d.sealedSeq,
    hash: d.sealedHash,
    at: seal.at,
    algorithm: typeof d.algorithm === "string" ? d.algorithm : "",
    signature: d.signature,
    certSha256,
  };
}

/** One line of the anchor file (canonical JSON, no newline). */
export function formatAnchor(anchor: EvidenceAnchor): string {
  return canonicalJson(anchor);
}

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads one anchor from parsed JSON; `undefined` when any field is missing or malformed. */
export function parseAnchor(value: unknown): EvidenceAnchor | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const a = value as Record<string, unknown>;
  if (a.v !== 1) return undefined;
  if (typeof a.nodeId !== "string" || a.nodeId.length === 0 || a.nodeId.length > 64) return undefined;
  if (typeof a.seq !== "number" || !Number.isSafeInteger(a.seq) || a.seq < 1) return undefined;
  if (typeof a.hash !== "string" || !HEX64.test(a.hash)) return undefined;
  if (typeof a.at !== "string" || a.at.length > 40 || Number.isNaN(Date.parse(a.at))) return undefined;
  if (typeof a.algorithm !== "string" || a.algorithm.length > 40) return undefined;
  if (typeof a.signature !== "string" || a.signature.length > 2048 || !BASE64.test(a.signature))
    return undefined;
  if (typeof a.certSha256 !== "string" || !HEX64.test(a.certSha256)) return undefined;
  return {
    v: 1,
    nodeId: a.nodeId,
    seq: a.seq,
    hash: a.hash,
    at: a.at,
    algorithm: a.algorithm,
    signature: a.signature,
    certSha256: a.certSha256,
  };
}

/** Parses one line of an anchor file. */
export function parseAnchorLine(line: string): EvidenceAnchor | undefined {
  try {
    return parseAnchor(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Anchors read from one place (a file, a parent node), with the lines that could not be read. */
export interface AnchorSource {
  /** Where they come from: a file path, or `parent:<nodeId>`. */
  source: string;
  anchors: { line: number; anchor: EvidenceAnchor }[];
  /** Lines that are not anchors at all (line number, first characters). */
  malformed: { line: number; reason: string }[];
  /** The source could not be read (parent unreachable, file unreadable). */
  error?: string;
}
