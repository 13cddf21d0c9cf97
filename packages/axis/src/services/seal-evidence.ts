/**
 * Signs the current head of the evidence chain with the node key and appends the seal as a
 * record of its own (so the seal is chained too). Runs periodically; a no-op without a
 * signer or when nothing was appended since the last seal.
 */
import { sealMessage } from "../domain/evidence.ts";
import {
  appendChained,
  chainQueued,
  evidenceHead,
  lastSeal,
  lockEvidence,
} from "../repositories/evidence-repository.ts";
import { chainEvidence } from "./chain-evidence.ts";
import type { NodeContext } from "./ports.ts";

export async function sealEvidence(ctx: NodeContext): Promise<{ sealedSeq: number } | undefined> {
  // Queued records join the chain whether or not this node can sign a seal.
  await chainEvidence(ctx);
  const signer = ctx.signer;
  if (!signer) return undefined;
  return ctx.db.transaction(async (trx) => {
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
}
