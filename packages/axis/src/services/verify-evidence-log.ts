/**
 * Verifies the evidence log: walks the whole chain in sequence order (in pages), recomputes
 * every hash, and checks each seal's signature over the head it names. Editing a row breaks
 * its hash, deleting one leaves a gap, reordering breaks the previous-hash links; rewriting
 * the chain from some point on would need the node key to forge the later seals. Rows after
 * the last seal are chained but not yet signed: the report says how many.
 */
import { createPublicKey, verify as verifySignature, X509Certificate } from "node:crypto";
import type { Kysely } from "kysely";
import { checkChain, GENESIS_HASH, sealMessage } from "../domain/evidence.ts";
import { readEvidence, rowToContent } from "../repositories/evidence-repository.ts";
import type { AxisDatabase } from "../repositories/schema.ts";

export interface EvidenceReport {
  ok: boolean;
  records: number;
  seals: number;
  /** Records after the last valid seal. */
  unsealed: number;
  headHash: string;
  problem?: { seq: number; reason: string };
}

export async function verifyEvidenceLog(
  db: Kysely<AxisDatabase> | { kysely: Kysely<AxisDatabase> },
  {
    pageSize = 5000,
    trustedCertificates,
  }: { pageSize?: number; trustedCertificates?: readonly string[] } = {},
): Promise<EvidenceReport> {
  const k = "selectFrom" in db ? db : db.kysely;
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
      if (r.kind !== "seal") continue;
      const d = r.details as {
        sealedSeq?: number;
        sealedHash?: string;
        signature?: string;
        certificate?: string;
        algorithm?: string;
      };
      const ok = checkSeal(r.nodeId, d, records, r.seq, trustedCertificates);
      if (!ok)
        return {
          ok: false,
          records: seq,
          seals,
          unsealed: 0,
          headHash: prev,
          problem: { seq: r.seq, reason: "seal-invalid" },
        };
      seals++;
      lastSealedSeq = r.seq;
    }
    prev = records.at(-1)!.hash;
    seq = records.at(-1)!.seq;
  }
  return { ok: true, records: seq, seals, unsealed: seq - lastSealedSeq, headHash: prev };
}

function checkSeal(
  nodeId: string,
  d: {
    sealedSeq?: number;
    sealedHash?: string;
    signature?: string;
    certificate?: string;
    algorithm?: string;
  },
  page: readonly { seq: number; hash: string }[],
  sealSeq: number,
  trusted: readonly string[] | undefined,
): boolean {
  if (typeof d.sealedSeq !== "number" || !d.sealedHash || !d.signature || !d.certificate) return false;
  // The seal signs the record just before it; the chain already proved that record's hash.
  if (d.sealedSeq !== sealSeq - 1) return false;
  const sealed = page.find((r) => r.seq === d.sealedSeq);
  if (sealed && sealed.hash !== d.sealedHash) return false;
  try {
    const cert = new X509Certificate(Buffer.from(d.certificate, "base64"));
    if (trusted && !trusted.some((pem) => new X509Certificate(pem).fingerprint256 === cert.fingerprint256))
      return false;
    return verifySignature(
      "sha256",
      sealMessage(nodeId, d.sealedSeq, d.sealedHash),
      createPublicKey(cert.publicKey.export({ type: "spki", format: "pem" })),
      Buffer.from(d.signature, "base64"),
    );
  } catch {
    return false;
  }
}
