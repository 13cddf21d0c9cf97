/**
 * The traffic rollups: `axis_stats_daily`, counters per day × agency × direction × kind ×
 * shard, and `axis_stats_monthly`, the same per calendar month. Both are bumped by
 * `insertPackages` in the statement (PostgreSQL) or transaction (SQLite) that writes the
 * package, so traffic over a period is the monthly rows of its whole months plus the daily
 * rows of the days around them (domain/period.ts): twelve rows per key for a year, not 365.
 */
import { type RawBuilder, sql } from "kysely";
import { splitPeriod } from "../domain/period.ts";
import type { Db } from "./directory-repository.ts";

/**
 * Fills `axis_stats_monthly` from every row of `axis_stats_daily` (one INSERT … SELECT,
 * shards kept), inside the caller's transaction. For an empty monthly rollup: the migration
 * that creates it, and benchmarks that fill the daily rollup in SQL.
 */
export async function backfillTrafficMonthly(trx: Db): Promise<void> {
  await sql`insert into axis_stats_monthly (month, agency, direction, kind, shard, count, signed_valid)
    select substr(day, 1, 7), agency, direction, kind, shard, sum(count), sum(signed_valid)
    from axis_stats_daily
    group by substr(day, 1, 7), agency, direction, kind, shard`.execute(trx);
}

/**
 * The rollup rows of one kind in a period, as `(month, agency, direction, count,
 * signed_valid)`: the whole months from `axis_stats_monthly`, the days around them from
 * `axis_stats_daily` (domain/period.ts), in one UNION ALL for the caller to sum.
 */
export function trafficRows(q: {
  fromDay: string;
  toDay: string;
  kind: "edoc" | "status";
}): RawBuilder<unknown> {
  const split = splitPeriod(q.fromDay, q.toDay);
  const parts = [
    ...(split.months
      ? [
          sql`select month, agency, direction, count, signed_valid from axis_stats_monthly
              where month >= ${split.months[0]} and month <= ${split.months[1]} and kind = ${q.kind}`,
        ]
      : []),
    ...split.days.map(
      ([from, to]) =>
        sql`select substr(day, 1, 7) as month, agency, direction, count, signed_valid from axis_stats_daily
            where day >= ${from} and day <= ${to} and kind = ${q.kind}`,
    ),
  ];
  return sql.join(parts, sql` union all `);
}
