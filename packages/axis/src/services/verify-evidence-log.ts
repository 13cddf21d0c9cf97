/**
 * Verifies the evidence log: walks the whole chain in sequence order (in pages), recomputes
 * every hash, and checks each seal's signature over the head it names. Editing a row breaks
 * its hash, deleting one leaves a gap, reordering breaks the previous-hash links; rewriting
 * the chain from some point on would need the node key to forge the later seals. Rows after
 * the last seal are chained but not yet signed: the report says how many.
 *
 * What the chain cannot show is where it ended: deleting the last rows and their seals leaves
 * a valid shorter chain. Anchors (copies of the seals kept outside the database: the node's
 * anchor file, the parent node's copy; see `domain/evidence-anchor.ts`) close that gap: every
 * anchor signed by the node must name a record the chain still has, with the same hash, and be
 * followed by that very seal; otherwise the tail was cut off (`truncated`). An anchor that is
 * not signed by the node is refused (`anchor-invalid`): it proves nothing either way, and
 * someone wrote it.
 */
import {
  createHash,
  createPublicKey,
  type KeyObject,
  verify as verifySignature,
  X509Certificate,
} from "node:crypto";
import type { Kysely } from "kysely";
import { type ChainProblem, checkChain, GENESIS_HASH, sealMessage } from "../domain/evidence.ts";
import type { AnchorSource, EvidenceAnchor } from "../domain/evidence-anchor.ts";
import { AxisError } from "../errors.ts";
import { readEvidence, rowToContent } from "../repositories/evidence-repository.ts";
import type { AxisDatabase } from "../repositories/schema.ts";

export type EvidenceProblemReason = ChainProblem["reason"] | "truncated" | "anchor-invalid";

export interface AnchorSourceReport {
  source: string;
  /** Lines read as anchors. */
  anchors: number;
  /** Anchors signed by the node (checked against the chain). */
  accepted: number;
  /** Highest sequence number among the accepted anchors. */
  latestSeq: number | null;
  /** Lines refused (malformed, unknown certificate, bad signature): the first 20. */
  refused: { line: number; reason: string }[];
  refusedCount: number;
  /** The source could not be read (the check went on without it). */
  error?: string;
}

export interface EvidenceReport {
  ok: boolean;
  records: number;
  seals: number;
  /** Records after the last valid seal. */
  unsealed: number;
  headHash: string;
  problem?: {
    seq: number;
    reason: EvidenceProblemReason;
    /** For `truncated` and `anchor-invalid`: which anchor. */
    source?: string;
    line?: number;
    anchoredSeq?: number;
    anchoredAt?: string;
    /** For `anchor-invalid`: why the line was refused. */
    detail?: string;
  };
  /** Present when anchors were given. */
  anchors?: AnchorSourceReport[];
}

export interface VerifyEvidenceOptions {
  pageSize?: number;
  /** Accept only seals and anchors made with these certificates (PEM). */
  trustedCertificates?: readonly string[];
  /** Seals kept outside the database: the chain must still reach every one. */
  anchors?: readonly AnchorSource[];
  /**
   * The node's own certificates (PEM or DER). Without `trustedCertificates`, an anchor must be
   * signed with one of these or with a certificate that made a valid seal in the chain.
   */
  nodeCertificates?: readonly (string | Uint8Array)[];
}

interface SealDetails {
  sealedSeq?: number;
  sealedHash?: string;
  signature?: string;
  certificate?: string;
  algorithm?: string;
}

const fingerprintOf = (der: Uint8Array | Buffer) => createHash("sha256").update(der).digest("hex");

export async function verifyEvidenceLog(
  db: Kysely<AxisDatabase> | { kysely: Kysely<AxisDatabase> },
  { pageSize = 5000, trustedCertificates, anchors, nodeCertificates = [] }: VerifyEvidenceOptions = {},
): Promise<EvidenceReport> {
  const k = "selectFrom" in db ? db : db.kysely;
  // What the anchors will be compared with, gathered during the walk: the hash of each
  // anchored record, and the record after it (which must be that seal).
  const wanted = new Set<number>();
  for (const s of anchors ?? []) for (const a of s.anchors) wanted.add(a.anchor.seq);
  const hashAt = new Map<number, string>();
  const sealAfter = new Map<number, SealDetails | null>();
  const sealKeys = new Map<string, KeyObject>();
  let prev = GENESIS_HASH;
  let seq = 0;
  let seals = 0;
  let lastSealedSeq = 0;
  for (;;) {
    const rows = await readEvidence(k, seq, pageSize);
    if (rows.length === 0) break;
    const records = rows.map(rowToContent);
    const problem = checkChain(records, prev, seq + 1);
    if (problem)
      return { ok: false, records: seq, seals, unsealed: seq - lastSealedSeq, headHash: prev, problem };
    for (const r of records) {
      if (wanted.has(r.seq)) hashAt.set(r.seq, r.hash);
      if (wanted.has(r.seq - 1))
        sealAfter.set(r.seq - 1, r.kind === "seal" ? (r.details as SealDetails) : null);
      if (r.kind !== "seal") continue;
      const d = r.details as SealDetails;
      const cert = checkSeal(r.nodeId, d, records, r.seq, trustedCertificates);
      if (!cert)
        return {
          ok: false,
          records: seq,
          seals,
          unsealed: 0,
          headHash: prev,
          problem: { seq: r.seq, reason: "seal-invalid" },
        };
      const fp = fingerprintOf(cert.raw);
      if (!sealKeys.has(fp)) sealKeys.set(fp, cert.publicKey);
      seals++;
      lastSealedSeq = r.seq;
    }
    prev = records.at(-1)!.hash;
    seq = records.at(-1)!.seq;
  }
  const report: EvidenceReport = {
    ok: true,
    records: seq,
    seals,
    unsealed: seq - lastSealedSeq,
    headHash: prev,
  };
  if (!anchors) return report;

  // Certificates an anchor may be signed with: the trusted ones when given (as for seals),
  // else the node's own and those that made the chain's valid seals.
  const keys = new Map<string, KeyObject>();
  const addCertificate = (c: string | Uint8Array) => {
    const x = new X509Certificate(typeof c === "string" ? c : Buffer.from(c));
    keys.set(fingerprintOf(x.raw), x.publicKey);
  };
  if (trustedCertificates) for (const c of trustedCertificates) addCertificate(c);
  else {
    for (const c of nodeCertificates) addCertificate(c);
    for (const [fp, key] of sealKeys) keys.set(fp, key);
  }

  const verdicts = new Map<string, string | null>();
  const refusalOf = (a: EvidenceAnchor): string | null => {
    const id = `${a.nodeId}\n${a.seq}\n${a.hash}\n${a.signature}\n${a.certSha256}`;
    let verdict = verdicts.get(id);
    if (verdict === undefined) {
      const key = keys.get(a.certSha256);
      if (!key) verdict = trustedCertificates ? "certificate-untrusted" : "certificate-unknown";
      else {
        let valid = false;
        try {
          valid = verifySignature(
            "sha256",
            sealMessage(a.nodeId, a.seq, a.hash),
            key,
            Buffer.from(a.signature, "base64"),
          );
        } catch {
          valid = false;
        }
        verdict = valid ? null : "signature-invalid";
      }
      verdicts.set(id, verdict);
    }
    return verdict;
  };

  let cut: { at: number; anchoredSeq: number; anchoredAt: string; source: string; line: number } | undefined;
  let invalid: { source: string; line: number; detail: string; seq: number } | undefined;
  report.anchors = [];
  for (const s of anchors) {
    const r: AnchorSourceReport = {
      source: s.source,
      anchors: s.anchors.length,
      accepted: 0,
      latestSeq: null,
      refused: [],
      refusedCount: 0,
      ...(s.error ? { error: s.error } : {}),
    };
    const refuse = (line: number, reason: string, anchoredSeq = 0) => {
      if (r.refused.length < 20) r.refused.push({ line, reason });
      r.refusedCount++;
      if (!invalid) invalid = { source: s.source, line, detail: reason, seq: anchoredSeq };
    };
    for (const m of s.malformed) refuse(m.line, "malformed");
    for (const { line, anchor: a } of s.anchors) {
      const refusal = refusalOf(a);
      if (refusal) {
        refuse(line, refusal, a.seq);
        continue;
      }
      r.accepted++;
      r.latestSeq = Math.max(r.latestSeq ?? 0, a.seq);
      // Where the chain departs from the anchor: the anchored record when its hash differs,
      // the first missing record when the chain ends too soon, the seal when it was replaced.
      let at: number | undefined;
      if (a.seq <= seq && hashAt.get(a.seq) !== a.hash) at = a.seq;
      else if (a.seq + 1 > seq) at = seq + 1;
      else {
        const seal = sealAfter.get(a.seq);
        if (!seal || seal.sealedSeq !== a.seq || seal.sealedHash !== a.hash || seal.signature !== a.signature)
          at = a.seq + 1;
      }
      if (at === undefined) continue;
      if (!cut || at < cut.at || (at === cut.at && a.seq > cut.anchoredSeq))
        cut = { at, anchoredSeq: a.seq, anchoredAt: a.at, source: s.source, line };
    }
    report.anchors.push(r);
  }
  if (cut) {
    report.ok = false;
    report.problem = {
      seq: cut.at,
      reason: "truncated",
      source: cut.source,
      line: cut.line,
      anchoredSeq: cut.anchoredSeq,
      anchoredAt: cut.anchoredAt,
    };
  } else if (invalid) {
    report.ok = false;
    report.problem = {
      seq: invalid.seq,
      reason: "anchor-invalid",
      source: invalid.source,
      line: invalid.line,
      detail: invalid.detail,
    };
  }
  return report;
}

/** The error that says what a failed verification found (`undefined` when the log is intact). */
export function evidenceReportError(report: EvidenceReport): AxisError | undefined {
  const p = report.problem;
  if (report.ok || !p) return undefined;
  if (p.reason === "truncated")
    return new AxisError("AXIS_EVIDENCE_TRUNCATED", {
      source: p.source ?? "?",
      anchoredSeq: p.anchoredSeq ?? "?",
      at: p.anchoredAt ?? "?",
      records: report.records,
      seq: p.seq,
    });
  if (p.reason === "anchor-invalid")
    return new AxisError("AXIS_EVIDENCE_ANCHOR_INVALID", {
      source: p.source ?? "?",
      line: p.line ?? "?",
      reason: p.detail ?? "?",
    });
  return new AxisError("AXIS_EVIDENCE_BROKEN", { seq: p.seq, reason: p.reason });
}

/** Checks one seal record; returns the certificate that made it when it is valid. */
function checkSeal(
  nodeId: string,
  d: SealDetails,
  page: readonly { seq: number; hash: string }[],
  sealSeq: number,
  trusted: readonly string[] | undefined,
): X509Certificate | undefined {
  if (typeof d.sealedSeq !== "number" || !d.sealedHash || !d.signature || !d.certificate) return undefined;
  // The seal signs the record just before it; the chain already proved that record's hash.
  if (d.sealedSeq !== sealSeq - 1) return undefined;
  const sealed = page.find((r) => r.seq === d.sealedSeq);
  if (sealed && sealed.hash !== d.sealedHash) return undefined;
  try {
    const cert = new X509Certificate(Buffer.from(d.certificate, "base64"));
    if (trusted && !trusted.some((pem) => new X509Certificate(pem).fingerprint256 === cert.fingerprint256))
      return undefined;
    const valid = verifySignature(
      "sha256",
      sealMessage(nodeId, d.sealedSeq, d.sealedHash),
      createPublicKey(cert.publicKey.export({ type: "spki", format: "pem" })),
      Buffer.from(d.signature, "base64"),
    );
    return valid ? cert : undefined;
  } catch {
    return undefined;
  }
}
