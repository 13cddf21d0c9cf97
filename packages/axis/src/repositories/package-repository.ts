/**
 * Package SQL: the package row, its per-recipient routes, mailbox deliveries, the outbox per
 * next-hop node, the business status timeline and the traffic rollups (traffic-rollup.ts).
 * Everything a package needs is written by `insertPackage`.
 */
import type { Dialect } from "@truc/store";
import { sql } from "kysely";
import type { Db } from "./directory-repository.ts";
import type { QueuedEvidence } from "./evidence-repository.ts";
import type { AxisDatabase } from "./schema.ts";
import { bumpStatusRollups } from "./status-rollup.ts";

export type PackageRow = AxisDatabase["axis_packages"];
export type DeliveryRow = AxisDatabase["axis_deliveries"];

export interface NewPackage {
  row: PackageRow;
  /** recipient → "local" or the next-hop node id. */
  routes: ReadonlyMap<string, string>;
  day: string;
  /** The received bytes, when they are kept in the database rather than the blob store. */
  body?: { sha256: string; bytes: Buffer };
  /** The evidence record of this accept, queued for the chainer (see evidence-repository). */
  evidence?: QueuedEvidence;
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

/**
 * Writes everything an accepted package needs: its received bytes when kept inline, the
 * package row, routes, mailbox deliveries, outbox rows, the daily and monthly traffic rollups
 * and the queued evidence record. On PostgreSQL this is ONE statement (data-modifying CTEs):
 * atomic on its own, and one round trip instead of nine. On SQLite (in-process, no round
 * trips) it is the same rows written one statement at a time: call it inside a transaction.
 */
export async function insertPackage(trx: Db, dialect: Dialect, pkg: NewPackage): Promise<void> {
  const { row } = pkg;
  const routes = [...pkg.routes].map(([recipient, hop]) => ({ package_id: row.id, recipient, hop }));
  const deliveries = routes
    .filter((r) => r.hop === "local")
    .map(({ recipient }) => ({
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
    }));
  const outbox = [...new Set(routes.map((r) => r.hop).filter((hop) => hop !== "local"))].map((node_id) => ({
    package_id: row.id,
    node_id,
    state: "pending" as const,
    attempts: 0,
    next_attempt_at: row.received_at,
    lease_until: 0,
    last_error: null,
    created_at: row.received_at,
    sent_at: null,
  }));
  const valid = row.signature === "valid" ? 1 : 0;
  const shard = shardOf(row.id);
  const stat = (agency: string, direction: "sent" | "received") => ({
    day: pkg.day,
    agency,
    direction,
    kind: row.kind,
    shard,
    count: 1,
    signed_valid: valid,
  });
  // Rows in a fixed order (sender first, recipients sorted) so concurrent writers never
  // deadlock; every writer's statement has the same shape, so the daily and the monthly
  // rows are always taken in the same table order too.
  const stats = [stat(row.sender, "sent"), ...[...pkg.routes.keys()].sort().map((r) => stat(r, "received"))];
  const monthly = stats.map(({ day, ...counters }) => ({ month: day.slice(0, 7), ...counters }));
  const bumpDaily = (db: Db) =>
    db
      .insertInto("axis_stats_daily")
      .values(stats)
      .onConflict((oc) =>
        oc.columns(["day", "agency", "direction", "kind", "shard"]).doUpdateSet({
          count: sql`axis_stats_daily.count + excluded.count`,
          signed_valid: sql`axis_stats_daily.signed_valid + excluded.signed_valid`,
        }),
      );
  const bumpMonthly = (db: Db) =>
    db
      .insertInto("axis_stats_monthly")
      .values(monthly)
      .onConflict((oc) =>
        oc.columns(["month", "agency", "direction", "kind", "shard"]).doUpdateSet({
          count: sql`axis_stats_monthly.count + excluded.count`,
          signed_valid: sql`axis_stats_monthly.signed_valid + excluded.signed_valid`,
        }),
      );
  const body = (db: Db, b: { sha256: string; bytes: Buffer }) =>
    db
      .insertInto("axis_bodies")
      .values({ sha256: b.sha256, body: b.bytes })
      .onConflict((oc) => oc.column("sha256").doNothing());

  if (dialect === "sqlite") {
    if (pkg.body) await body(trx, pkg.body).execute();
    await trx.insertInto("axis_packages").values(row).execute();
    if (routes.length > 0) await trx.insertInto("axis_routes").values(routes).execute();
    if (deliveries.length > 0) await trx.insertInto("axis_deliveries").values(deliveries).execute();
    if (outbox.length > 0) await trx.insertInto("axis_outbox").values(outbox).execute();
    await bumpDaily(trx).execute();
    await bumpMonthly(trx).execute();
    if (pkg.evidence) await trx.insertInto("axis_evidence_queue").values(pkg.evidence).execute();
    return;
  }
  // Kysely types each CTE by name; the names are only labels here, so the chain is built untyped.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  let q: any = trx.with("p", (db) => db.insertInto("axis_packages").values(row));
  if (pkg.body) q = q.with("b", (db: Db) => body(db, pkg.body!));
  if (routes.length > 0) q = q.with("r", (db: Db) => db.insertInto("axis_routes").values(routes));
  if (deliveries.length > 0) q = q.with("d", (db: Db) => db.insertInto("axis_deliveries").values(deliveries));
  if (outbox.length > 0) q = q.with("o", (db: Db) => db.insertInto("axis_outbox").values(outbox));
  if (pkg.evidence) {
    const evidence = pkg.evidence;
    q = q.with("e", (db: Db) => db.insertInto("axis_evidence_queue").values(evidence));
  }
  // Two upserts on different tables may share a statement (the same row twice may not).
  q = q.with("m", (db: Db) => bumpMonthly(db));
  await bumpDaily(q as Db).execute();
}

export const STATS_SHARDS = 16;

function shardOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % STATS_SHARDS;
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
