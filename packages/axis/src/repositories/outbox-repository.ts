/**
 * Outbox SQL: claiming due rows per next-hop node under a lease, recording a hop as sent or
 * due again, and the backlog per node. The rows are written by `insertPackages`.
 */
import type { Dialect } from "@truc/store";
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";

export type OutboxRow = AxisDatabase["axis_outbox"];

export interface ClaimedOutbox {
  packageId: string;
  nodeId: string;
  /** The agency that sent the package: its packages reach each neighbour one at a time, in order. */
  sender: string;
  attempts: number;
}

/**
 * Claims due outbox rows by leasing them; a worker that dies leaves the lease to expire and
 * another claim picks the row up. PostgreSQL skips rows other workers have locked.
 */
export async function claimOutbox(
  trx: Db,
  dialect: Dialect,
  q: {
    now: number;
    leaseUntil: number;
    limit: number;
    /** Neighbours whose rows are not wanted now (every request to them is in flight). */
    skipNodes?: readonly string[];
  },
): Promise<ClaimedOutbox[]> {
  // Head-of-line per neighbour and sender: a row is claimable only before the earliest row of
  // the same node and the same sender agency that is waiting (back-off) or leased, so each
  // sender's packages reach each neighbour in the order they were accepted, across failures
  // and across several workers, while other senders' packages go past a blocked one.
  const blocked = trx
    .selectFrom("axis_outbox as b")
    .innerJoin("axis_packages as bp", "bp.id", "b.package_id")
    .select(["b.node_id as node_id", "bp.sender as sender", (eb) => eb.fn.min("b.created_at").as("first")])
    .where("b.state", "=", "pending")
    .where((eb) => eb.or([eb("b.next_attempt_at", ">", q.now), eb("b.lease_until", ">", q.now)]))
    .groupBy(["b.node_id", "bp.sender"]);
  let due = trx
    .selectFrom("axis_outbox as o")
    .innerJoin("axis_packages as p", "p.id", "o.package_id")
    .leftJoin(blocked.as("k"), (j) =>
      j.onRef("k.node_id", "=", "o.node_id").onRef("k.sender", "=", "p.sender"),
    )
    .select(["o.package_id as package_id", "o.node_id as node_id", "p.sender as sender"])
    .where("o.state", "=", "pending")
    .where("o.next_attempt_at", "<=", q.now)
    .where("o.lease_until", "<=", q.now)
    .where((eb) => eb.or([eb("k.first", "is", null), eb("o.created_at", "<", eb.ref("k.first"))]))
    .orderBy("o.created_at")
    .orderBy("o.package_id")
    .limit(q.limit);
  if (q.skipNodes && q.skipNodes.length > 0) due = due.where("o.node_id", "not in", [...q.skipNodes]);
  if (dialect === "postgres") due = due.forUpdate("o").skipLocked();
  const rows = await due.execute();
  if (rows.length === 0) return [];
  // One statement for the whole claim (a claim is made each time a forwarding lane frees up).
  const updated = await trx
    .updateTable("axis_outbox")
    .set((eb) => ({ lease_until: q.leaseUntil, attempts: eb("attempts", "+", 1) }))
    .where("state", "=", "pending")
    .where((eb) =>
      eb.or(rows.map((r) => eb.and([eb("package_id", "=", r.package_id), eb("node_id", "=", r.node_id)]))),
    )
    .returning(["package_id", "node_id", "attempts"])
    .execute();
  const attempts = new Map(updated.map((u) => [`${u.package_id}\u0000${u.node_id}`, Number(u.attempts)]));
  const claimed: ClaimedOutbox[] = [];
  for (const r of rows) {
    const n = attempts.get(`${r.package_id}\u0000${r.node_id}`);
    if (n !== undefined)
      claimed.push({ packageId: r.package_id, nodeId: r.node_id, sender: r.sender, attempts: n });
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
