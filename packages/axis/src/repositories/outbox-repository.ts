/**
 * Outbox SQL: claiming due rows per next-hop node under a lease, recording a hop as sent or
 * due again, and the backlog per node. The rows are written by `insertPackage`.
 */
import type { Dialect } from "@truc/store";
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";

export type OutboxRow = AxisDatabase["axis_outbox"];

export interface ClaimedOutbox {
  packageId: string;
  nodeId: string;
  attempts: number;
}

/**
 * Claims due outbox rows by leasing them; a worker that dies leaves the lease to expire and
 * another claim picks the row up. PostgreSQL skips rows other workers have locked.
 */
export async function claimOutbox(
  trx: Db,
  dialect: Dialect,
  q: { now: number; leaseUntil: number; limit: number },
): Promise<ClaimedOutbox[]> {
  // Head-of-line per neighbour: rows are claimable only before the earliest row of the same
  // node that is waiting (back-off) or leased, so packages reach each neighbour in the order
  // they were accepted, across failures and across several workers.
  const blocked = await trx
    .selectFrom("axis_outbox")
    .select(["node_id", (eb) => eb.fn.min("created_at").as("first")])
    .where("state", "=", "pending")
    .where((eb) => eb.or([eb("next_attempt_at", ">", q.now), eb("lease_until", ">", q.now)]))
    .groupBy("node_id")
    .execute();
  let due = trx
    .selectFrom("axis_outbox")
    .select(["package_id", "node_id"])
    .where("state", "=", "pending")
    .where("next_attempt_at", "<=", q.now)
    .where("lease_until", "<=", q.now)
    .orderBy("created_at")
    .orderBy("package_id")
    .limit(q.limit);
  if (blocked.length > 0) {
    due = due.where((eb) =>
      eb.or([
        eb(
          "node_id",
          "not in",
          blocked.map((b) => b.node_id),
        ),
        ...blocked.map((b) =>
          eb.and([eb("node_id", "=", b.node_id), eb("created_at", "<", Number(b.first))]),
        ),
      ]),
    );
  }
  if (dialect === "postgres") due = due.forUpdate().skipLocked();
  const rows = await due.execute();
  const claimed: ClaimedOutbox[] = [];
  for (const r of rows) {
    const updated = await trx
      .updateTable("axis_outbox")
      .set((eb) => ({ lease_until: q.leaseUntil, attempts: eb("attempts", "+", 1) }))
      .where("package_id", "=", r.package_id)
      .where("node_id", "=", r.node_id)
      .where("state", "=", "pending")
      .returning(["attempts"])
      .executeTakeFirst();
    if (updated)
      claimed.push({ packageId: r.package_id, nodeId: r.node_id, attempts: Number(updated.attempts) });
  }
  return claimed;
}

export async function markOutboxSent(trx: Db, packageId: string, nodeId: string, now: number): Promise<void> {
  await trx
    .updateTable("axis_outbox")
    .set({ state: "sent", sent_at: now, last_error: null })
    .where("package_id", "=", packageId)
    .where("node_id", "=", nodeId)
    .execute();
}

export async function markOutboxRetry(
  db: Db,
  packageId: string,
  nodeId: string,
  nextAttemptAt: number,
  error: string,
): Promise<void> {
  await db
    .updateTable("axis_outbox")
    .set({ next_attempt_at: nextAttemptAt, lease_until: 0, last_error: error.slice(0, 500) })
    .where("package_id", "=", packageId)
    .where("node_id", "=", nodeId)
    .execute();
}

export async function outboxBacklog(db: Db): Promise<{ nodeId: string; pending: number }[]> {
  const rows = await db
    .selectFrom("axis_outbox")
    .select(["node_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("state", "=", "pending")
    .groupBy("node_id")
    .execute();
  return rows.map((r) => ({ nodeId: r.node_id, pending: Number(r.n) }));
}
