/**
 * SQL of the operator console: its own small tables (operators, sessions, certificates
 * seen on the wire) and read-only views over the node's tables
 * (directory search, queues, failures, federation health, monthly traffic). The node's own
 * rows are never written here; directory and system changes go through the services.
 */
import type { Migration } from "@truc/store";
import { type Kysely, sql } from "kysely";
import type { AxisDatabase } from "./schema.ts";
import { trafficRows } from "./traffic-rollup.ts";

export interface AdminTables {
  axis_admin_operators: {
    username: string;
    display_name: string;
    /** `scrypt$N$r$p$salt$hash` (base64url). */
    password_hash: string;
    disabled: number;
    created_at: number;
    last_login_at: number | null;
  };
  axis_admin_sessions: {
    /** SHA-256 of the session token: a database reader cannot replay sessions. */
    id_hash: string;
    username: string;
    csrf: string;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
  };
  /** Client certificates presented to this node (systems and neighbours), for expiry warnings. */
  axis_admin_peer_certs: {
    fingerprint: string;
    subject: string;
    issuer: string;
    valid_from: number;
    valid_to: number;
    last_seen_at: number;
  };
}

export type AdminDb = Kysely<AxisDatabase & AdminTables>;
export type OperatorRow = AdminTables["axis_admin_operators"];
export type SessionRow = AdminTables["axis_admin_sessions"];
export type PeerCertRow = AdminTables["axis_admin_peer_certs"];

export const ADMIN_MIGRATIONS: readonly Migration[] = [
  {
    id: "axis-0101-admin-console",
    async up(db, dialect) {
      const big = dialect === "postgres" ? "bigint" : "integer";
      await db.schema
        .createTable("axis_admin_operators")
        .addColumn("username", "text", (c) => c.primaryKey())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("last_login_at", big)
        .execute();
      await db.schema
        .createTable("axis_admin_sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("csrf", "text", (c) => c.notNull())
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("last_seen_at", big, (c) => c.notNull())
        .addColumn("expires_at", big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("axis_admin_peer_certs")
        .addColumn("fingerprint", "text", (c) => c.primaryKey())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("issuer", "text", (c) => c.notNull())
        .addColumn("valid_from", big, (c) => c.notNull())
        .addColumn("valid_to", big, (c) => c.notNull())
        .addColumn("last_seen_at", big, (c) => c.notNull())
        .execute();
    },
  },
];

// ---------------------------------------------------------------- operators and sessions

export async function countOperators(db: AdminDb): Promise<number> {
  const row = await db
    .selectFrom("axis_admin_operators")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function upsertOperator(db: AdminDb, row: OperatorRow): Promise<void> {
  await db
    .insertInto("axis_admin_operators")
    .values(row)
    .onConflict((oc) =>
      oc.column("username").doUpdateSet({
        display_name: row.display_name,
        password_hash: row.password_hash,
        disabled: row.disabled,
      }),
    )
    .execute();
}

export async function findOperator(db: AdminDb, username: string): Promise<OperatorRow | undefined> {
  return db
    .selectFrom("axis_admin_operators")
    .selectAll()
    .where("username", "=", username)
    .executeTakeFirst();
}

export async function markLogin(db: AdminDb, username: string, at: number): Promise<void> {
  await db
    .updateTable("axis_admin_operators")
    .set({ last_login_at: at })
    .where("username", "=", username)
    .execute();
}

export async function insertSession(db: AdminDb, row: SessionRow): Promise<void> {
  await db.insertInto("axis_admin_sessions").values(row).execute();
}

export async function findSession(db: AdminDb, idHash: string): Promise<SessionRow | undefined> {
  return db.selectFrom("axis_admin_sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst();
}

export async function touchSession(db: AdminDb, idHash: string, at: number): Promise<void> {
  await db
    .updateTable("axis_admin_sessions")
    .set({ last_seen_at: at })
    .where("id_hash", "=", idHash)
    .execute();
}

export async function deleteSession(db: AdminDb, idHash: string): Promise<void> {
  await db.deleteFrom("axis_admin_sessions").where("id_hash", "=", idHash).execute();
}

export async function deleteStaleSessions(db: AdminDb, now: number, idleBefore: number): Promise<void> {
  await db
    .deleteFrom("axis_admin_sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", idleBefore)]))
    .execute();
}

// ---------------------------------------------------------------- refused submissions (read-only)

/** Refusals recorded by the package pipeline in `axis_intake_log` since `since`. */
export async function countRefusedSince(db: AdminDb, since: number): Promise<number> {
  const row = await db
    .selectFrom("axis_intake_log")
    // Identical refusals within a minute share a row (`count`).
    .select((eb) => eb.fn.sum<number>("count").as("n"))
    .where("at", ">=", since)
    .where("outcome", "=", "refused")
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

// ---------------------------------------------------------------- certificates seen

export async function upsertPeerCert(db: AdminDb, row: PeerCertRow): Promise<void> {
  await db
    .insertInto("axis_admin_peer_certs")
    .values(row)
    .onConflict((oc) => oc.column("fingerprint").doUpdateSet({ last_seen_at: row.last_seen_at }))
    .execute();
}

export async function listPeerCerts(db: AdminDb): Promise<PeerCertRow[]> {
  const rows = await db.selectFrom("axis_admin_peer_certs").selectAll().orderBy("valid_to").execute();
  return rows.map((r) => ({
    ...r,
    valid_from: Number(r.valid_from),
    valid_to: Number(r.valid_to),
    last_seen_at: Number(r.last_seen_at),
  }));
}

// ---------------------------------------------------------------- directory (read-only)

export interface AgencyFilter {
  level?: number;
  parent?: string;
  node?: string;
  state?: "active" | "suspended";
}

/**
 * Live agencies matching the structured filters, in code order. Free-text matching (name
 * without diacritics, either identifier form) is done by the caller over these rows: SQLite's
 * lower() folds ASCII only, and a directory is tens of thousands of rows at most.
 */
export async function filterAgencies(db: AdminDb, f: AgencyFilter) {
  let query = db.selectFrom("axis_agencies").selectAll().where("deleted", "=", 0);
  if (f.level !== undefined) query = query.where("level", "=", f.level);
  if (f.parent) query = query.where("parent_code", "=", f.parent);
  if (f.node) query = query.where("serving_node", "=", f.node);
  if (f.state) query = query.where("state", "=", f.state);
  return query.orderBy("code").execute();
}

/** Every live agency's code, name, parent and level, for grouping statistics by province. */
export async function directorySkeleton(db: AdminDb) {
  return db
    .selectFrom("axis_agencies")
    .select(["code", "code102", "name", "parent_code", "level", "serving_node", "state"])
    .where("deleted", "=", 0)
    .execute();
}

export async function listSystems(db: AdminDb) {
  return db
    .selectFrom("axis_systems")
    .select([
      "system_id",
      "cert_fingerprint",
      "agency_codes",
      "created_at",
      "secret_enc",
      "sdk_compatibility",
      "timestamp_utc_offset_minutes",
    ])
    .orderBy("system_id")
    .execute();
}

// ---------------------------------------------------------------- queues and failures (read-only)

export async function outboxByNeighbour(db: AdminDb) {
  const rows = await db
    .selectFrom("axis_outbox")
    .select([
      "node_id",
      (eb) => eb.fn.countAll<number>().as("pending"),
      (eb) => eb.fn.max<number>("attempts").as("maxAttempts"),
      (eb) => eb.fn.min<number>("next_attempt_at").as("nextAttemptAt"),
      (eb) => eb.fn.min<number>("created_at").as("oldest"),
      (eb) => eb.fn.count<number>("last_error").as("failing"),
    ])
    .where("state", "=", "pending")
    .groupBy("node_id")
    .orderBy("node_id")
    .execute();
  return rows.map((r) => ({
    nodeId: r.node_id,
    pending: Number(r.pending),
    maxAttempts: Number(r.maxAttempts ?? 0),
    nextAttemptAt: r.nextAttemptAt == null ? null : Number(r.nextAttemptAt),
    oldest: r.oldest == null ? null : Number(r.oldest),
    failing: Number(r.failing),
  }));
}

/** Pending outbox rows whose last attempt failed, most attempted first. */
export async function failingOutbox(db: AdminDb, limit: number) {
  const rows = await db
    .selectFrom("axis_outbox as o")
    .innerJoin("axis_packages as p", "p.id", "o.package_id")
    .select([
      "o.package_id as packageId",
      "o.node_id as nodeId",
      "o.attempts as attempts",
      "o.next_attempt_at as nextAttemptAt",
      "o.last_error as lastError",
      "o.created_at as createdAt",
      "p.kind as kind",
      "p.sender as sender",
      "p.document_id as documentId",
    ])
    .where("o.state", "=", "pending")
    .where("o.last_error", "is not", null)
    .orderBy("o.attempts", "desc")
    .orderBy("o.created_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.nextAttemptAt),
    createdAt: Number(r.createdAt),
  }));
}

/** Mailbox rows a recipient's system acknowledged as failed (it could not take the package in). */
export async function failedDeliveries(db: AdminDb, limit: number) {
  const rows = await db
    .selectFrom("axis_deliveries as d")
    .innerJoin("axis_packages as p", "p.id", "d.package_id")
    .select([
      "d.package_id as packageId",
      "d.recipient as recipient",
      "d.kind as kind",
      "d.acked_at as ackedAt",
      "d.ack_note as note",
      "p.sender as sender",
      "p.document_id as documentId",
    ])
    .where("d.state", "=", "failed")
    .orderBy("d.acked_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, ackedAt: r.ackedAt == null ? null : Number(r.ackedAt) }));
}

/** Pending mailbox rows older than `before`, per recipient: documents nobody has taken in. */
export async function overdueMailbox(db: AdminDb, before: number) {
  const rows = await db
    .selectFrom("axis_deliveries")
    .select([
      "recipient",
      (eb) => eb.fn.countAll<number>().as("n"),
      (eb) => eb.fn.min<number>("created_at").as("oldest"),
    ])
    .where("state", "=", "pending")
    .where("created_at", "<", before)
    .groupBy("recipient")
    .execute();
  return rows.map((r) => ({ recipient: r.recipient, overdue: Number(r.n), oldest: Number(r.oldest) }));
}

// ---------------------------------------------------------------- federation health (read-only)

export async function neighbourActivity(db: AdminDb) {
  const [sent, received] = await Promise.all([
    db
      .selectFrom("axis_outbox")
      .select(["node_id", (eb) => eb.fn.max<number>("sent_at").as("at")])
      .where("state", "=", "sent")
      .groupBy("node_id")
      .execute(),
    db
      .selectFrom("axis_packages")
      .select(["from_node", (eb) => eb.fn.max<number>("received_at").as("at")])
      .where("from_node", "is not", null)
      .groupBy("from_node")
      .execute(),
  ]);
  return {
    lastSent: new Map(sent.map((r) => [r.node_id, Number(r.at)])),
    lastReceived: new Map(received.map((r) => [r.from_node as string, Number(r.at)])),
  };
}

/** The most recent error per neighbour among its pending outbox rows. */
export async function lastErrorPerNeighbour(db: AdminDb): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("axis_outbox")
    .select(["node_id", "last_error", "next_attempt_at"])
    .where("state", "=", "pending")
    .where("last_error", "is not", null)
    .orderBy("next_attempt_at", "desc")
    .limit(500)
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.node_id)) out.set(r.node_id, r.last_error as string);
  return out;
}

// ---------------------------------------------------------------- statistics (read-only)

export interface MonthRow {
  month: string;
  agency: string;
  sent: number;
  received: number;
  sentSignedValid: number;
  receivedSignedValid: number;
}

/**
 * Documents per month and agency from the traffic rollups (monthly rows for the whole months,
 * daily rows for the edge days; one row per month × agency).
 */
export async function trafficByMonthAndAgency(
  db: AdminDb,
  q: { fromDay: string; toDay: string; kind: "edoc" | "status" },
): Promise<MonthRow[]> {
  const result = await sql<{
    month: string;
    agency: string;
    sent: number | string;
    received: number | string;
    sent_signed_valid: number | string;
    received_signed_valid: number | string;
  }>`
    select month, agency,
      sum(case when direction = 'sent' then count else 0 end) as sent,
      sum(case when direction = 'received' then count else 0 end) as received,
      sum(case when direction = 'sent' then signed_valid else 0 end) as sent_signed_valid,
      sum(case when direction = 'received' then signed_valid else 0 end) as received_signed_valid
    from (${trafficRows(q)}) r
    group by month, agency
    order by month, agency`.execute(db);
  return result.rows.map((r) => ({
    month: r.month,
    agency: r.agency,
    sent: Number(r.sent),
    received: Number(r.received),
    sentSignedValid: Number(r.sent_signed_valid),
    receivedSignedValid: Number(r.received_signed_valid),
  }));
}

export async function evidenceCount(db: AdminDb): Promise<number> {
  const row = await db
    .selectFrom("axis_evidence")
    .select((eb) => eb.fn.max<number>("seq").as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
