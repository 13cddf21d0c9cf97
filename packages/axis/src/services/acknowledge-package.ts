import { AxisError } from "../errors.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import { acknowledgeDelivery, findDeliveries, leaseDelivery } from "../repositories/package-repository.ts";
import { callerAgencies } from "./caller-agencies.ts";
import type { Caller, NodeContext } from "./ports.ts";

export type TransportStatus = "done" | "fail" | "processing";

/**
 * Transport acknowledgement (spec §3.3, `updateStatus`): `done` and `fail` close the mailbox
 * row (fail = the consumer could not use it; the sender sees it in getSentEdocList),
 * `processing` extends the lease. Acknowledging twice is harmless.
 */
export async function acknowledgePackage(
  ctx: NodeContext,
  input: { caller: Caller; packageId: string; status: string; note?: string },
): Promise<{ changed: number }> {
  if (input.status !== "done" && input.status !== "fail" && input.status !== "processing") {
    throw new AxisError("AXIS_STATUS_INVALID", { status: input.status });
  }
  const recipients = await callerAgencies(ctx, input.caller);
  const deliveries = await findDeliveries(ctx.db.kysely, input.packageId, recipients);
  if (deliveries.length === 0) throw new AxisError("AXIS_PACKAGE_NOT_FOUND", { docId: input.packageId });
  const now = ctx.clock.now();
  let changed = 0;
  await ctx.db.transaction(async (trx) => {
    for (const d of deliveries) {
      if (d.state !== "pending") continue;
      if (input.status === "processing") {
        await leaseDelivery(
          trx,
          d.package_id,
          d.recipient,
          now.getTime(),
          now.getTime() + ctx.config.mailbox.leaseSeconds * 1000,
        );
        changed++;
      } else if (
        await acknowledgeDelivery(
          trx,
          d.package_id,
          d.recipient,
          input.status === "done" ? "done" : "failed",
          now.getTime(),
          input.note ?? null,
        )
      ) {
        changed++;
      }
    }
    if (changed > 0) {
      await appendEvidence(trx, ctx.db.dialect, {
        at: now,
        kind: "acknowledge",
        nodeId: ctx.config.nodeId,
        packageId: input.packageId,
        actor: input.caller.type === "agency" ? input.caller.id : null,
        details: {
          status: input.status,
          recipients: deliveries.map((d) => d.recipient),
          note: input.note ?? null,
        },
      });
    }
  });
  return { changed };
}
