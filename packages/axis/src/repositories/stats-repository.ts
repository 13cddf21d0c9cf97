/**
 * Statistics, one query each. Traffic and signature shares read the per-day rollups (rows
 * per day × agency × direction × kind, not per package); status compliance reads the status
 * timeline through its (recipient, status_code, day) index; backlog reads only pending
 * mailbox rows through a partial index.
 */
import { sql } from "kysely";
import type { Db } from "./directory-repository.ts";

export interface Period {
  fromDay: string;
  toDay: string;
}

export type TrafficGrouping = "agency" | "level" | "parent";

export interface TrafficRow {
  key: string;
  sent: number;
  received: number;
  sentSignedValid: number;
  receivedSignedValid: number;
}

export async function trafficBy(
  db: Db,
  q: Period & { groupBy: TrafficGrouping; kind: "edoc" | "status" },
): Promise<TrafficRow[]> {
  const key =
    q.groupBy === "agency"
      ? sql<string>`s.agency`
      : q.groupBy === "level"
        ? sql<string>`cast(coalesce(a.level, 0) as text)`
        : sql<string>`coalesce(a.parent_code, '')`;
  const rows = await db
    .selectFrom("axis_stats_daily as s")
    .leftJoin("axis_agencies as a", "a.code", "s.agency")
    .select([
      key.as("key"),
      sql<number>`sum(case when s.direction = 'sent' then s.count else 0 end)`.as("sent"),
      sql<number>`sum(case when s.direction = 'received' then s.count else 0 end)`.as("received"),
      sql<number>`sum(case when s.direction = 'sent' then s.signed_valid else 0 end)`.as("sentSignedValid"),
      sql<number>`sum(case when s.direction = 'received' then s.signed_valid else 0 end)`.as(
        "receivedSignedValid",
      ),
    ])
    .where("s.day", ">=", q.fromDay)
    .where("s.day", "<=", q.toDay)
    .where("s.kind", "=", q.kind)
    .groupBy(key)
    .orderBy(key)
    .execute();
  return rows.map((r) => ({
    key: r.key,
    sent: Number(r.sent),
    received: Number(r.received),
    sentSignedValid: Number(r.sentSignedValid),
    receivedSignedValid: Number(r.receivedSignedValid),
  }));
}

export interface ComplianceRow {
  recipient: string;
  statusCode: string;
  count: number;
  /** Lower median of the time from the document's arrival at this node to the status, in ms. */
  medianMs: number | null;
}

export async function statusCompliance(db: Db, q: Period & { recipient?: string }): Promise<ComplianceRow[]> {
  const recipientFilter = q.recipient ? sql`and recipient = ${q.recipient}` : sql``;
  const result = await sql<{ recipient: string; status_code: string; n: number; median_ms: number | null }>`
    with t as (
      select recipient, status_code, elapsed_ms,
        row_number() over (partition by recipient, status_code
                           order by case when elapsed_ms is null then 1 else 0 end, elapsed_ms) as rn,
        count(elapsed_ms) over (partition by recipient, status_code) as timed,
        count(*) over (partition by recipient, status_code) as total
      from axis_status_timeline
      where day >= ${q.fromDay} and day <= ${q.toDay} ${recipientFilter}
    )
    select recipient, status_code, max(total) as n,
      max(case when timed > 0 and rn = (timed + 1) / 2 then elapsed_ms end) as median_ms
    from t
    group by recipient, status_code
    order by recipient, status_code`.execute(db);
  return result.rows.map((r) => ({
    recipient: r.recipient,
    statusCode: r.status_code,
    count: Number(r.n),
    medianMs: r.median_ms === null ? null : Number(r.median_ms),
  }));
}

export interface BacklogRow {
  recipient: string;
  kind: string;
  pending: number;
  oldest: number;
}

export async function mailboxBacklog(db: Db): Promise<BacklogRow[]> {
  const rows = await db
    .selectFrom("axis_deliveries")
    .select([
      "recipient",
      "kind",
      (eb) => eb.fn.countAll<number>().as("pending"),
      (eb) => eb.fn.min<number>("created_at").as("oldest"),
    ])
    .where("state", "=", "pending")
    .groupBy(["recipient", "kind"])
    .orderBy("recipient")
    .execute();
  return rows.map((r) => ({
    recipient: r.recipient,
    kind: r.kind,
    pending: Number(r.pending),
    oldest: Number(r.oldest),
  }));
}
