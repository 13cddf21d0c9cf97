import { createHash } from "node:crypto";

/**
 * Evidence records form a hash chain: each row stores the SHA-256 of the previous row's hash
 * and its own canonical content, so editing, deleting or reordering any row breaks every
 * later link. Seal records carry the node's signature over the head hash, so an attacker
 * with database access cannot rebuild the chain without the node key.
 */
export type EvidenceKind =
  | "accept"
  | "duplicate"
  | "forward"
  | "receive"
  | "deliver"
  | "acknowledge"
  | "status"
  | "directory"
  | "seal"
  /** A package's bytes dropped after the retention period (services/purge-bodies.ts). */
  | "purge";

export interface EvidenceContent {
  seq: number;
  at: string;
  kind: EvidenceKind;
  nodeId: string;
  packageId: string | null;
  actor: string | null;
  details: Readonly<Record<string, unknown>>;
}

export const GENESIS_HASH = "0".repeat(64);

/** Deterministic JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function evidenceHash(prevHash: string, content: EvidenceContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(content)).digest("hex");
}

/** The bytes a seal signs: a fixed prefix, the node, the sealed sequence number and head hash. */
export function sealMessage(nodeId: string, seq: number, headHash: string): Buffer {
  return Buffer.from(`truc-evidence-seal\n${nodeId}\n${seq}\n${headHash}`, "utf8");
}

export interface ChainProblem {
  seq: number;
  reason: "hash-mismatch" | "prev-mismatch" | "gap" | "seal-invalid";
}

/** Checks a run of records in sequence order (pure). `startPrev` is the hash before the first. */
export function checkChain(
  records: readonly (EvidenceContent & { prevHash: string; hash: string })[],
  startPrev: string,
  startSeq: number,
): ChainProblem | undefined {
  let prev = startPrev;
  let expectedSeq = startSeq;
  for (const r of records) {
    if (r.seq !== expectedSeq) return { seq: expectedSeq, reason: "gap" };
    if (r.prevHash !== prev) return { seq: r.seq, reason: "prev-mismatch" };
    const { prevHash: _p, hash: _h, ...content } = r;
    if (evidenceHash(prev, content) !== r.hash) return { seq: r.seq, reason: "hash-mismatch" };
    prev = r.hash;
    expectedSeq++;
  }
  return undefined;
}
