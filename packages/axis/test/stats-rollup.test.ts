/**
 * Status compliance from the rollups `axis_status_daily` and `axis_status_monthly`: the
 * period split, the elapsed-time histogram (buckets, merge, median within the stated
 * resolution), and on both dialects the rollups against the exact computation over the
 * status timeline for periods on and off month bounds (counts exact, medians within
 * MEDIAN_RELATIVE_ERROR, ±0.5 s below one second), duplicates counted once, the row-by-row
 * bump agreeing with the SQL backfill, and the migration backfilling an upgraded node.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type Database, migrate } from "@truc/store";
import { describeEachDialect, seededRandom } from "@truc/store/testing";
import { sql } from "kysely";
import {
  BOUNDS,
  BUCKET_COUNT,
  bucketOf,
  bucketRange,
  type ElapsedHistogram,
  MEDIAN_RELATIVE_ERROR,
  medianOf,
  mergeHistograms,
} from "../src/domain/elapsed-histogram.ts";
import { splitPeriod } from "../src/domain/period.ts";
import type { Db } from "../src/repositories/directory-repository.ts";
import { recordStatus } from "../src/repositories/package-repository.ts";
import { AXIS_MIGRATIONS, type AxisDatabase } from "../src/repositories/schema.ts";
import { statusCompliance } from "../src/repositories/stats-repository.ts";
import { BUCKET_COLUMNS, backfillStatusRollups } from "../src/repositories/status-rollup.ts";

type TimelineRow = AxisDatabase["axis_status_timeline"];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function histogramOf(values: readonly number[]): ElapsedHistogram {
  const buckets = new Array<number>(BUCKET_COUNT).fill(0);
  for (const v of values) buckets[bucketOf(v)]! += 1;
  return {
    buckets,
    minMs: values.length ? Math.min(...values) : null,
    maxMs: values.length ? Math.max(...values) : null,
  };
}

function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length + 1) / 2) - 1]!;
}

/** The stated resolution: relative from one second up, ±0.5 s below. */
function assertClose(estimate: number | null, exact: number | null, what: string): void {
  if (exact === null) {
    assert.equal(estimate, null, what);
    return;
  }
  assert.notEqual(estimate, null, what);
  const allowed = exact >= SECOND ? exact * MEDIAN_RELATIVE_ERROR + 0.5 : SECOND / 2;
  assert.ok(
    Math.abs(estimate! - exact) <= allowed,
    `${what}: median ${estimate} ms, exact ${exact} ms, allowed ±${allowed.toFixed(1)} ms`,
  );
}

describe("period split into whole months and edge days", () => {
  it("reads whole months from monthly rows and only the days around them from daily rows", () => {
    assert.deepEqual(splitPeriod("2025-01-01", "2025-12-31"), { months: ["2025-01", "2025-12"], days: [] });
    assert.deepEqual(splitPeriod("2025-04-20", "2025-06-30"), {
      months: ["2025-05", "2025-06"],
      days: [["2025-04-20", "2025-04-30"]],
    });
    assert.deepEqual(splitPeriod("2024-02-15", "2024-04-03"), {
      months: ["2024-03", "2024-03"],
      days: [
        ["2024-02-15", "2024-02-29"],
        ["2024-04-01", "2024-04-03"],
      ],
    });
    assert.deepEqual(splitPeriod("2025-12-01", "2026-01-31"), { months: ["2025-12", "2026-01"], days: [] });
    assert.deepEqual(splitPeriod("2025-03-05", "2025-04-10"), {
      months: null,
      days: [["2025-03-05", "2025-04-10"]],
    });
    assert.deepEqual(splitPeriod("2025-03-02", "2025-03-31"), {
      months: null,
      days: [["2025-03-02", "2025-03-31"]],
    });
    assert.deepEqual(splitPeriod("2025-02-30", "2025-03-31"), {
      months: null,
      days: [["2025-02-30", "2025-03-31"]],
    });
  });
});

describe("elapsed-time histogram", () => {
  it("has increasing integer bounds, three per doubling from one second to about 194 days", () => {
    assert.equal(BOUNDS[0], SECOND);
    assert.equal(BOUNDS.at(-1), 2 ** 24 * SECOND);
    for (let i = 1; i < BOUNDS.length; i++) {
      assert.ok(Number.isInteger(BOUNDS[i]) && BOUNDS[i]! > BOUNDS[i - 1]!);
      assert.ok(BOUNDS[i]! / BOUNDS[i - 1]! <= (1 + MEDIAN_RELATIVE_ERROR) ** 2);
    }
    assert.equal(BUCKET_COUNT, BOUNDS.length + 1);
    assert.equal(MEDIAN_RELATIVE_ERROR, 0.123);
  });

  it("puts every value in the bucket whose range holds it, bounds included below", () => {
    for (const v of [-5, 0, 999, 1000, 1259, 1260, 59_999, 60_000, 3 * DAY, 2 ** 24 * SECOND, 400 * DAY]) {
      const [lower, upper] = bucketRange(bucketOf(v));
      assert.ok(lower <= v && v < upper, `${v} in [${lower}, ${upper})`);
    }
    for (const b of BOUNDS) assert.equal(bucketOf(b), bucketOf(b - 1) + 1);
  });

  it("reports the median within the stated resolution, exactly when all values are equal", () => {
    const next = seededRandom(7);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(next() * 60);
      // Log-uniform between 50 ms and 60 days, some trials tightly clustered.
      const centre = Math.exp(Math.log(50) + next() * Math.log((60 * DAY) / 50));
      const spread = trial % 3 === 0 ? 1.05 : 1000;
      // The stated resolution holds up to the last bound (about 194 days).
      const values = Array.from({ length: n }, () =>
        Math.min(Math.round(centre * spread ** (next() * 2 - 1)), BOUNDS.at(-1)! - 1),
      );
      assertClose(medianOf(histogramOf(values)), lowerMedian(values), `trial ${trial}`);
    }
    assert.equal(medianOf(histogramOf([5 * MINUTE])), 5 * MINUTE);
    assert.equal(medianOf(histogramOf([3 * DAY, 3 * DAY, 3 * DAY])), 3 * DAY);
    assert.equal(medianOf(histogramOf([])), null);
    // Beyond the last bound the median lies between it and the largest value.
    const long = [300 * DAY, 320 * DAY, 400 * DAY];
    const m = medianOf(histogramOf(long))!;
    assert.ok(m >= BOUNDS.at(-1)! && m <= 400 * DAY, String(m));
  });

  it("merges like the union of the values", () => {
    const a = [1200, 5 * MINUTE, 7 * HOUR];
    const b = [300, 2 * DAY];
    assert.deepEqual(mergeHistograms(histogramOf(a), histogramOf(b)), histogramOf([...a, ...b]));
    assert.deepEqual(mergeHistograms(histogramOf(a), histogramOf([])), histogramOf(a));
  });
});

/** What the rollup must agree with: count and exact lower median per (recipient, code). */
function exactCompliance(rows: readonly TimelineRow[], fromDay: string, toDay: string) {
  const groups = new Map<string, { count: number; elapsed: number[] }>();
  for (const r of rows) {
    if (r.day < fromDay || r.day > toDay) continue;
    const key = `${r.recipient}|${r.status_code}`;
    const g = groups.get(key) ?? { count: 0, elapsed: [] };
    g.count++;
    if (r.elapsed_ms !== null) g.elapsed.push(r.elapsed_ms);
    groups.set(key, g);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, g]) => {
      const [recipient, statusCode] = key.split("|") as [string, string];
      return { recipient, statusCode, count: g.count, medianMs: lowerMedian(g.elapsed) };
    });
}

/** Timeline rows for a few recipients, codes and days, with untimed and sub-second ones. */
function sampleTimeline(seed: number, documents: number): TimelineRow[] {
  const next = seededRandom(seed);
  const recipients = ["H41.05", "H41.06", "000.00.01.G01", "H29"];
  const typical: Record<string, number> = { "01": 2 * MINUTE, "03": 3 * HOUR, "04": 8 * HOUR, "06": 4 * DAY };
  const rows: TimelineRow[] = [];
  for (let d = 0; d < documents; d++) {
    const recipient = recipients[Math.floor(next() * recipients.length)]!;
    const arrival = Date.UTC(2025, 2, 1 + Math.floor(next() * 45), 2) + Math.floor(next() * 8 * HOUR);
    for (const code of Object.keys(typical)) {
      if (next() < 0.15) continue;
      const r = next();
      const elapsed =
        r < 0.08
          ? null
          : r < 0.15
            ? Math.floor(next() * 900)
            : Math.round(typical[code]! * 30 ** (next() * 2 - 1));
      const at = arrival + (elapsed ?? 0);
      rows.push({
        document_id: `doc-${seed}-${d}`,
        recipient,
        status_code: code,
        document_issuer: "H29.01",
        package_id: `pkg-${seed}-${d}-${code}`,
        status_time: null,
        received_at: at,
        elapsed_ms: elapsed,
        day: new Date(at + 7 * HOUR).toISOString().slice(0, 10),
      });
    }
  }
  return rows;
}

/** Both rollup tables, numbers as numbers on both drivers. */
async function rollupRows(db: Db) {
  const text = new Set(["day", "month", "recipient", "status_code"]);
  const read = async (table: "axis_status_daily" | "axis_status_monthly", key: "day" | "month") => {
    const result = await sql<Record<string, unknown>>`select * from ${sql.table(table)}
      order by ${sql.ref(key)}, recipient, status_code`.execute(db);
    return result.rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text.has(k) || v === null ? v : Number(v)])),
    );
  };
  return {
    daily: await read("axis_status_daily", "day"),
    monthly: await read("axis_status_monthly", "month"),
  };
}

async function emptyRollups(db: Db) {
  await sql`delete from axis_status_daily`.execute(db);
  await sql`delete from axis_status_monthly`.execute(db);
}

/** Whole months, a day, edges on either side of whole months, no whole month, none at all. */
const PERIODS = [
  { fromDay: "2025-01-01", toDay: "2025-12-31" },
  { fromDay: "2025-03-01", toDay: "2025-03-31" },
  { fromDay: "2025-03-10", toDay: "2025-03-10" },
  { fromDay: "2025-04-20", toDay: "2025-06-30" },
  { fromDay: "2025-02-15", toDay: "2025-04-03" },
  { fromDay: "2025-03-01", toDay: "2025-04-12" },
  { fromDay: "2025-03-05", toDay: "2025-04-10" },
  { fromDay: "2025-04-10", toDay: "2025-03-05" },
];

async function assertAgrees(db: Db, rows: readonly TimelineRow[]): Promise<void> {
  for (const period of PERIODS) {
    const exact = exactCompliance(rows, period.fromDay, period.toDay);
    const rolled = await statusCompliance(db, period);
    assert.deepEqual(
      rolled.map((r) => [r.recipient, r.statusCode, r.count]),
      exact.map((r) => [r.recipient, r.statusCode, r.count]),
      `counts ${period.fromDay}…${period.toDay}`,
    );
    for (const [i, r] of rolled.entries())
      assertClose(
        r.medianMs,
        exact[i]!.medianMs,
        `${r.recipient} ${r.statusCode} ${period.fromDay}…${period.toDay}`,
      );
    const one = await statusCompliance(db, { ...period, recipient: "H41.05" });
    assert.deepEqual(
      one,
      rolled.filter((r) => r.recipient === "H41.05"),
    );
  }
}

describeEachDialect("axis: status compliance rollup", (ctx) => {
  let db: Database;
  let kysely: Db;
  const live = sampleTimeline(1, 300);

  before(async () => {
    db = ctx.db();
    kysely = db.kysely as unknown as Db;
  });

  it("backfills the rollup from the timeline an upgraded node already has", async () => {
    const before0007 = AXIS_MIGRATIONS.filter((m) => m.id < "axis-0007");
    await migrate(db, before0007);
    const old = sampleTimeline(2, 200);
    for (let i = 0; i < old.length; i += 100)
      await kysely
        .insertInto("axis_status_timeline")
        .values(old.slice(i, i + 100))
        .execute();
    const result = await migrate(db, AXIS_MIGRATIONS);
    assert.ok(result.applied.includes("axis-0007-status-rollups"));
    await assertAgrees(kysely, old);
    await kysely.deleteFrom("axis_status_timeline").execute();
    await emptyRollups(kysely);
  });

  it("bumps the rollup with each new timeline row, in agreement with the exact computation", async () => {
    for (const row of live) {
      const inserted = await kysely.transaction().execute((trx) => recordStatus(trx, row));
      assert.equal(inserted, true);
    }
    await assertAgrees(kysely, live);
  });

  it("does not count a duplicate status twice", async () => {
    const before = await rollupRows(kysely);
    for (const row of live.slice(0, 40)) {
      const again = { ...row, package_id: `${row.package_id}-resent`, elapsed_ms: 1 };
      assert.equal(await kysely.transaction().execute((trx) => recordStatus(trx, again)), false);
    }
    assert.deepEqual(await rollupRows(kysely), before);
    await assertAgrees(kysely, live);
  });

  it("holds the same rows whether bumped one by one or backfilled in SQL", async () => {
    const bumped = await rollupRows(kysely);
    await emptyRollups(kysely);
    await db.transaction((trx) => backfillStatusRollups(trx as unknown as Db, db.dialect));
    assert.deepEqual(await rollupRows(kysely), bumped);
    const columns = Object.keys(bumped.monthly[0]!);
    for (const c of BUCKET_COLUMNS) assert.ok(columns.includes(c), c);
  });
});
