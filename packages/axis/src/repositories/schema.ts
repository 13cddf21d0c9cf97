/**
 * Axis tables, on SQLite and PostgreSQL. Timestamps are epoch milliseconds (bigint), days are
 * Vietnam calendar days `YYYY-MM-DD` (the unit of the published statistics), booleans 0/1.
 * Rollup tables are updated in the same transaction as the rows they count, so statistics
 * are one indexed query on tens of millions of packages.
 */
import { addAutoIdColumn, columnTypes, type Migration } from "@truc/store";
import { type CreateTableBuilder, type Generated, type Kysely, sql } from "kysely";
import { BUCKET_COLUMNS, backfillStatusRollups } from "./status-rollup.ts";
import { backfillTrafficMonthly } from "./traffic-rollup.ts";

export interface AxisDatabase {
  axis_meta: { key: string; value: string };
  axis_nodes: {
    node_id: string;
    relation: "self" | "parent" | "child";
    organ_id: string | null;
    url: string | null;
    fingerprint: string | null;
    /** Highest directory version pulled from this peer. */
    directory_cursor: number;
    updated_at: number;
  };
  axis_agencies: {
    code: string;
    code102: string | null;
    name: string;
    parent_code: string | null;
    level: number;
    serving_node: string;
    /** Neighbour node through which the agency is reached; null when served by this node. */
    via_node: string | null;
    email: string | null;
    phone: string | null;
    fax: string | null;
    state: "active" | "suspended";
    edxml_version: string;
    max_bytes: number | null;
    signature_policy: string | null;
    version: number;
    deleted: number;
    modified_at: number;
  };
  axis_systems: {
    system_id: string;
    secret_enc: string | null;
    cert_fingerprint: string | null;
    agency_codes: string;
    created_at: number;
    /**
     * "strict" (default): every SDKVXP call inside the freshness window and through the replay
     * cache. "legacy-sdk": the unmodified VPCP SDK, which reuses one timestamp per service
     * object; see README "SDKVXP timestamp reuse".
     */
    sdk_compatibility: Generated<"strict" | "legacy-sdk">;
    /** Zone of the system's SDK timestamps, minutes east of UTC; null: the node's default. */
    timestamp_utc_offset_minutes: number | null;
  };
  axis_packages: {
    id: string;
    kind: "edoc" | "status";
    sender: string;
    document_id: string;
    business_type: string;
    status_code: string | null;
    response_for: string | null;
    subject: string | null;
    notation: string | null;
    recipients: string;
    raw_sha256: string;
    raw_size: number;
    fwd_sha256: string;
    fwd_size: number;
    signature: SignatureVerdictName;
    identity_key: string | null;
    from_node: string | null;
    caller: string | null;
    received_at: number;
    /** Where the received bytes are: see `RAW_PLACE`. */
    raw_inline: number;
    /** `RAW_PLACE.bodyLog`: the body log segment and offset of the bytes (`raw_size` long). */
    raw_log_segment: number | null;
    raw_log_offset: number | null;
    /** Splices over the received bytes giving the forwarded bytes (see domain/splice.ts); null: `fwd_sha256` is a blob. */
    fwd_splices: string | null;
    /** JSON: attachments (contentId, name, contentType, sha256, size, extracted). */
    attachments: string | null;
    /** JSON: plain-word diagnostics kept for the admin UI (trust, clock skew, …). */
    diagnostic: string | null;
  };
  /** Received bytes of packages up to `storage.inlineMaxBytes`, by SHA-256 (`storage.bodies` = "database"). */
  axis_bodies: { sha256: string; body: Buffer };
  /** Refused and duplicate submissions, with the reason in plain words (no package bytes). */
  axis_intake_log: {
    seq: Generated<number>;
    at: number;
    source: string;
    caller: string | null;
    sender: string | null;
    document_id: string | null;
    outcome: "refused" | "duplicate";
    code: string;
    message_vi: string;
    message_en: string;
    diagnostic: string | null;
    raw_sha256: string | null;
    size: number | null;
    package_id: string | null;
    /** Identical refusals within one minute share a row (see services/record-refusal.ts). */
    count: Generated<number>;
  };
  axis_routes: { package_id: string; recipient: string; hop: string };
  axis_deliveries: {
    package_id: string;
    recipient: string;
    kind: "edoc" | "status";
    state: "pending" | "done" | "failed";
    lease_until: number;
    attempts: number;
    created_at: number;
    delivered_at: number | null;
    acked_at: number | null;
    ack_note: string | null;
  };
  axis_outbox: {
    package_id: string;
    node_id: string;
    state: "pending" | "sent";
    attempts: number;
    next_attempt_at: number;
    lease_until: number;
    last_error: string | null;
    created_at: number;
    sent_at: number | null;
  };
  axis_status_timeline: {
    document_id: string;
    recipient: string;
    status_code: string;
    document_issuer: string;
    package_id: string;
    status_time: string | null;
    received_at: number;
    /** Milliseconds from the document's arrival for this recipient, when known here. */
    elapsed_ms: number | null;
    day: string;
  };
  axis_evidence: {
    seq: number;
    at: string;
    kind: string;
    node_id: string;
    package_id: string | null;
    actor: string | null;
    details: string;
    prev_hash: string;
    hash: string;
  };
  /** Evidence records committed with their event, waiting to be linked into the chain. */
  axis_evidence_queue: {
    id: Generated<number>;
    at: string;
    kind: string;
    node_id: string;
    package_id: string | null;
    actor: string | null;
    details: string;
  };
  /** Parent side: the latest evidence seal each child node published here (its external anchor). */
  axis_child_evidence_seals: {
    node_id: string;
    seq: number;
    hash: string;
    /** The anchor as published (canonical JSON, `domain/evidence-anchor.ts`). */
    anchor: string;
    received_at: number;
  };
  axis_stats_daily: {
    day: string;
    agency: string;
    direction: "sent" | "received";
    kind: "edoc" | "status";
    /**
     * Counter shard (0–15): concurrent packages of one agency update different rows, so
     * their transactions do not wait on one row lock. Queries sum over shards.
     */
    shard: number;
    count: number;
    signed_valid: number;
  };
  /** The same counters per calendar month `YYYY-MM` (see traffic-rollup.ts). */
  axis_stats_monthly: {
    month: string;
    agency: string;
    direction: "sent" | "received";
    kind: "edoc" | "status";
    shard: number;
    count: number;
    signed_valid: number;
  };
  /** Status compliance per day and per month (see status-rollup.ts, domain/elapsed-histogram.ts). */
  axis_status_daily: { day: string } & StatusRollupColumns;
  axis_status_monthly: { month: string } & StatusRollupColumns;
}

export type StatusRollupColumns = {
  /** The agency that returned the statuses (the recipient of the document). */
  recipient: string;
  status_code: string;
  /** Statuses recorded, timed or not. */
  count: number;
  /** Smallest and largest elapsed time among the timed ones, ms; null when none was timed. */
  min_ms: number | null;
  max_ms: number | null;
} & {
  /** Timed statuses per elapsed-time bucket, h00 … h73. */
  [bucket: `h${string}`]: number;
};

export type SignatureVerdictName = "valid" | "invalid" | "indeterminate" | "absent" | "unchecked";

export const AXIS_MIGRATIONS: readonly Migration[] = [
  {
    id: "axis-0001-core",
    async up(db, dialect) {
      const big = dialect === "postgres" ? "bigint" : "integer";
      await db.schema
        .createTable("axis_meta")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.insertInto("axis_meta").values({ key: "directory_version", value: "0" }).execute();
      await db.schema
        .createTable("axis_nodes")
        .addColumn("node_id", "text", (c) => c.primaryKey())
        .addColumn("relation", "text", (c) => c.notNull())
        .addColumn("organ_id", "text")
        .addColumn("url", "text")
        .addColumn("fingerprint", "text")
        .addColumn("directory_cursor", big, (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("axis_agencies")
        .addColumn("code", "text", (c) => c.primaryKey())
        .addColumn("code102", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("parent_code", "text")
        .addColumn("level", "integer", (c) => c.notNull())
        .addColumn("serving_node", "text", (c) => c.notNull())
        .addColumn("via_node", "text")
        .addColumn("email", "text")
        .addColumn("phone", "text")
        .addColumn("fax", "text")
        .addColumn("state", "text", (c) => c.notNull().defaultTo("active"))
        .addColumn("edxml_version", "text", (c) => c.notNull().defaultTo("QCVN102:2016"))
        .addColumn("max_bytes", big)
        .addColumn("signature_policy", "text")
        .addColumn("version", big, (c) => c.notNull())
        .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("modified_at", big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("axis_agencies_code102").on("axis_agencies").column("code102").execute();
      await db.schema.createIndex("axis_agencies_version").on("axis_agencies").column("version").execute();
      await db.schema.createIndex("axis_agencies_parent").on("axis_agencies").column("parent_code").execute();
      await db.schema
        .createTable("axis_systems")
        .addColumn("system_id", "text", (c) => c.primaryKey())
        .addColumn("secret_enc", "text")
        .addColumn("cert_fingerprint", "text", (c) => c.unique())
        .addColumn("agency_codes", "text", (c) => c.notNull())
        .addColumn("created_at", big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("axis_packages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("sender", "text", (c) => c.notNull())
        .addColumn("document_id", "text", (c) => c.notNull())
        .addColumn("business_type", "text", (c) => c.notNull())
        .addColumn("status_code", "text")
        .addColumn("response_for", "text")
        .addColumn("subject", "text")
        .addColumn("notation", "text")
        .addColumn("recipients", "text", (c) => c.notNull())
        .addColumn("raw_sha256", "text", (c) => c.notNull())
        .addColumn("raw_size", big, (c) => c.notNull())
        .addColumn("fwd_sha256", "text", (c) => c.notNull())
        .addColumn("fwd_size", big, (c) => c.notNull())
        .addColumn("signature", "text", (c) => c.notNull())
        .addColumn("identity_key", "text", (c) => c.unique())
        .addColumn("from_node", "text")
        .addColumn("caller", "text")
        .addColumn("received_at", big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("axis_packages_sender_doc")
        .on("axis_packages")
        .columns(["sender", "document_id"])
        .execute();
      await db.schema
        .createIndex("axis_packages_sender_time")
        .on("axis_packages")
        .columns(["sender", "kind", "received_at"])
        .execute();
      await db.schema
        .createTable("axis_routes")
        .addColumn("package_id", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("hop", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("axis_routes_pk", ["package_id", "recipient"])
        .execute();
      await db.schema
        .createTable("axis_deliveries")
        .addColumn("package_id", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("lease_until", big, (c) => c.notNull().defaultTo(0))
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("delivered_at", big)
        .addColumn("acked_at", big)
        .addColumn("ack_note", "text")
        .addPrimaryKeyConstraint("axis_deliveries_pk", ["package_id", "recipient"])
        .execute();
      // Mailbox listing and backlog only ever look at pending rows: a partial index keeps it
      // small however many delivered rows accumulate.
      await db.schema
        .createIndex("axis_deliveries_pending")
        .on("axis_deliveries")
        .columns(["recipient", "kind", "created_at"])
        .where(sql.ref("state"), "=", "pending")
        .execute();
      await db.schema
        .createTable("axis_outbox")
        .addColumn("package_id", "text", (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", big, (c) => c.notNull())
        .addColumn("lease_until", big, (c) => c.notNull().defaultTo(0))
        .addColumn("last_error", "text")
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("sent_at", big)
        .addPrimaryKeyConstraint("axis_outbox_pk", ["package_id", "node_id"])
        .execute();
      await db.schema
        .createIndex("axis_outbox_due")
        .on("axis_outbox")
        .columns(["created_at", "next_attempt_at"])
        .where(sql.ref("state"), "=", "pending")
        .execute();
      await db.schema
        .createTable("axis_status_timeline")
        .addColumn("document_id", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("status_code", "text", (c) => c.notNull())
        .addColumn("document_issuer", "text", (c) => c.notNull())
        .addColumn("package_id", "text", (c) => c.notNull())
        .addColumn("status_time", "text")
        .addColumn("received_at", big, (c) => c.notNull())
        .addColumn("elapsed_ms", big)
        .addColumn("day", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("axis_status_timeline_pk", ["document_id", "recipient", "status_code"])
        .execute();
      await db.schema
        .createIndex("axis_status_recipient")
        .on("axis_status_timeline")
        .columns(["recipient", "status_code", "day"])
        .execute();
      await db.schema
        .createTable("axis_evidence")
        .addColumn("seq", big, (c) => c.primaryKey())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("package_id", "text")
        .addColumn("actor", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("axis_evidence_package").on("axis_evidence").column("package_id").execute();
      await db.schema
        .createTable("axis_stats_daily")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("agency", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("count", big, (c) => c.notNull())
        .addColumn("signed_valid", big, (c) => c.notNull())
        .addPrimaryKeyConstraint("axis_stats_daily_pk", ["day", "agency", "direction", "kind"])
        .execute();
      await db.schema
        .createIndex("axis_stats_daily_agency")
        .on("axis_stats_daily")
        .columns(["agency", "day"])
        .execute();
    },
  },
  {
    id: "axis-0002-bodies-splices-intake",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("axis_bodies")
        .addColumn("sha256", "text", (c) => c.primaryKey())
        .addColumn("body", t.binary, (c) => c.notNull())
        .execute();
      await db.schema
        .alterTable("axis_packages")
        .addColumn("raw_inline", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("axis_packages").addColumn("fwd_splices", "text").execute();
      await db.schema.alterTable("axis_packages").addColumn("attachments", "text").execute();
      await db.schema.alterTable("axis_packages").addColumn("diagnostic", "text").execute();
      await addAutoIdColumn(db.schema.createTable("axis_intake_log"), "seq", dialect)
        .addColumn("at", t.epochMs, (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("caller", "text")
        .addColumn("sender", "text")
        .addColumn("document_id", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("message_vi", "text", (c) => c.notNull())
        .addColumn("message_en", "text", (c) => c.notNull())
        .addColumn("diagnostic", "text")
        .addColumn("raw_sha256", "text")
        .addColumn("size", t.bigint)
        .addColumn("package_id", "text")
        .execute();
      await db.schema.createIndex("axis_intake_log_at").on("axis_intake_log").column("at").execute();
    },
  },
  {
    id: "axis-0003-evidence-queue",
    async up(db, dialect) {
      await addAutoIdColumn(db.schema.createTable("axis_evidence_queue"), "id", dialect)
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("package_id", "text")
        .addColumn("actor", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .execute();
    },
  },
  {
    id: "axis-0004-stats-shards",
    async up(db, dialect) {
      const big = dialect === "postgres" ? "bigint" : "integer";
      await db.schema
        .createTable("axis_stats_daily_sharded")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("agency", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("shard", "integer", (c) => c.notNull())
        .addColumn("count", big, (c) => c.notNull())
        .addColumn("signed_valid", big, (c) => c.notNull())
        .addPrimaryKeyConstraint("axis_stats_daily_shard_pk", ["day", "agency", "direction", "kind", "shard"])
        .execute();
      await sql`insert into axis_stats_daily_sharded (day, agency, direction, kind, shard, count, signed_valid)
        select day, agency, direction, kind, 0, count, signed_valid from axis_stats_daily`.execute(db);
      await db.schema.dropTable("axis_stats_daily").execute();
      await db.schema.alterTable("axis_stats_daily_sharded").renameTo("axis_stats_daily").execute();
      await db.schema
        .createIndex("axis_stats_daily_agency_day")
        .on("axis_stats_daily")
        .columns(["agency", "day"])
        .execute();
    },
  },
  {
    id: "axis-0005-system-compat-refusal-count",
    async up(db) {
      await db.schema
        .alterTable("axis_systems")
        .addColumn("sdk_compatibility", "text", (c) => c.notNull().defaultTo("strict"))
        .execute();
      await db.schema
        .alterTable("axis_systems")
        .addColumn("timestamp_utc_offset_minutes", "integer")
        .execute();
      await db.schema
        .alterTable("axis_intake_log")
        .addColumn("count", "integer", (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  {
    id: "axis-0006-child-evidence-seals",
    async up(db, dialect) {
      const big = dialect === "postgres" ? "bigint" : "integer";
      await db.schema
        .createTable("axis_child_evidence_seals")
        .addColumn("node_id", "text", (c) => c.primaryKey())
        .addColumn("seq", big, (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("anchor", "text", (c) => c.notNull())
        .addColumn("received_at", big, (c) => c.notNull())
        .execute();
    },
  },
  {
    id: "axis-0007-status-rollups",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      for (const [table, key] of [
        ["axis_status_daily", "day"],
        ["axis_status_monthly", "month"],
      ] as const) {
        let create: CreateTableBuilder<typeof table, string> = db.schema
          .createTable(table)
          .addColumn(key, "text", (c) => c.notNull())
          .addColumn("recipient", "text", (c) => c.notNull())
          .addColumn("status_code", "text", (c) => c.notNull())
          .addColumn("count", "integer", (c) => c.notNull())
          .addColumn("min_ms", t.bigint)
          .addColumn("max_ms", t.bigint);
        for (const column of BUCKET_COLUMNS)
          create = create.addColumn(column, "integer", (c) => c.notNull().defaultTo(0));
        await create.addPrimaryKeyConstraint(`${table}_pk`, [key, "recipient", "status_code"]).execute();
        await db.schema.createIndex(`${table}_recipient`).on(table).columns(["recipient", key]).execute();
      }
      // An upgraded node shows the figures it showed before: every existing timeline row.
      await backfillStatusRollups(db as unknown as Kysely<AxisDatabase>, dialect);
    },
  },
  {
    id: "axis-0008-traffic-monthly",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("axis_stats_monthly")
        .addColumn("month", "text", (c) => c.notNull())
        .addColumn("agency", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("shard", "integer", (c) => c.notNull())
        .addColumn("count", t.bigint, (c) => c.notNull())
        .addColumn("signed_valid", t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint("axis_stats_monthly_pk", ["month", "agency", "direction", "kind", "shard"])
        .execute();
      // An upgraded node shows the figures it showed before: every existing daily row.
      await backfillTrafficMonthly(db as unknown as Kysely<AxisDatabase>);
    },
  },
  {
    id: "axis-0009-bodies-uncompressed",
    async up(db, dialect) {
      // Package bodies are mostly base64 of already-compressed files (PDF, DOCX): PostgreSQL's
      // pglz runs over the whole value before finding it saves too little, ~2 ms of server CPU
      // per 100 KB package for nothing. EXTERNAL stores them out of line without trying.
      // (SQLite never compresses.) Rows written before keep their form; both read alike.
      if (dialect === "postgres")
        await sql`ALTER TABLE axis_bodies ALTER COLUMN body SET STORAGE EXTERNAL`.execute(db);
    },
  },
  {
    id: "axis-0010-body-log",
    async up(db) {
      // Offsets fit an integer: a segment stays below 2 GiB (see @truc/store append-log).
      await db.schema.alterTable("axis_packages").addColumn("raw_log_segment", "integer").execute();
      await db.schema.alterTable("axis_packages").addColumn("raw_log_offset", "integer").execute();
    },
  },
  {
    id: "axis-0011-body-retention",
    async up(db) {
      // The retention job's question: which kept packages are older than the horizon (also how
      // it asks whether an old body-log segment is still used). Purged rows leave the index.
      await db.schema
        .createIndex("axis_packages_kept_by_age")
        .on("axis_packages")
        .column("received_at")
        .where(sql.ref("raw_inline"), "<>", RAW_PLACE.purged)
        .execute();
    },
  },
];

/** Values of `axis_packages.raw_inline`: where a package's received bytes are kept. */
export const RAW_PLACE = {
  /** The content-addressed blob store (large packages, streamed). */
  blobStore: 0,
  /** `axis_bodies`, written in the same commit as the package row. */
  database: 1,
  /** The node's append log (flushed before the commit), at `raw_log_segment`/`raw_log_offset`. */
  bodyLog: 2,
  /** Nowhere: dropped after `storage.bodyRetentionDays` (services/purge-bodies.ts). */
  purged: 3,
} as const;
