/**
 * Links queued evidence records into the hash chain (see evidence-repository.ts): one
 * transaction per batch under the chain lock. Runs in the background worker loop, before
 * every seal and before a verification.
 */
import { chainQueued, lockEvidence } from "../repositories/evidence-repository.ts";
import type { NodeContext } from "./ports.ts";

export async function chainEvidence(ctx: NodeContext, { batch = 1000 } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction(async (trx) => {
      await lockEvidence(trx, ctx.db.dialect);
      return chainQueued(trx, batch);
    });
    total += n;
    if (n < batch) return total;
  }
}
