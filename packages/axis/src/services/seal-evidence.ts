/**
 * Signs the current head of the evidence chain with the node key and appends the seal as a
 * record of its own (so the seal is chained too). Runs periodically; a no-op without a
 * signer or when nothing was appended since the last seal.
 *
 * Every seal is then copied to the anchor file outside the database (fsynced) before this
 * returns: the copy is what shows, later, that the chain once reached that far (see
 * `domain/evidence-anchor.ts`). The copy is made after the commit, so the file never names a
 * seal the database does not have; if it fails, the next round copies the last seal again.
 */
import { createHash } from "node:crypto";
import { sealMessage } from "../domain/evidence.ts";
import { anchorFromSeal, type EvidenceAnchor } from "../domain/evidence-anchor.ts";
import {
  appendChained,
  chainQueued,
  evidenceHead,
  lastSeal,
  lockEvidence,
  rowToContent,
} from "../repositories/evidence-repository.ts";
import { chainEvidence } from "./chain-evidence.ts";
import type { NodeContext } from "./ports.ts";

export async function sealEvidence(
  ctx: NodeContext,
): Promise<{ sealedSeq: number; anchor?: EvidenceAnchor } | undefined> {
  // Queued records join the chain whether or not this node can sign a seal.
  await chainEvidence(ctx);
  const signer = ctx.signer;
  if (!signer) return undefined;
  const sealed = await ctx.db.transaction(async (trx) => {
    // Take the chain lock before reading the head, so the seal names the record before it.
    await lockEvidence(trx, ctx.db.dialect);
    await chainQueued(trx, 100_000);
    const previousSeal = await lastSeal(trx);
    const head = await evidenceHead(trx);
    if (!head || (previousSeal && Number(previousSeal.seq) === head.seq)) return undefined;
    const signature = await signer.sign(sealMessage(ctx.config.nodeId, head.seq, head.hash));
    await appendChained(trx, {
      at: ctx.clock.now(),
      kind: "seal",
      nodeId: ctx.config.nodeId,
      packageId: null,
      actor: null,
      details: {
        sealedSeq: head.seq,
        sealedHash: head.hash,
        algorithm: signer.algorithm,
        signature: Buffer.from(signature).toString("base64"),
        certificate: Buffer.from(signer.certificate).toString("base64"),
      },
    });
    return { sealedSeq: head.seq };
  });
  const anchor = await anchorLastSeal(ctx);
  if (!sealed) return undefined;
  return anchor ? { ...sealed, anchor } : sealed;
}

/** The chain's last seal, as an anchor. */
export async function lastSealAnchor(ctx: NodeContext): Promise<EvidenceAnchor | undefined> {
  const row = await lastSeal(ctx.db.kysely);
  if (!row) return undefined;
  const seal = rowToContent(row);
  const certificate = (seal.details as { certificate?: unknown }).certificate;
  if (typeof certificate !== "string") return undefined;
  return anchorFromSeal(seal, createHash("sha256").update(Buffer.from(certificate, "base64")).digest("hex"));
}

/** Copies the chain's last seal to the anchor file (fsynced), unless it is already there. */
export async function anchorLastSeal(ctx: NodeContext): Promise<EvidenceAnchor | undefined> {
  if (!ctx.anchorFile) return undefined;
  const anchor = await lastSealAnchor(ctx);
  if (anchor) await ctx.anchorFile.record(anchor);
  return anchor;
}
