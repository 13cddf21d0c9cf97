/**
 * Statistics over tens of millions of status rows (issue 8 "Benchmarks", issue 4 "Statistics
 * API"): a fresh PostgreSQL database is migrated with the axis schema and filled in SQL
 * (generate_series, one INSERT … SELECT per table) with what a node would have written for
 * BENCH_STATUS_ROWS status packages: the edoc packages they answer (4 statuses per document:
 * 01, 03, 04, 05), every status package, one delivery per package (about 1 % still pending),
 * one status-timeline row per status, the per-day traffic rollups (sharded like the node's)
 * summed from those packages and deliveries, the monthly traffic rollup filled from them by
 * the same SQL as its migration's backfill, and the daily and monthly compliance rollups
 * filled from the timeline by the same SQL as their migration's backfill. Then every
 * statistics query the axis offers is timed (traffic by agency / level / parent over a year
 * and a month, edoc and status, and over six months off the month bounds; the dashboards'
 * traffic per month and agency over a year; status compliance with medians, from the
 * compliance rollups, over a month, a year, six months off the month bounds, and for one
 * recipient; mailbox backlog), median and p95 over BENCH_REPEATS runs, next to same-run
 * ceilings on the same database: `count(*)` over the status timeline, `count(*)` over the
 * daily and the monthly traffic rollups and over the monthly compliance rollup (the monthly
 * ones being a full pass over the rows the year's queries read), and a primary-key lookup.
 * For reference, the exact computation the rollups replaced (ranking every timeline row of
 * the year in a window) is timed once.
 *
 * Env: BENCH_STATUS_ROWS (default 1,000,000; 10,000,000 for the issue's scale),
 * BENCH_AGENCIES (400), BENCH_DAYS (365), BENCH_REPEATS (11), BENCH_EXACT=0 skips the
 * reference run (about 6 s per million rows).
 * PostgreSQL only (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres); SQLite
 * is not covered yet.
 */
import { AXIS_MIGRATIONS } from "@truc/axis";
import { type BenchRow, percentile, report } from "@truc/common/bench";
import { type Database, migrate, openDatabase } from "@truc/store";
import { createTestDatabase } from "@truc/store/testing";
import { sql } from "kysely";
import { trafficByMonthAndAgency } from "../packages/axis/src/repositories/admin-repository.ts";
import {
  mailboxBacklog,
  statusCompliance,
  trafficBy,
} from "../packages/axis/src/repositories/stats-repository.ts";
import { backfillStatusRollups } from "../packages/axis/src/repositories/status-rollup.ts";
import { backfillTrafficMonthly } from "../packages/axis/src/repositories/traffic-rollup.ts";

const STATUS_ROWS = Number(process.env.BENCH_STATUS_ROWS ?? 1_000_000);
const AGENCIES = Number(process.env.BENCH_AGENCIES ?? 400);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 11);
const DOCUMENTS = Math.ceil(STATUS_ROWS / 4);
const PARENTS = 20;
/** 2025-01-01T00:00 in Vietnam (UTC+7), epoch ms: day n starts at BASE + n days. */
const BASE = Date.UTC(2025, 0, 1) - 7 * 3_600_000;
const DAY_MS = 86_400_000;

const created = await createTestDatabase();
const db: Database = await openDatabase({ kind: "postgres", url: created.url, poolSize: 4 });

const timings: { step: string; seconds: number }[] = [];
async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  timings.push({ step: name, seconds });
  console.log(`  ${name}: ${seconds.toFixed(1)} s`);
}

// Agency i: parents G01…G20 (level 1), children G<p>.<i> (level 2), i ≥ PARENTS.
const agencyExpr = (n: string) =>
  `case when (${n}) % ${AGENCIES} < ${PARENTS} then 'G' || lpad(((${n}) % ${AGENCIES} + 1)::text, 2, '0')
        else 'G' || lpad(((${n}) % ${AGENCIES} % ${PARENTS} + 1)::text, 2, '0') || '.' || lpad(((${n}) % ${AGENCIES})::text, 4, '0') end`;
const senderOf = (d: string) => agencyExpr(d);
// The recipient moves by 2 agencies each time the day wraps, so with the default 400 agencies
// and 365 days every recipient receives on every day (d · 7 + 3 alone meets only one day in
// five, which made the per-day rollups look five times smaller than they are).
const recipientOf = (d: string) => agencyExpr(`(${d}) * 7 + 3 + 2 * ((${d}) / ${DAYS})`);
const dayOf = (ms: string) =>
  `to_char(date '2025-01-01' + ((${ms} - ${BASE}) / ${DAY_MS})::int, 'YYYY-MM-DD')`;
const docTime = (d: string) =>
  `(${BASE}::bigint + ((${d}) % ${DAYS}) * ${DAY_MS}::bigint + ((${d}) * 7919 % 36000000))`;
/** Elapsed ms of status k (0–3: 01, 03, 04, 05) of status row s. */
const elapsed = (s: string) =>
  `((array[60000, 3600000, 14400000, 86400000]::bigint[])[((${s}) % 4 + 1)::int] * (500 + (${s}) * 2654435761 % 1000) / 1000)`;
const exec = (text: string) => sql.raw(text).execute(db.kysely);

console.log(
  `statistics bench: ${STATUS_ROWS.toLocaleString("en-US")} status rows, ${DOCUMENTS.toLocaleString("en-US")} documents, ${AGENCIES} agencies, ${DAYS} days (PostgreSQL ${created.name})`,
);
const buildStart = performance.now();
await step("migrate", () => migrate(db, AXIS_MIGRATIONS));
await step("agencies", () =>
  exec(`insert into axis_agencies (code, name, parent_code, level, serving_node, version, modified_at)
    select ${agencyExpr("i")}, 'Cơ quan ' || i,
      case when i < ${PARENTS} then null else 'G' || lpad((i % ${PARENTS} + 1)::text, 2, '0') end,
      case when i < ${PARENTS} then 1 else 2 end, 'national', i + 1, ${BASE}
    from generate_series(0, ${AGENCIES - 1}) i`),
);
await step("edoc packages", () =>
  exec(`insert into axis_packages (id, kind, sender, document_id, business_type, subject, notation, recipients,
      raw_sha256, raw_size, fwd_sha256, fwd_size, signature, identity_key, caller, received_at, raw_inline)
    select 'e' || d, 'edoc', ${senderOf("d")}, 'doc-' || d, '0', 'Văn bản số ' || d, d || '/QĐ-UBND',
      json_build_array(${recipientOf("d")})::text, md5(d::text) || md5(d::text), 40000 + d % 20000, md5(d::text) || md5(d::text),
      40000 + d % 20000, case when d % 10 < 8 then 'valid' when d % 10 = 8 then 'absent' else 'indeterminate' end,
      'e:' || d, 'sys', ${docTime("d")}, 1
    from generate_series(0::bigint, ${DOCUMENTS - 1}) d`),
);
await step("status packages", () =>
  exec(`insert into axis_packages (id, kind, sender, document_id, business_type, status_code, response_for, recipients,
      raw_sha256, raw_size, fwd_sha256, fwd_size, signature, identity_key, caller, received_at, raw_inline)
    select 's' || s, 'status', ${recipientOf("s / 4")}, 'doc-' || (s / 4), '0',
      (array['01','03','04','05'])[(s % 4 + 1)::int], 'e' || (s / 4), json_build_array(${senderOf("s / 4")})::text,
      md5(s::text) || md5(s::text), 2000, md5(s::text) || md5(s::text), 2000,
      case when s % 20 = 0 then 'absent' else 'valid' end, 's:' || s, 'sys',
      ${docTime("s / 4")} + ${elapsed("s")}, 1
    from generate_series(0::bigint, ${STATUS_ROWS - 1}) s`),
);
// One delivery per package to its (single) recipient; the newest ~1 % are still pending.
const pendingFrom = BASE + (DAYS - 4) * DAY_MS;
await step("deliveries", () =>
  exec(`insert into axis_deliveries (package_id, recipient, kind, state, attempts, created_at, delivered_at, acked_at)
    select id, recipients::json->>0, kind, case when received_at >= ${pendingFrom} then 'pending' else 'done' end,
      case when received_at >= ${pendingFrom} then 0 else 1 end, received_at,
      case when received_at >= ${pendingFrom} then null else received_at + 5000 end,
      case when received_at >= ${pendingFrom} then null else received_at + 6000 end
    from axis_packages`),
);
await step("status timeline", () =>
  exec(`insert into axis_status_timeline (document_id, recipient, status_code, document_issuer, package_id,
      status_time, received_at, elapsed_ms, day)
    select 'doc-' || (s / 4), ${recipientOf("s / 4")}, (array['01','03','04','05'])[(s % 4 + 1)::int], ${senderOf("s / 4")},
      's' || s, null, ${docTime("s / 4")} + ${elapsed("s")}, ${elapsed("s")}, ${dayOf(`(${docTime("s / 4")} + ${elapsed("s")})`)}
    from generate_series(0::bigint, ${STATUS_ROWS - 1}) s`),
);
await step("daily rollups", async () => {
  const shard = "abs(hashtext(p.id)) % 16";
  await exec(`insert into axis_stats_daily (day, agency, direction, kind, shard, count, signed_valid)
    select ${dayOf("p.received_at")}, p.sender, 'sent', p.kind, ${shard}, count(*),
      count(*) filter (where p.signature = 'valid')
    from axis_packages p group by 1, 2, 4, 5`);
  await exec(`insert into axis_stats_daily (day, agency, direction, kind, shard, count, signed_valid)
    select ${dayOf("p.received_at")}, d.recipient, 'received', p.kind, ${shard}, count(*),
      count(*) filter (where p.signature = 'valid')
    from axis_deliveries d join axis_packages p on p.id = d.package_id group by 1, 2, 4, 5`);
});
await step("monthly traffic rollup (migration backfill)", () =>
  db.transaction((trx) => backfillTrafficMonthly(trx as never)),
);
await step("compliance rollup (migration backfill)", () =>
  db.transaction((trx) => backfillStatusRollups(trx as never, "postgres")),
);
await step("analyze", () => exec("analyze"));
const buildSeconds = (performance.now() - buildStart) / 1000;

const counts = await sql<{ t: string; n: string }>`
  select 'timeline' as t, count(*)::text as n from axis_status_timeline
  union all select 'packages', count(*)::text from axis_packages
  union all select 'deliveries', count(*)::text from axis_deliveries
  union all select 'pending', count(*)::text from axis_deliveries where state = 'pending'
  union all select 'rollups', count(*)::text from axis_stats_daily
  union all select 'traffic rollups (monthly)', count(*)::text from axis_stats_monthly
  union all select 'compliance rollups (daily)', count(*)::text from axis_status_daily
  union all select 'compliance rollups (monthly)', count(*)::text from axis_status_monthly`.execute(
  db.kysely,
);
const size = await sql<{
  s: string;
}>`select pg_size_pretty(pg_database_size(current_database())) as s`.execute(db.kysely);
console.log(
  `  built in ${buildSeconds.toFixed(1)} s: ${counts.rows.map((r) => `${r.t} ${Number(r.n).toLocaleString("en-US")}`).join(", ")}; database ${size.rows[0]!.s}`,
);

/** Latencies in ms over REPEATS runs after one warm-up run. */
async function latency(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await run();
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/** The exact computation the compliance rollup replaced (kept here as the reference). */
async function exactComplianceFromTimeline(q: { fromDay: string; toDay: string }) {
  const result = await sql<{ recipient: string; status_code: string; n: number; median_ms: number | null }>`
    with t as (
      select recipient, status_code, elapsed_ms,
        row_number() over (partition by recipient, status_code
                           order by case when elapsed_ms is null then 1 else 0 end, elapsed_ms) as rn,
        count(elapsed_ms) over (partition by recipient, status_code) as timed,
        count(*) over (partition by recipient, status_code) as total
      from axis_status_timeline
      where day >= ${q.fromDay} and day <= ${q.toDay}
    )
    select recipient, status_code, max(total) as n,
      max(case when timed > 0 and rn = (timed + 1) / 2 then elapsed_ms end) as median_ms
    from t
    group by recipient, status_code`.execute(db.kysely);
  return result.rows;
}

const year = { fromDay: "2025-01-01", toDay: "2025-12-31" };
const month = { fromDay: "2025-06-01", toDay: "2025-06-30" };
const oneRecipient = (
  await sql<{ r: string }>`select recipient as r from axis_status_timeline limit 1`.execute(db.kysely)
).rows[0]!.r;

const ceilings = {
  timelineCount: await latency(() => sql`select count(*) from axis_status_timeline`.execute(db.kysely)),
  rollupCount: await latency(() => sql`select count(*) from axis_stats_daily`.execute(db.kysely)),
  monthlyRollupCount: await latency(() => sql`select count(*) from axis_stats_monthly`.execute(db.kysely)),
  complianceRollupCount: await latency(() =>
    sql`select count(*) from axis_status_monthly`.execute(db.kysely),
  ),
  pkLookup: await latency(() =>
    sql`select * from axis_packages where id = ${`s${Math.floor(STATUS_ROWS / 2)}`}`.execute(db.kysely),
  ),
};

const queries: { figure: string; run: () => Promise<unknown>; ceiling: keyof typeof ceilings }[] = [];
for (const [label, period] of [
  ["year", year],
  ["June", month],
] as const)
  for (const groupBy of ["agency", "level", "parent"] as const)
    for (const kind of ["edoc", "status"] as const)
      queries.push({
        figure: `traffic + signed share by ${groupBy}, ${kind}, ${label}`,
        run: () => trafficBy(db.kysely, { ...period, groupBy, kind }),
        ceiling: "monthlyRollupCount",
      });
queries.push(
  {
    figure: "traffic + signed share by agency, edoc, 15 March – 14 September (31 edge days)",
    run: () =>
      trafficBy(db.kysely, { fromDay: "2025-03-15", toDay: "2025-09-14", groupBy: "agency", kind: "edoc" }),
    ceiling: "monthlyRollupCount",
  },
  {
    figure: "dashboard traffic per month and agency, edoc, year",
    run: () => trafficByMonthAndAgency(db.kysely as never, { ...year, kind: "edoc" }),
    ceiling: "monthlyRollupCount",
  },
  {
    figure: "status compliance + medians (rollup), June",
    run: () => statusCompliance(db.kysely, month),
    ceiling: "complianceRollupCount",
  },
  {
    figure: "status compliance + medians (rollup), year",
    run: () => statusCompliance(db.kysely, year),
    ceiling: "complianceRollupCount",
  },
  {
    figure: "status compliance + medians (rollup), 15 March – 14 September (31 edge days)",
    run: () => statusCompliance(db.kysely, { fromDay: "2025-03-15", toDay: "2025-09-14" }),
    ceiling: "complianceRollupCount",
  },
  {
    figure: `status compliance + medians (rollup), year, one recipient`,
    run: () => statusCompliance(db.kysely, { ...year, recipient: oneRecipient }),
    ceiling: "pkLookup",
  },
  { figure: "mailbox backlog", run: () => mailboxBacklog(db.kysely), ceiling: "pkLookup" },
);

const ceilingName = {
  timelineCount: "count(*) status timeline",
  rollupCount: "count(*) rollups",
  monthlyRollupCount: "count(*) monthly traffic rollup",
  complianceRollupCount: "count(*) monthly compliance rollup",
  pkLookup: "primary-key lookup",
};
const rows: BenchRow[] = [
  { figure: "build (fill + index + analyze)", value: buildSeconds, unit: "s" },
  ...timings.map((t) => ({ figure: `  build: ${t.step}`, value: t.seconds, unit: "s" })),
  {
    figure: "ceiling: count(*) status timeline p50",
    value: ceilings.timelineCount.p50,
    unit: "ms",
    note: `p95 ${ceilings.timelineCount.p95.toFixed(1)} ms`,
  },
  {
    figure: "ceiling: count(*) rollups p50",
    value: ceilings.rollupCount.p50,
    unit: "ms",
    note: `p95 ${ceilings.rollupCount.p95.toFixed(1)} ms`,
  },
  {
    figure: "ceiling: count(*) monthly traffic rollup p50",
    value: ceilings.monthlyRollupCount.p50,
    unit: "ms",
    note: `p95 ${ceilings.monthlyRollupCount.p95.toFixed(1)} ms`,
  },
  {
    figure: "ceiling: count(*) monthly compliance rollup p50",
    value: ceilings.complianceRollupCount.p50,
    unit: "ms",
    note: `p95 ${ceilings.complianceRollupCount.p95.toFixed(1)} ms`,
  },
  {
    figure: "ceiling: primary-key lookup p50",
    value: ceilings.pkLookup.p50,
    unit: "ms",
    note: `p95 ${ceilings.pkLookup.p95.toFixed(1)} ms`,
  },
];
for (const q of queries) {
  const t = await latency(q.run);
  const c = ceilings[q.ceiling];
  rows.push(
    {
      figure: `${q.figure} p50`,
      value: t.p50,
      unit: "ms",
      ceiling: { name: ceilingName[q.ceiling], value: c.p50 },
    },
    {
      figure: `${q.figure} p95`,
      value: t.p95,
      unit: "ms",
      ceiling: { name: ceilingName[q.ceiling], value: c.p95 },
    },
  );
}
if (process.env.BENCH_EXACT !== "0") {
  // The query the rollup replaced: exact lower medians by ranking every timeline row.
  const start = performance.now();
  const exact = await exactComplianceFromTimeline(year);
  const ms = performance.now() - start;
  const rolled = await statusCompliance(db.kysely, year);
  let worst = 0;
  const exactBy = new Map(exact.map((r) => [`${r.recipient}|${r.status_code}`, r]));
  for (const r of rolled) {
    const e = exactBy.get(`${r.recipient}|${r.statusCode}`);
    if (!e || Number(e.n) !== r.count) throw new Error(`count differs for ${r.recipient} ${r.statusCode}`);
    if (e.median_ms !== null && r.medianMs !== null)
      worst = Math.max(worst, Math.abs(r.medianMs - Number(e.median_ms)) / Number(e.median_ms));
  }
  rows.push({
    figure: "reference: exact compliance ranking timeline rows, year (one run)",
    value: ms,
    unit: "ms",
    ceiling: { name: ceilingName.timelineCount, value: ceilings.timelineCount.p50 },
    note: `rollup counts equal; worst median difference ${(worst * 100).toFixed(1)} %`,
  });
}

report(`axis statistics, postgres, ${STATUS_ROWS.toLocaleString("en-US")} status rows`, rows);

await db.close();
if (process.env.BENCH_KEEP_DATABASE === "1") console.log(`kept database ${created.url}`);
else await created.drop();
process.exit(0);
