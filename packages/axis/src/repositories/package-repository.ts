/**
 * Package SQL: the package row, its per-recipient routes, mailbox deliveries, the outbox per
 * next-hop node, the business status timeline and the traffic rollups (traffic-rollup.ts).
 * Everything a package needs is written by `insertPackages`.
 */
import type { AppendLog, Dialect } from "@truc/store";
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
  /**
   * The received bytes, when kept in `axis_bodies`, or bound for the node's body log (`log`):
   * the package writer appends those first and puts their place in the row.
   */
  body?: { sha256: string; bytes: Buffer; log?: AppendLog };
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

/** The packages already stored under any of `identityKeys`, by key. */
export async function findPackagesByIdentity(
  db: Db,
  identityKeys: readonly string[],
): Promise<Map<string, PackageRow>> {
  if (identityKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom("axis_packages")
    .selectAll()
    .where("identity_key", "in", [...new Set(identityKeys)])
    .execute();
  return new Map(rows.map((r) => [r.identity_key!, r]));
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
 * Writes everything accepted packages need: their received bytes when kept inline, the
 * package rows, routes, mailbox deliveries, outbox rows, the daily and monthly traffic rollups
 * and the queued evidence records. Several packages are written as one: the rollup rows they
 * share are bumped once by their sum. On PostgreSQL this is ONE statement (data-modifying
 * CTEs): atomic on its own, and one round trip instead of nine. On SQLite (in-process, no round
 * trips) it is the same rows written one statement at a time: call it inside a transaction.
 */
export async function insertPackages(trx: Db, dialect: Dialect, pkgs: readonly NewPackage[]): Promise<void> {
  const packages = pkgs.map((p) => p.row);
  const routes = pkgs.flatMap(({ row, routes }) =>
    [...routes].map(([recipient, hop]) => ({ package_id: row.id, recipient, hop })),
  );
  const deliveries = pkgs.flatMap(({ row, routes }) =>
    [...routes]
      .filter(([, hop]) => hop === "local")
      .map(([recipient]) => ({
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
  );
  const outbox = pkgs.flatMap(({ row, routes }) =>
    [...new Set([...routes.values()].filter((hop) => hop !== "local"))].map((node_id) => ({
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
  );
  if (pkgs.some((p) => p.body?.log))
    throw new Error("insertPackages: append log bodies first (package-writer)");
  const bodies = [
    ...new Map(pkgs.flatMap((p) => (p.body ? [[p.body.sha256, p.body] as const] : []))).values(),
  ].map((b) => ({ sha256: b.sha256, body: b.bytes }));
  const evidence = pkgs.flatMap((p) => (p.evidence ? [p.evidence] : []));
  const { daily, monthly } = trafficCounters(pkgs);
  const bumpDaily = (db: Db) =>
    db
      .insertInto("axis_stats_daily")
      .values(daily)
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
  const insertBodies = (db: Db) =>
    db
      .insertInto("axis_bodies")
      .values(bodies)
      .onConflict((oc) => oc.column("sha256").doNothing());

  if (dialect === "sqlite") {
    if (bodies.length > 0) await insertBodies(trx).execute();
    await trx.insertInto("axis_packages").values(packages).execute();
    if (routes.length > 0) await trx.insertInto("axis_routes").values(routes).execute();
    if (deliveries.length > 0) await trx.insertInto("axis_deliveries").values(deliveries).execute();
    if (outbox.length > 0) await trx.insertInto("axis_outbox").values(outbox).execute();
    await bumpDaily(trx).execute();
    await bumpMonthly(trx).execute();
    if (evidence.length > 0) await trx.insertInto("axis_evidence_queue").values(evidence).execute();
    return;
  }
  // Kysely types each CTE by name; the names are only labels here, so the chain is built untyped.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  let q: any = trx.with("p", (db) => db.insertInto("axis_packages").values(packages));
  if (bodies.length > 0) q = q.with("b", insertBodies);
  if (routes.length > 0) q = q.with("r", (db: Db) => db.insertInto("axis_routes").values(routes));
  if (deliveries.length > 0) q = q.with("d", (db: Db) => db.insertInto("axis_deliveries").values(deliveries));
  if (outbox.length > 0) q = q.with("o", (db: Db) => db.insertInto("axis_outbox").values(outbox));
  if (evidence.length > 0) q = q.with("e", (db: Db) => db.insertInto("axis_evidence_queue").values(evidence));
  // Two upserts on different tables may share a statement (the same row twice may not).
  q = q.with("m", (db: Db) => bumpMonthly(db));
  await bumpDaily(q as Db).execute();
}

/**
 * The traffic rollup rows of a set of packages, one per key with the summed counters (an
 * upsert may not touch the same row twice), sorted by key: every writer takes the rows in the
 * same order, so concurrent writers never deadlock.
 */
function trafficCounters(pkgs: readonly NewPackage[]) {
  const daily = new Map<string, AxisDatabase["axis_stats_daily"]>();
  const bump = (day: string, agency: string, direction: "sent" | "received", row: PackageRow) => {
    const key = [day, agency, direction, row.kind, shardOf(row.id)].join("\u0000");
    const counters = daily.get(key) ?? {
      day,
      agency,
      direction,
      kind: row.kind,
      shard: shardOf(row.id),
      count: 0,
      signed_valid: 0,
    };
    counters.count += 1;
    counters.signed_valid += row.signature === "valid" ? 1 : 0;
    daily.set(key, counters);
  };
  for (const { row, routes, day } of pkgs) {
    bump(day, row.sender, "sent", row);
    for (const recipient of routes.keys()) bump(day, recipient, "received", row);
  }
  const sortedDaily = [...daily].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  const monthly = new Map<string, AxisDatabase["axis_stats_monthly"]>();
  for (const { day, ...counters } of sortedDaily) {
    const month = day.slice(0, 7);
    const key = [month, counters.agency, counters.direction, counters.kind, counters.shard].join("\u0000");
    const m = monthly.get(key);
    if (m) {
      m.count += counters.count;
      m.signed_valid += counters.signed_valid;
    } else monthly.set(key, { month, ...counters });
  }
  const sortedMonthly = [...monthly].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { daily: sortedDaily, monthly: sortedMonthly };
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
