import assert from "node:assert/strict";
import { before, it } from "node:test";
import {
  addQueueColumns,
  createWorkQueue,
  type Database,
  migrate,
  newQueueColumns,
  openDatabase,
  StoreError,
} from "../src/index.ts";
import { describeEachDialect } from "../src/testing.ts";

interface JobRow {
  id: string;
  destination: string;
  available_at: number | null;
  lease_until: number | null;
  attempts: number;
}

async function setup(db: Database) {
  await migrate(db, [
    {
      id: "queuetest-0001-jobs",
      async up(trx, dialect) {
        await addQueueColumns(
          trx.schema
            .createTable("jobs")
            .addColumn("id", "text", (c) => c.primaryKey())
            .addColumn("destination", "text", (c) => c.notNull()),
          dialect,
        ).execute();
        await trx.schema
          .createIndex("jobs_due")
          .on("jobs")
          .columns(["destination", "available_at"])
          .execute();
      },
    },
  ]);
}

async function enqueue(db: Database, ids: string[], now: number, destination = "A") {
  await db.transaction(async (trx) => {
    for (const id of ids) {
      await trx
        .insertInto("jobs")
        .values({ id, destination, ...newQueueColumns(now) })
        .execute();
    }
  });
}

describeEachDialect("work queue", (ctx) => {
  let clock = 1_000_000;
  const now = () => clock;
  before(() => setup(ctx.db()));

  it("claims due rows oldest first, leases them, and honours filters", async () => {
    const db = ctx.db();
    await enqueue(db, ["a2", "a1"], clock);
    await enqueue(db, ["a0"], clock - 10);
    await enqueue(db, ["b1"], clock, "B");
    await enqueue(db, ["later"], clock + 5000);
    const queue = createWorkQueue<JobRow>(db, { table: "jobs", now });
    const claims = await queue.claim({ limit: 10, leaseMs: 100, where: { destination: "A" } });
    assert.deepEqual(
      claims.map((c) => c.id),
      ["a0", "a1", "a2"],
    );
    assert.ok(
      claims.every((c) => c.attempts === 1 && c.leaseUntil === clock + 100 && c.row.destination === "A"),
    );
    assert.deepEqual(await queue.claim({ limit: 10, leaseMs: 100, where: { destination: "A" } }), []);
    for (const c of claims) assert.equal(await queue.complete(c), true);
    const b = await queue.claim({ limit: 10, leaseMs: 100 });
    assert.deepEqual(
      b.map((c) => c.id),
      ["b1"],
    );
    await queue.complete(b[0]!);
    clock += 5000;
    const later = await queue.claim({ limit: 1, leaseMs: 100 });
    assert.deepEqual(
      later.map((c) => c.id),
      ["later"],
    );
    await queue.complete(later[0]!);
    const left = await db.kysely.selectFrom("jobs").select("id").execute();
    assert.deepEqual(left, []);
  });

  it("re-delivers after the lease expires, and a stale claim can no longer complete", async () => {
    const db = ctx.db();
    await enqueue(db, ["lease"], clock);
    const queue = createWorkQueue<JobRow>(db, { table: "jobs", now });
    const [first] = await queue.claim({ limit: 1, leaseMs: 100 });
    assert.ok(first);
    clock += 99;
    assert.deepEqual(await queue.claim({ limit: 1, leaseMs: 100 }), []);
    clock += 1;
    const [second] = await queue.claim({ limit: 1, leaseMs: 100 });
    assert.equal(second?.id, "lease");
    assert.equal(second?.attempts, 2);
    assert.equal(await queue.complete(first), false);
    assert.equal((await queue.retry(first)).held, false);
    const extended = await queue.extend(second!, 500);
    assert.ok(extended);
    assert.equal(await queue.complete(second!), false, "the old token is void after extend");
    assert.equal(await queue.complete(extended), true);
  });

  it("retries with exponential back-off and parks after maxAttempts", async () => {
    const db = ctx.db();
    await enqueue(db, ["flaky"], clock);
    const queue = createWorkQueue<JobRow>(db, {
      table: "jobs",
      now,
      onComplete: "park",
      backoff: { baseMs: 1000, maxMs: 3000, maxAttempts: 4, random: () => 1 },
    });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [claim] = await queue.claim({ limit: 1, leaseMs: 60_000 });
      assert.equal(claim?.attempts, attempt);
      const result = await queue.retry(claim!);
      assert.equal(result.held, true);
      assert.equal(result.parked, false);
      delays.push(result.availableAt! - clock);
      assert.deepEqual(await queue.claim({ limit: 1, leaseMs: 60_000 }), [], "not due before the back-off");
      clock = result.availableAt!;
    }
    assert.deepEqual(delays, [1000, 2000, 3000]);
    const [last] = await queue.claim({ limit: 1, leaseMs: 60_000 });
    assert.equal(last?.attempts, 4);
    assert.deepEqual(await queue.retry(last!), { held: true, parked: true, availableAt: null });
    clock += 10 * 3600_000;
    assert.deepEqual(await queue.claim({ limit: 1, leaseMs: 60_000 }), []);
    const row = await db.kysely
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", "flaky")
      .executeTakeFirstOrThrow();
    assert.equal(row.available_at, null);
    assert.equal(row.attempts, 4);
    await db.kysely.deleteFrom("jobs").execute();
  });

  it("release gives the row back without counting the attempt", async () => {
    const db = ctx.db();
    await enqueue(db, ["released"], clock);
    const queue = createWorkQueue<JobRow>(db, { table: "jobs", now });
    const [claim] = await queue.claim({ limit: 1, leaseMs: 60_000 });
    assert.equal(await queue.release(claim!), true);
    const [again] = await queue.claim({ limit: 1, leaseMs: 60_000 });
    assert.equal(again?.attempts, 1);
    await queue.complete(again!);
  });

  it("claims and completes inside a caller's transaction", async () => {
    const db = ctx.db();
    await enqueue(db, ["tx1", "tx2"], clock);
    const queue = createWorkQueue<JobRow>(db, { table: "jobs", now });
    await assert.rejects(
      db.transaction(async (trx) => {
        const claims = await queue.claim({ limit: 5, leaseMs: 1000 }, trx);
        assert.equal(claims.length, 2);
        for (const c of claims) await queue.complete(c, trx);
        throw new Error("roll back");
      }),
      /roll back/,
    );
    const rows = await db.kysely.selectFrom("jobs").selectAll().orderBy("id").execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.attempts, r.lease_until]),
      [
        ["tx1", 0, null],
        ["tx2", 0, null],
      ],
    );
    await db.kysely.deleteFrom("jobs").execute();
  });

  it("rejects invalid options", async () => {
    const invalid = (e: unknown) => e instanceof StoreError && e.code === "STORE_QUEUE_OPTION_INVALID";
    const queue = createWorkQueue(ctx.db(), { table: "jobs", now });
    await assert.rejects(queue.claim({ limit: 0, leaseMs: 10 }), invalid);
    await assert.rejects(queue.claim({ limit: 1, leaseMs: -1 }), invalid);
    assert.throws(
      () => createWorkQueue(ctx.db(), { table: "jobs; drop table jobs" }),
      (e: unknown) => {
        return e instanceof StoreError && e.code === "STORE_NAME_INVALID";
      },
    );
    await assert.rejects(
      queue.claim({ limit: 1, leaseMs: 10, where: { "x = 1 or 1": 1 } }),
      (e: unknown) => e instanceof StoreError && e.code === "STORE_NAME_INVALID",
    );
  });

  it("never hands the same row to two concurrent claimers", async () => {
    const db = ctx.db();
    const ids = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(4, "0")}`);
    await enqueue(db, ids, clock);
    // A second Database is a second pool on PostgreSQL (and shares the one connection on SQLite).
    const other = await openDatabase(ctx.config());
    try {
      const seen = new Map<string, number>();
      const worker = async (handle: Database) => {
        const queue = createWorkQueue<JobRow>(handle, { table: "jobs", now });
        for (;;) {
          const claims = await queue.claim({ limit: 7, leaseMs: 600_000 });
          if (claims.length === 0) return;
          for (const c of claims) {
            seen.set(String(c.id), (seen.get(String(c.id)) ?? 0) + 1);
            assert.equal(await queue.complete(c), true);
          }
        }
      };
      await Promise.all([db, db, db, other, other, other].map(worker));
      assert.equal(seen.size, ids.length);
      assert.deepEqual(
        [...seen.values()].filter((n) => n !== 1),
        [],
      );
    } finally {
      await other.close();
    }
  });
});
