/**
 * Group commit of accepted packages (repositories/package-writer.ts), on both dialects:
 * packages written at the same moment share commits and every row and rollup is there; a
 * twin found stored is answered as a duplicate and nothing of it is written; a twin committed
 * concurrently makes a shared write fail, and only the twin is refused.
 */
import assert from "node:assert/strict";
import { before, it } from "node:test";
import { isUniqueViolation, migrate, openDatabase } from "@truc/store";
import { describeEachDialect } from "@truc/store/testing";
import { insertPackages } from "../src/repositories/package-repository.ts";
import { packageWriteStats, writePackage } from "../src/repositories/package-writer.ts";
import { AXIS_MIGRATIONS, type AxisDatabase } from "../src/repositories/schema.ts";
import { newPackage } from "./support/package-rows.ts";

describeEachDialect("axis: group commit of accepted packages", (ctx) => {
  const db = () => ctx.db() as unknown as Parameters<typeof writePackage>[0];
  /** Edoc packages `<prefix>-<i>` of one sender and day; those given the same identity are twins. */
  const samples = (prefix: string, sender: string, day: string) => (i: number, identity?: string) =>
    newPackage({
      id: `${prefix}-${i}`,
      kind: "edoc",
      sender,
      recipients: ["G02.01"],
      valid: true,
      day,
      ...(identity ? { identity } : {}),
    });
  before(() => migrate(ctx.db(), AXIS_MIGRATIONS));

  it("packages written together share commits, and every row and rollup is there", async () => {
    const before = packageWriteStats(db());
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        writePackage(db(), {
          pkg: newPackage({
            id: `together-${i}`,
            kind: "edoc",
            sender: "G01.01",
            recipients: ["G02.01", "G02.02"],
            valid: i % 2 === 0,
            day: "2025-03-05",
          }),
        }),
      ),
    );
    const after = packageWriteStats(db());
    assert.equal(after.packages - before.packages, n);
    // The first write (or two, on PostgreSQL) goes alone; the rest queue behind it and share.
    assert.ok(after.commits - before.commits <= 4, `${after.commits - before.commits} commits for ${n}`);

    const k = db().kysely;
    const packages = await k
      .selectFrom("axis_packages")
      .select("id")
      .where("id", "like", "together-%")
      .execute();
    assert.equal(packages.length, n);
    const deliveries = await k
      .selectFrom("axis_deliveries")
      .select("package_id")
      .where("package_id", "like", "together-%")
      .execute();
    assert.equal(deliveries.length, 2 * n);
    const rollup = await k
      .selectFrom("axis_stats_daily")
      .select(["agency", "direction", (eb) => eb.fn.sum<number>("count").as("count")])
      .select((eb) => eb.fn.sum<number>("signed_valid").as("valid"))
      .where("day", "=", "2025-03-05")
      .groupBy(["agency", "direction"])
      .orderBy("agency")
      .execute();
    assert.deepEqual(
      rollup.map((r) => [r.agency, r.direction, Number(r.count), Number(r.valid)]),
      [
        ["G01.01", "sent", n, n / 2],
        ["G02.01", "received", n, n / 2],
        ["G02.02", "received", n, n / 2],
      ],
    );
  });

  it("of two twins written at the same moment one is written; the others are committed", async () => {
    const sample = samples("twin", "G01.02", "2025-03-06");
    const writes = [
      sample(0),
      sample(1),
      sample(2, "the-same-document"),
      sample(3),
      sample(4, "the-same-document"),
      sample(5),
    ].map((pkg) => writePackage(db(), { pkg }));
    const settled = await Promise.allSettled(writes);
    const notWritten = settled.flatMap((s, i) =>
      s.status === "rejected"
        ? [[i, s.reason] as const]
        : s.value.duplicateOf
          ? [[i, s.value.duplicateOf] as const]
          : [],
    );
    assert.equal(notWritten.length, 1, "exactly one of the twins is not written");
    const [index, why] = notWritten[0]!;
    assert.ok([2, 4].includes(index));
    // Found stored by the batch look-up, or (PostgreSQL, two writes in flight) refused by the
    // unique key when its twin's commit was still under way at the look-up.
    assert.ok((why as { id?: string }).id === `twin-${6 - index}` || isUniqueViolation(why), String(why));
    const ids = await db()
      .kysely.selectFrom("axis_packages")
      .select("id")
      .where("id", "like", "twin-%")
      .orderBy("id")
      .execute();
    assert.equal(ids.length, 5);
    const stats = await db()
      .kysely.selectFrom("axis_stats_daily")
      .select((eb) => eb.fn.sum<number>("count").as("n"))
      .where("day", "=", "2025-03-06")
      .where("direction", "=", "sent")
      .executeTakeFirstOrThrow();
    assert.equal(Number(stats.n), 5, "the duplicate bumped no rollup");
  });

  it("a twin committed by another writer makes the shared write fail: only the twin is refused", async (t) => {
    const config = ctx.config();
    // SQLite has one writer: another can only commit before or after, never during.
    if (config.kind !== "postgres") return t.skip("PostgreSQL only");
    const sample = samples("race", "G01.03", "2025-03-07");
    const other = await openDatabase<AxisDatabase>({ ...config, poolSize: 1 });
    let batch: Promise<PromiseSettledResult<unknown>[]> | undefined;
    // The twin is inserted by another connection and committed only after the writer's look-up
    // has missed it: the writer's INSERT waits on the unique key, then fails.
    await other.transaction(async (trx) => {
      await insertPackages(trx, "postgres", [sample(9, "raced")]);
      batch = Promise.allSettled(
        [sample(1), sample(2, "raced"), sample(3)].map((pkg) => writePackage(db(), { pkg })),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await other.close();
    const settled = await batch!;
    const refused = settled.flatMap((s, i) => (s.status === "rejected" ? [[i, s.reason] as const] : []));
    assert.equal(refused.length, 1);
    assert.equal(refused[0]![0], 1);
    assert.ok(isUniqueViolation(refused[0]![1]));
    const ids = await db()
      .kysely.selectFrom("axis_packages")
      .select("id")
      .where("id", "like", "race-%")
      .orderBy("id")
      .execute();
    assert.deepEqual(
      ids.map((r) => r.id),
      ["race-1", "race-3", "race-9"],
    );
  });
});
