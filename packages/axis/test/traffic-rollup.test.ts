/**
 * Traffic from the rollups `axis_stats_daily` and `axis_stats_monthly`: on both dialects,
 * `trafficBy` (grouped by agency, level and parent) and the dashboard's per-month figures
 * against the exact computation over the packages written (sender, recipients, kind,
 * signature, day) for periods on and off month bounds; the migration backfilling an upgraded
 * node from its daily rows; and the monthly rows bumped by `insertPackages` agreeing with the
 * SQL backfill from the daily rows.
 */
import assert from "node:assert/strict";
import { before, it } from "node:test";
import { type Database, migrate } from "@truc/store";
import { describeEachDialect, seededRandom } from "@truc/store/testing";
import { sql } from "kysely";
import { type AdminDb, trafficByMonthAndAgency } from "../src/repositories/admin-repository.ts";
import type { Db } from "../src/repositories/directory-repository.ts";
import { insertPackages, STATS_SHARDS } from "../src/repositories/package-repository.ts";
import { AXIS_MIGRATIONS, type AxisDatabase } from "../src/repositories/schema.ts";
import { type TrafficGrouping, trafficBy } from "../src/repositories/stats-repository.ts";
import { backfillTrafficMonthly } from "../src/repositories/traffic-rollup.ts";
import { newPackage, type PackageSample } from "./support/package-rows.ts";

/** Two parents, three children, and one agency the directory does not know (level 0, no parent). */
const AGENCIES: AxisDatabase["axis_agencies"][] = [
  ["G01", null, 1],
  ["G02", null, 1],
  ["G01.01", "G01", 2],
  ["G01.02", "G01", 2],
  ["G02.01", "G02", 2],
].map(([code, parent_code, level], i) => ({
  code: code as string,
  code102: null,
  name: `Cơ quan ${code}`,
  parent_code: parent_code as string | null,
  level: level as number,
  serving_node: "national",
  via_node: null,
  email: null,
  phone: null,
  fax: null,
  state: "active",
  edxml_version: "QCVN102:2016",
  max_bytes: null,
  signature_policy: null,
  version: i + 1,
  deleted: 0,
  modified_at: 0,
}));
const CODES = [...AGENCIES.map((a) => a.code), "X99"];

/** Packages between 10 February and 20 May 2025, one to three recipients each. */
function samplePackages(seed: number, n: number): PackageSample[] {
  const next = seededRandom(seed);
  const pick = () => CODES[Math.floor(next() * CODES.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const recipients = new Set<string>();
    const wanted = 1 + Math.floor(next() * 3);
    while (recipients.size < wanted) recipients.add(pick());
    return {
      id: `pkg-${seed}-${i}`,
      kind: next() < 0.6 ? "edoc" : "status",
      sender: pick(),
      recipients: [...recipients],
      valid: next() < 0.7,
      day: new Date(Date.UTC(2025, 1, 10) + Math.floor(next() * 100) * 86_400_000).toISOString().slice(0, 10),
    };
  });
}

/** What trafficBy must answer, computed from the packages themselves. */
function exactTraffic(
  samples: readonly PackageSample[],
  q: { fromDay: string; toDay: string; groupBy: TrafficGrouping; kind: "edoc" | "status" },
) {
  const agency = new Map(AGENCIES.map((a) => [a.code, a]));
  const keyOf = (code: string) =>
    q.groupBy === "agency"
      ? code
      : q.groupBy === "level"
        ? String(agency.get(code)?.level ?? 0)
        : (agency.get(code)?.parent_code ?? "");
  const rows = new Map<
    string,
    { sent: number; received: number; sentSignedValid: number; receivedSignedValid: number }
  >();
  const row = (code: string) => {
    const key = keyOf(code);
    const r = rows.get(key) ?? { sent: 0, received: 0, sentSignedValid: 0, receivedSignedValid: 0 };
    rows.set(key, r);
    return r;
  };
  for (const s of samples) {
    if (s.kind !== q.kind || s.day < q.fromDay || s.day > q.toDay) continue;
    const sent = row(s.sender);
    sent.sent++;
    if (s.valid) sent.sentSignedValid++;
    for (const recipient of s.recipients) {
      const received = row(recipient);
      received.received++;
      if (s.valid) received.receivedSignedValid++;
    }
  }
  return [...rows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, r]) => ({ key, ...r }));
}

/** What the dashboard's per-month figures must be, from the packages themselves. */
function exactMonths(
  samples: readonly PackageSample[],
  q: { fromDay: string; toDay: string; kind: "edoc" | "status" },
) {
  const rows = new Map<
    string,
    { sent: number; received: number; sentSignedValid: number; receivedSignedValid: number }
  >();
  const row = (month: string, agency: string) => {
    const key = `${month}|${agency}`;
    const r = rows.get(key) ?? { sent: 0, received: 0, sentSignedValid: 0, receivedSignedValid: 0 };
    rows.set(key, r);
    return r;
  };
  for (const s of samples) {
    if (s.kind !== q.kind || s.day < q.fromDay || s.day > q.toDay) continue;
    const month = s.day.slice(0, 7);
    const sent = row(month, s.sender);
    sent.sent++;
    if (s.valid) sent.sentSignedValid++;
    for (const recipient of s.recipients) {
      const received = row(month, recipient);
      received.received++;
      if (s.valid) received.receivedSignedValid++;
    }
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, r]) => {
      const [month, agency] = key.split("|") as [string, string];
      return { month, agency, ...r };
    });
}

/** Whole months, a month, a day, edges on either or both sides, no whole month, none at all. */
const PERIODS = [
  { fromDay: "2025-01-01", toDay: "2025-12-31" },
  { fromDay: "2025-03-01", toDay: "2025-03-31" },
  { fromDay: "2025-03-10", toDay: "2025-03-10" },
  { fromDay: "2025-02-15", toDay: "2025-04-03" },
  { fromDay: "2025-02-20", toDay: "2025-04-30" },
  { fromDay: "2025-03-01", toDay: "2025-04-12" },
  { fromDay: "2025-03-05", toDay: "2025-04-10" },
  { fromDay: "2025-03-02", toDay: "2025-03-31" },
  { fromDay: "2025-04-10", toDay: "2025-03-05" },
];

async function assertAgrees(db: Db, samples: readonly PackageSample[]): Promise<void> {
  for (const period of PERIODS) {
    for (const kind of ["edoc", "status"] as const)
      assert.deepEqual(
        await trafficByMonthAndAgency(db as unknown as AdminDb, { ...period, kind }),
        exactMonths(samples, { ...period, kind }),
        `months ${kind} ${period.fromDay}…${period.toDay}`,
      );
    for (const groupBy of ["agency", "level", "parent"] as const)
      for (const kind of ["edoc", "status"] as const) {
        const q = { ...period, groupBy, kind };
        assert.deepEqual(
          await trafficBy(db, q),
          exactTraffic(samples, q),
          `${groupBy} ${kind} ${period.fromDay}…${period.toDay}`,
        );
      }
  }
}

/** The daily rows the bumps would give, with arbitrary shards (what an older node holds). */
function dailyRows(samples: readonly PackageSample[]): AxisDatabase["axis_stats_daily"][] {
  const rows = new Map<string, AxisDatabase["axis_stats_daily"]>();
  const bump = (s: PackageSample, i: number, agency: string, direction: "sent" | "received") => {
    const shard = i % STATS_SHARDS;
    const key = [s.day, agency, direction, s.kind, shard].join("|");
    const r = rows.get(key) ?? {
      day: s.day,
      agency,
      direction,
      kind: s.kind,
      shard,
      count: 0,
      signed_valid: 0,
    };
    r.count++;
    if (s.valid) r.signed_valid++;
    rows.set(key, r);
  };
  samples.forEach((s, i) => {
    bump(s, i, s.sender, "sent");
    for (const r of s.recipients) bump(s, i, r, "received");
  });
  return [...rows.values()];
}

async function monthlyRows(db: Db) {
  const result = await sql<AxisDatabase["axis_stats_monthly"]>`select * from axis_stats_monthly
    order by month, agency, direction, kind, shard`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    shard: Number(r.shard),
    count: Number(r.count),
    signed_valid: Number(r.signed_valid),
  }));
}

describeEachDialect("axis: traffic rollups", (ctx) => {
  let db: Database;
  let kysely: Db;
  const live = samplePackages(1, 300);

  before(async () => {
    db = ctx.db();
    kysely = db.kysely as unknown as Db;
  });

  it("backfills the monthly rollup from the daily rows an upgraded node already has", async () => {
    await migrate(
      db,
      AXIS_MIGRATIONS.filter((m) => m.id < "axis-0008"),
    );
    await kysely.insertInto("axis_agencies").values(AGENCIES).execute();
    const old = samplePackages(2, 200);
    const daily = dailyRows(old);
    for (let i = 0; i < daily.length; i += 100)
      await kysely
        .insertInto("axis_stats_daily")
        .values(daily.slice(i, i + 100))
        .execute();
    const result = await migrate(db, AXIS_MIGRATIONS);
    assert.ok(result.applied.includes("axis-0008-traffic-monthly"));
    assert.ok((await monthlyRows(kysely)).length > 0);
    await assertAgrees(kysely, old);
    await kysely.deleteFrom("axis_stats_daily").execute();
    await kysely.deleteFrom("axis_stats_monthly").execute();
  });

  it("bumps the daily and monthly rows with each package, in agreement with the exact computation", async () => {
    const packages = live.map(newPackage);
    if (ctx.dialect === "postgres") {
      // One statement per package, several at once on a pool of four: no deadlock between
      // the daily and the monthly upserts of packages sharing agencies.
      for (let i = 0; i < packages.length; i += 12)
        await Promise.all(packages.slice(i, i + 12).map((p) => insertPackages(kysely, "postgres", [p])));
    } else {
      for (const p of packages)
        await kysely.transaction().execute((trx) => insertPackages(trx, "sqlite", [p]));
    }
    await assertAgrees(kysely, live);
  });

  it("holds the same monthly rows whether bumped package by package or backfilled from the daily rows", async () => {
    const bumped = await monthlyRows(kysely);
    assert.ok(bumped.length > 0);
    await kysely.deleteFrom("axis_stats_monthly").execute();
    await db.transaction((trx) => backfillTrafficMonthly(trx as unknown as Db));
    assert.deepEqual(await monthlyRows(kysely), bumped);
    await assertAgrees(kysely, live);
  });
});
