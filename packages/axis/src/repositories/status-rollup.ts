/**
 * The status-compliance rollups: `axis_status_daily`, one row per (day, recipient, status
 * code), and `axis_status_monthly`, the same per calendar month, each with the number of
 * statuses and a histogram of their elapsed times (see domain/elapsed-histogram.ts). Both are
 * bumped in the transaction that inserts the timeline row, so compliance and its medians are
 * one aggregate over months and edge days × recipients × codes (domain/period.ts) instead of
 * a ranking of every timeline row.
 *
 * No counter shards (unlike `axis_stats_daily`): a row is shared only by statuses of one code
 * that one agency returns on one day (month), each transaction bumps one daily row then one
 * monthly row, always in that order (no deadlock), and sharding would multiply the rows a
 * query sums by up to 16.
 */
import type { Dialect } from "@truc/store";
import { type RawBuilder, sql } from "kysely";
import { BOUNDS, BUCKET_COUNT, bucketOf } from "../domain/elapsed-histogram.ts";
import type { Db } from "./directory-repository.ts";

/** Histogram column of bucket k: h00 … h73. */
export function bucketColumn(k: number): `h${string}` {
  return `h${String(k).padStart(2, "0")}`;
}

export const BUCKET_COLUMNS: readonly `h${string}`[] = Array.from({ length: BUCKET_COUNT }, (_, k) =>
  bucketColumn(k),
);

export interface StatusForRollup {
  day: string;
  recipient: string;
  status_code: string;
  elapsed_ms: number | null;
}

const ROLLUPS = [
  { table: "axis_status_daily", key: "day", of: (day: string) => day },
  { table: "axis_status_monthly", key: "month", of: (day: string) => day.slice(0, 7) },
] as const;

/** Counts one new timeline row; call only when the row was inserted (not a duplicate). */
export async function bumpStatusRollups(trx: Db, r: StatusForRollup): Promise<void> {
  for (const rollup of ROLLUPS) await bump(trx, rollup, rollup.of(r.day), r);
}

async function bump(
  trx: Db,
  rollup: (typeof ROLLUPS)[number],
  period: string,
  r: StatusForRollup,
): Promise<void> {
  const table = sql.table(rollup.table);
  const at = (column: string) => sql.ref(`${rollup.table}.${column}`);
  const key = sql`(${sql.ref(rollup.key)}, recipient, status_code)`;
  const e = r.elapsed_ms;
  if (e === null) {
    await sql`insert into ${table} (${sql.ref(rollup.key)}, recipient, status_code, count)
      values (${period}, ${r.recipient}, ${r.status_code}, 1)
      on conflict ${key} do update set count = ${at("count")} + 1`.execute(trx);
    return;
  }
  const bucket = bucketColumn(bucketOf(e));
  await sql`insert into ${table} (${sql.ref(rollup.key)}, recipient, status_code, count, min_ms, max_ms, ${sql.ref(bucket)})
    values (${period}, ${r.recipient}, ${r.status_code}, 1, ${e}, ${e}, 1)
    on conflict ${key} do update set
      count = ${at("count")} + 1,
      min_ms = case when ${at("min_ms")} is null or ${at("min_ms")} > ${e} then ${e} else ${at("min_ms")} end,
      max_ms = case when ${at("max_ms")} is null or ${at("max_ms")} < ${e} then ${e} else ${at("max_ms")} end,
      ${sql.ref(bucket)} = ${at(bucket)} + 1`.execute(trx);
}

/**
 * The bucket of `expr` in SQL, the same as `bucketOf`: a binary search over BOUNDS written as
 * nested CASE (seven comparisons per row), portable to SQLite and PostgreSQL. NULL stays NULL.
 */
export function bucketSql(expr: RawBuilder<unknown>): RawBuilder<number | null> {
  const search = (lo: number, hi: number): RawBuilder<number> => {
    if (lo === hi) return sql.lit(lo);
    const mid = (lo + hi) >> 1;
    return sql<number>`case when ${expr} < ${sql.lit(BOUNDS[mid]!)} then ${search(lo, mid)} else ${search(mid + 1, hi)} end`;
  };
  return sql<number | null>`case when ${expr} is null then null else ${search(0, BOUNDS.length)} end`;
}

/**
 * Fills both rollups from every row of `axis_status_timeline` (two INSERT … SELECT), inside
 * the caller's transaction. For empty rollups: the migration that creates them, and
 * benchmarks that fill the timeline in SQL. Timeline rows are first counted per bucket, then
 * spread into the bucket columns, so the wide aggregate runs over (cell, bucket) groups rather
 * than over every timeline row; months are summed from days. On PostgreSQL, JIT is off for
 * the transaction: compiling the seventy-odd sums costs far more than it saves (35 s against
 * 3 s for a million rows).
 */
export async function backfillStatusRollups(trx: Db, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await sql`set local jit = off`.execute(trx);
  const columns = sql.join(BUCKET_COLUMNS.map((c) => sql.ref(c)));
  const spread = sql.join(
    BUCKET_COLUMNS.map((_, k) => sql`sum(case when b = ${sql.lit(k)} then n else 0 end)`),
  );
  await sql`insert into axis_status_daily (day, recipient, status_code, count, min_ms, max_ms, ${columns})
    select day, recipient, status_code, sum(n), min(min_ms), max(max_ms), ${spread}
    from (select day, recipient, status_code, b, count(*) as n,
            min(elapsed_ms) as min_ms, max(elapsed_ms) as max_ms
          from (select day, recipient, status_code, elapsed_ms, ${bucketSql(sql.ref("elapsed_ms"))} as b
                from axis_status_timeline) timed
          group by day, recipient, status_code, b) per_bucket
    group by day, recipient, status_code`.execute(trx);
  const sums = sql.join(BUCKET_COLUMNS.map((c) => sql`sum(${sql.ref(c)})`));
  await sql`insert into axis_status_monthly (month, recipient, status_code, count, min_ms, max_ms, ${columns})
    select substr(day, 1, 7), recipient, status_code, sum(count), min(min_ms), max(max_ms), ${sums}
    from axis_status_daily
    group by substr(day, 1, 7), recipient, status_code`.execute(trx);
}
