/**
 * Statistics, one query each. Traffic and signature shares read the traffic rollups (rows per
 * month or day × agency × direction × kind, not per package; see traffic-rollup.ts); status
 * compliance reads the compliance rollups (rows per month or day × recipient × status code,
 * with an elapsed-time histogram for the medians); backlog reads only pending mailbox rows
 * through a partial index.
 */
import { sql } from "kysely";
import { type ElapsedHistogram, medianOf } from "../domain/elapsed-histogram.ts";
import { splitPeriod } from "../domain/period.ts";
import type { Db } from "./directory-repository.ts";
import { BUCKET_COLUMNS } from "./status-rollup.ts";
import { trafficRows } from "./traffic-rollup.ts";

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
  // Summed per agency first (over shards, whole months and edge days), then joined to the directory.
  const result = await sql<{
    key: string;
    sent: number | string;
    received: number | string;
    sent_signed_valid: number | string;
    received_signed_valid: number | string;
  }>`
    select ${key} as ${sql.ref("key")}, sum(s.sent) as sent, sum(s.received) as received,
      sum(s.sent_signed_valid) as sent_signed_valid, sum(s.received_signed_valid) as received_signed_valid
    from (
      select agency,
        sum(case when direction = 'sent' then count else 0 end) as sent,
        sum(case when direction = 'received' then count else 0 end) as received,
        sum(case when direction = 'sent' then signed_valid else 0 end) as sent_signed_valid,
        sum(case when direction = 'received' then signed_valid else 0 end) as received_signed_valid
      from (${trafficRows(q)}) r
      group by agency
    ) s
    left join axis_agencies a on a.code = s.agency
    group by ${key}
    order by ${key}`.execute(db);
  return result.rows.map((r) => ({
    key: r.key,
    sent: Number(r.sent),
    received: Number(r.received),
    sentSignedValid: Number(r.sent_signed_valid),
    receivedSignedValid: Number(r.received_signed_valid),
  }));
}

export interface ComplianceRow {
  recipient: string;
  statusCode: string;
  count: number;
  /**
   * Lower median of the time from the document's arrival at this node to the status, in ms,
   * read from the histogram: within ±MEDIAN_RELATIVE_ERROR (±0.5 s below one second).
   */
  medianMs: number | null;
  /** The summed histogram, for merging rows (e.g. two codes of one agency). */
  histogram: ElapsedHistogram;
}

export async function statusCompliance(db: Db, q: Period & { recipient?: string }): Promise<ComplianceRow[]> {
  const recipientFilter = q.recipient ? sql`and recipient = ${q.recipient}` : sql``;
  const columns = sql.join([
    sql`recipient`,
    sql`status_code`,
    sql`count`,
    sql`min_ms`,
    sql`max_ms`,
    ...BUCKET_COLUMNS.map((c) => sql.ref(c)),
  ]);
  // Whole months from the monthly rollup, the days around them from the daily one.
  const split = splitPeriod(q.fromDay, q.toDay);
  const parts = [
    ...(split.months
      ? [
          sql`select ${columns} from axis_status_monthly
              where month >= ${split.months[0]} and month <= ${split.months[1]} ${recipientFilter}`,
        ]
      : []),
    ...split.days.map(
      ([from, to]) =>
        sql`select ${columns} from axis_status_daily where day >= ${from} and day <= ${to} ${recipientFilter}`,
    ),
  ];
  const sums = sql.join(BUCKET_COLUMNS.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`));
  const result = await sql<Record<string, string | number | null>>`
    select recipient, status_code, sum(count) as n, min(min_ms) as min_ms, max(max_ms) as max_ms, ${sums}
    from (${sql.join(parts, sql` union all `)}) r
    group by recipient, status_code
    order by recipient, status_code`.execute(db);
  return result.rows.map((r) => {
    const histogram: ElapsedHistogram = {
      buckets: BUCKET_COLUMNS.map((c) => Number(r[c] ?? 0)),
      minMs: r.min_ms === null ? null : Number(r.min_ms),
      maxMs: r.max_ms === null ? null : Number(r.max_ms),
    };
    return {
      recipient: String(r.recipient),
      statusCode: String(r.status_code),
      count: Number(r.n),
      medianMs: medianOf(histogram),
      histogram,
    };
  });
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
