/**
 * Package SQL: the package row, its per-recipient routes, mailbox deliveries, the outbox per
 * next-hop node, the business status timeline and the daily rollups. Everything a package
 * needs is written by `insertPackage` in the caller's transaction.
 */
import type { Dialect } from "@truc/store";
import { sql } from "kysely";
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";
import { bumpStatusRollups } from "./status-rollup.ts";

export type PackageRow = AxisDatabase["axis_packages"];
export type DeliveryRow = AxisDatabase["axis_deliveries"];
export type OutboxRow = AxisDatabase["axis_outbox"];

export interface NewPackage {
  row: PackageRow;
  /** recipient → "local" or the next-hop node id. */
  routes: ReadonlyMap<string, string>;
  day: string;
}

export async function findPackage(db: Db, id: string): Promise<PackageRow | undefined> {
  return db.selectFrom("axis_packages").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findPackageByIdentity(db: Db, identityKey: string): Promise<PackageRow | undefined> {
  return db
    .selectFrom("axis_packages")
    .selectAll()
    .where("identity_key", "=", identityKey)
    .executeTakeFirst();
}

/** Recipients of every edoc package `sender` sent for `documentId` that passed this node. */
export async function recipientsOfDocument(db: Db, sender: string, documentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("axis_routes")
    .innerJoin("axis_packages", "axis_packages.id", "axis_routes.package_id")
    .select("axis_routes.recipient")
    .distinct()
    .where("axis_packages.sender", "=", sender)
    .where("axis_packages.document_id", "=", documentId)
    .where("axis_packages.kind", "=", "edoc")
    .execute();
  return rows.map((r) => r.recipient);
}

/** When the document reached this node on its way to `recipient` (first edoc package). */
export async function documentArrival(
  db: Db,
  documentId: string,
  recipient: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom("axis_routes")
    .innerJoin("axis_packages", "axis_packages.id", "axis_routes.package_id")
    .select((eb) => eb.fn.min("axis_packages.received_at").as("at"))
    .where("axis_packages.document_id", "=", documentId)
    .where("axis_packages.kind", "=", "edoc")
    .where("axis_routes.recipient", "=", recipient)
    .executeTakeFirst();
  return row?.at == null ? undefined : Number(row.at);
}

export async function insertPackage(trx: Db, pkg: NewPackage): Promise<void> {
  const { row } = pkg;
  await trx.insertInto("axis_packages").values(row).execute();
  if (pkg.routes.size > 0) {
    await trx
      .insertInto("axis_routes")
      .values([...pkg.routes].map(([recipient, hop]) => ({ package_id: row.id, recipient, hop })))
      .execute();
  }
  const local = [...pkg.routes].filter(([, hop]) => hop === "local").map(([r]) => r);
  if (local.length > 0) {
    await trx
      .insertInto("axis_deliveries")
      .values(
        local.map((recipient) => ({
          package_id: row.id,
          recipient,
          kind: row.kind,
          state: "pending" as const,
          lease_until: 0,
          attempts: 0,
          created_at: row.received_at,
          delivered_at: null,
          acked_at: null,
          ack_note: null,
        })),
      )
      .execute();
  }
  const nodes = [...new Set([...pkg.routes.values()].filter((hop) => hop !== "local"))];
  if (nodes.length > 0) {
    await trx
      .insertInto("axis_outbox")
      .values(
        nodes.map((node_id) => ({
          package_id: row.id,
          node_id,
          state: "pending" as const,
          attempts: 0,
          next_attempt_at: row.received_at,
          lease_until: 0,
          last_error: null,
          created_at: row.received_at,
          sent_at: null,
        })),
      )
      .execute();
  }
  const valid = row.signature === "valid" ? 1 : 0;
  const shard = shardOf(row.id);
  // Rows in a fixed order (sender first, recipients sorted) so concurrent writers never deadlock.
  await bumpDaily(trx, { day: pkg.day, agency: row.sender, direction: "sent", kind: row.kind, valid, shard });
  for (const recipient of [...pkg.routes.keys()].sort()) {
    await bumpDaily(trx, {
      day: pkg.day,
      agency: recipient,
      direction: "received",
      kind: row.kind,
      valid,
      shard,
    });
  }
}

export const STATS_SHARDS = 16;

function shardOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % STATS_SHARDS;
}

async function bumpDaily(
  trx: Db,
  r: {
    day: string;
    agency: string;
    direction: "sent" | "received";
    kind: "edoc" | "status";
    valid: number;
    shard: number;
  },
): Promise<void> {
  await trx
    .insertInto("axis_stats_daily")
    .values({
      day: r.day,
      agency: r.agency,
      direction: r.direction,
      kind: r.kind,
      shard: r.shard,
      count: 1,
      signed_valid: r.valid,
    })
    .onConflict((oc) =>
      oc.columns(["day", "agency", "direction", "kind", "shard"]).doUpdateSet({
        count: sql`axis_stats_daily.count + 1`,
        signed_valid: sql`axis_stats_daily.signed_valid + ${r.valid}`,
      }),
    )
    .execute();
}

export async function recordStatus(trx: Db, row: AxisDatabase["axis_status_timeline"]): Promise<boolean> {
  const result = await trx
    .insertInto("axis_status_timeline")
    .values(row)
    .onConflict((oc) => oc.columns(["document_id", "recipient", "status_code"]).doNothing())
    .executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  // The compliance rollups count each timeline row once: a duplicate status bumps nothing.
  if (inserted) await bumpStatusRollups(trx, row);
  return inserted;
}

export async function statusTimeline(
  db: Db,
  documentId: string,
): Promise<AxisDatabase["axis_status_timeline"][]> {
  return db
    .selectFrom("axis_status_timeline")
    .selectAll()
    .where("document_id", "=", documentId)
    .orderBy("received_at")
    .orderBy("status_code")
    .execute();
}

// ---------------------------------------------------------------- mailbox

export interface MailboxItem {
  packageId: string;
  recipient: string;
  kind: "edoc" | "status";
  sender: string;
  createdAt: number;
  leaseUntil: number;
  fwdSha256: string;
  fwdSize: number;
  subject: string | null;
  notation: string | null;
}

/** Pending packages for `recipients` whose lease is free (never delivered or lease expired). */
export async function listMailbox(
  db: Db,
  q: {
    recipients: readonly string[];
    kind?: "edoc" | "status";
    now: number;
    from?: number;
    to?: number;
    limit: number;
  },
): Promise<MailboxItem[]> {
  if (q.recipients.length === 0) return [];
  let query = db
    .selectFrom("axis_deliveries as d")
    .innerJoin("axis_packages as p", "p.id", "d.package_id")
    .select([
      "d.package_id as packageId",
      "d.recipient as recipient",
      "d.kind as kind",
      "p.sender as sender",
      "d.created_at as createdAt",
      "d.lease_until as leaseUntil",
      "p.fwd_sha256 as fwdSha256",
      "p.fwd_size as fwdSize",
      "p.subject as subject",
      "p.notation as notation",
    ])
    .where("d.state", "=", "pending")
    .where("d.recipient", "in", [...q.recipients])
    .where("d.lease_until", "<=", q.now);
  if (q.kind) query = query.where("d.kind", "=", q.kind);
  if (q.from !== undefined) query = query.where("d.created_at", ">=", q.from);
  if (q.to !== undefined) query = query.where("d.created_at", "<=", q.to);
  const rows = await query.orderBy("d.created_at").orderBy("d.package_id").limit(q.limit).execute();
  return rows.map((r) => ({
    ...r,
    createdAt: Number(r.createdAt),
    leaseUntil: Number(r.leaseUntil),
    fwdSize: Number(r.fwdSize),
  }));
}

export async function countMailbox(
  db: Db,
  q: { recipients: readonly string[]; kind?: "edoc" | "status"; now: number },
): Promise<number> {
  if (q.recipients.length === 0) return 0;
  let query = db
    .selectFrom("axis_deliveries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", "pending")
    .where("recipient", "in", [...q.recipients])
    .where("lease_until", "<=", q.now);
  if (q.kind) query = query.where("kind", "=", q.kind);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findDeliveries(
  db: Db,
  packageId: string,
  recipients: readonly string[],
): Promise<DeliveryRow[]> {
  if (recipients.length === 0) return [];
  return db
    .selectFrom("axis_deliveries")
    .selectAll()
    .where("package_id", "=", packageId)
    .where("recipient", "in", [...recipients])
    .execute();
}

export async function leaseDelivery(
  trx: Db,
  packageId: string,
  recipient: string,
  now: number,
  leaseUntil: number,
): Promise<void> {
  await trx
    .updateTable("axis_deliveries")
    .set((eb) => ({
      lease_until: leaseUntil,
      attempts: eb("attempts", "+", 1),
      delivered_at: eb.fn.coalesce("delivered_at", eb.val(now)),
    }))
    .where("package_id", "=", packageId)
    .where("recipient", "=", recipient)
    .execute();
}

export async function acknowledgeDelivery(
  trx: Db,
  packageId: string,
  recipient: string,
  state: "done" | "failed",
  now: number,
  note: string | null,
): Promise<boolean> {
  const result = await trx
    .updateTable("axis_deliveries")
    .set({ state, acked_at: now, ack_note: note })
    .where("package_id", "=", packageId)
    .where("recipient", "=", recipient)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Drops acknowledged mailbox rows older than the retention horizon (the package row and evidence stay). */
export async function purgeAcknowledged(db: Db, olderThan: number): Promise<number> {
  const result = await db
    .deleteFrom("axis_deliveries")
    .where("state", "!=", "pending")
    .where("acked_at", "<", olderThan)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sent packages of `senders` with their per-recipient delivery states known here. */
export async function listSent(
  db: Db,
  q: {
    senders: readonly string[];
    kind?: "edoc" | "status";
    documentId?: string;
    from?: number;
    to?: number;
    limit: number;
  },
) {
  if (q.senders.length === 0) return [];
  let query = db
    .selectFrom("axis_packages as p")
    .innerJoin("axis_routes as r", "r.package_id", "p.id")
    .leftJoin("axis_deliveries as d", (j) =>
      j.onRef("d.package_id", "=", "p.id").onRef("d.recipient", "=", "r.recipient"),
    )
    .leftJoin("axis_outbox as o", (j) =>
      j.onRef("o.package_id", "=", "p.id").onRef("o.node_id", "=", "r.hop"),
    )
    .select([
      "p.id as id",
      "p.kind as kind",
      "p.sender as sender",
      "p.document_id as documentId",
      "p.subject as subject",
      "p.notation as notation",
      "p.received_at as receivedAt",
      "r.recipient as recipient",
      "r.hop as hop",
      "d.state as deliveryState",
      "d.acked_at as ackedAt",
      "o.state as outboxState",
      "o.sent_at as forwardedAt",
    ])
    .where("p.sender", "in", [...q.senders]);
  if (q.kind) query = query.where("p.kind", "=", q.kind);
  if (q.documentId)
    query = query.where((eb) =>
      eb.or([eb("p.id", "=", q.documentId!), eb("p.document_id", "=", q.documentId!)]),
    );
  if (q.from !== undefined) query = query.where("p.received_at", ">=", q.from);
  if (q.to !== undefined) query = query.where("p.received_at", "<=", q.to);
  return query.orderBy("p.received_at", "desc").limit(q.limit).execute();
}

// ---------------------------------------------------------------- outbox

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
