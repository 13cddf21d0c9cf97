/**
 * The statistics the Government Office publishes, computed from this node's view of the
 * traffic: counts by agency / level / parent over a period, the share of packages whose
 * signature verified, which statuses each recipient returns and how fast, and backlog.
 */
import { STATUS_CODES } from "../domain/status.ts";
import {
  mailboxBacklog,
  type Period,
  statusCompliance,
  type TrafficGrouping,
  trafficBy,
} from "../repositories/stats-repository.ts";
import type { NodeContext } from "./ports.ts";

export async function queryTraffic(
  ctx: NodeContext,
  q: Period & { groupBy: TrafficGrouping; kind?: "edoc" | "status" },
) {
  const rows = await trafficBy(ctx.db.kysely, { ...q, kind: q.kind ?? "edoc" });
  const total = rows.reduce((a, r) => ({ sent: a.sent + r.sent, valid: a.valid + r.sentSignedValid }), {
    sent: 0,
    valid: 0,
  });
  return {
    rows: rows.map((r) => ({
      ...r,
      receivedSignedShare: r.received === 0 ? null : r.receivedSignedValid / r.received,
      sentSignedShare: r.sent === 0 ? null : r.sentSignedValid / r.sent,
    })),
    total: {
      sent: total.sent,
      signedValid: total.valid,
      signedShare: total.sent === 0 ? null : total.valid / total.sent,
    },
  };
}

export async function queryStatusCompliance(ctx: NodeContext, q: Period & { recipient?: string }) {
  const rows = await statusCompliance(ctx.db.kysely, q);
  const byRecipient = new Map<
    string,
    { recipient: string; returned: Record<string, number>; medianMs: Record<string, number | null> }
  >();
  for (const r of rows) {
    let entry = byRecipient.get(r.recipient);
    if (!entry) {
      entry = { recipient: r.recipient, returned: {}, medianMs: {} };
      byRecipient.set(r.recipient, entry);
    }
    entry.returned[r.statusCode] = r.count;
    entry.medianMs[r.statusCode] = r.medianMs;
  }
  return [...byRecipient.values()].map((e) => ({
    ...e,
    returnsAllOf01to06: STATUS_CODES.slice(0, 6).every((c) => (e.returned[c] ?? 0) > 0 || c === "02"),
  }));
}

export async function queryBacklog(ctx: NodeContext) {
  return mailboxBacklog(ctx.db.kysely);
}
