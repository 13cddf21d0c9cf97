import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import {
  addAutoIdColumn,
  appliedMigrations,
  columnTypes,
  fromJsonText,
  isUniqueViolation,
  type Migration,
  migrate,
  openDatabase,
  StoreError,
  toJsonText,
} from "../src/index.ts";
import { describeEachDialect } from "../src/testing.ts";

const migrations: Migration[] = [
  {
    id: "storetest-0001-things",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await addAutoIdColumn(db.schema.createTable("things"), "seq", dialect)
        .addColumn("id", t.text, (c) => c.notNull().unique())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("due_ms", t.epochMs)
        .addColumn("payload", t.json)
        .addColumn("body", t.binary)
        .addColumn("flag", t.integer, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  {
    id: "storetest-0002-children",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("children")
        .addColumn("id", t.text, (c) => c.primaryKey())
        .addColumn("thing_id", t.text, (c) => c.notNull().references("things.id"))
        .execute();
    },
  },
];

describeEachDialect("database", (ctx) => {
  it("runs migrations once, in order, and records them", async () => {
    const db = ctx.db();
    const first = await migrate(db, migrations);
    assert.deepEqual(first.applied, ["storetest-0001-things", "storetest-0002-children"]);
    const second = await migrate(db, migrations);
    assert.deepEqual(second.applied, []);
    assert.deepEqual(second.skipped, ["storetest-0001-things", "storetest-0002-children"]);
    assert.deepEqual(await appliedMigrations(db), ["storetest-0001-things", "storetest-0002-children"]);
  });

  it("round-trips portable column types identically", async () => {
    const db = ctx.db();
    const body = Buffer.from([0, 1, 2, 255]);
    const createdAt = "2026-01-02T03:04:05.678Z";
    await db.kysely
      .insertInto("things")
      .values({
        id: "a",
        created_at: createdAt,
        due_ms: 1_767_000_000_123,
        payload: toJsonText({ x: "Đà Nẵng" }),
        body,
      })
      .execute();
    const row = await db.kysely
      .selectFrom("things")
      .selectAll()
      .where("id", "=", "a")
      .executeTakeFirstOrThrow();
    assert.equal(typeof row.seq, "number");
    assert.equal(row.created_at, createdAt);
    assert.equal(row.due_ms, 1_767_000_000_123);
    assert.deepEqual(fromJsonText(row.payload), { x: "Đà Nẵng" });
    assert.ok(Buffer.isBuffer(row.body));
    assert.deepEqual(row.body, body);
    const count = await db.kysely
      .selectFrom("things")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(count.n, 1);
  });

  it("commits a transaction and rolls back on error", async () => {
    const db = ctx.db();
    await db.transaction(async (trx) => {
      await trx.insertInto("things").values({ id: "b", created_at: "x" }).execute();
      await trx.insertInto("children").values({ id: "b1", thing_id: "b" }).execute();
    });
    await assert.rejects(
      db.transaction(async (trx) => {
        await trx.insertInto("things").values({ id: "c", created_at: "x" }).execute();
        throw new Error("boom");
      }),
      /boom/,
    );
    const ids = await db.kysely.selectFrom("things").select("id").orderBy("id").execute();
    assert.deepEqual(
      ids.map((r) => r.id),
      ["a", "b"],
    );
  });

  it("enforces foreign keys", async () => {
    await assert.rejects(
      ctx.db().kysely.insertInto("children").values({ id: "orphan", thing_id: "nope" }).execute(),
    );
  });

  it("recognises unique violations on both dialects", async () => {
    const error = await ctx
      .db()
      .kysely.insertInto("things")
      .values({ id: "a", created_at: "x" })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isUniqueViolation(error), String(error));
    assert.equal(isUniqueViolation(new Error("other")), false);
  });

  it("refuses nested transactions", async () => {
    const db = ctx.db();
    await assert.rejects(
      db.transaction(async () => db.transaction(async () => 1)),
      (e: unknown) => e instanceof StoreError && e.code === "STORE_NESTED_TRANSACTION",
    );
  });

  it("serialises concurrent transactions without losing updates", async () => {
    const db = ctx.db();
    await db.kysely.insertInto("things").values({ id: "counter", created_at: "x", flag: 0 }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (trx) => {
          // Read-modify-write with a row lock on PostgreSQL; one writer at a time on SQLite.
          const q = trx.selectFrom("things").select("flag").where("id", "=", "counter");
          const row = await (db.dialect === "postgres" ? q.forUpdate() : q).executeTakeFirstOrThrow();
          await new Promise((r) => setImmediate(r));
          await trx
            .updateTable("things")
            .set({ flag: row.flag + 1 })
            .where("id", "=", "counter")
            .execute();
        }),
      ),
    );
    const row = await db.kysely
      .selectFrom("things")
      .select("flag")
      .where("id", "=", "counter")
      .executeTakeFirstOrThrow();
    assert.equal(row.flag, 20);
  });

  it("applies each migration once when two connections migrate at the same time", async () => {
    const other = await openDatabase(ctx.config());
    let runs = 0;
    const counted: Migration[] = [
      {
        id: "storetest-0003-counted",
        async up(db) {
          runs++;
          await sql`create table counted (id integer primary key)`.execute(db);
        },
      },
    ];
    try {
      const [a, b] = await Promise.all([migrate(ctx.db(), counted), migrate(other, counted)]);
      assert.equal(runs, 1);
      assert.deepEqual([...a.applied, ...b.applied], ["storetest-0003-counted"]);
    } finally {
      await other.close();
    }
  });

  it("rejects invalid migration lists and wraps failures", async () => {
    const db = ctx.db();
    const invalid = (e: unknown) => e instanceof StoreError && e.code === "STORE_MIGRATION_INVALID";
    await assert.rejects(migrate(db, [{ id: "Bad Id", up: async () => {} }]), invalid);
    await assert.rejects(
      migrate(db, [
        { id: "storetest-0009-x", up: async () => {} },
        { id: "storetest-0009-x", up: async () => {} },
      ]),
      invalid,
    );
    await assert.rejects(
      migrate(db, [
        {
          id: "storetest-0010-fails",
          async up(trx) {
            await sql`create table half_done (id integer)`.execute(trx);
            throw new Error("broken migration");
          },
        },
      ]),
      (e: unknown) => e instanceof StoreError && e.code === "STORE_MIGRATION_FAILED",
    );
    assert.ok(!(await appliedMigrations(db)).includes("storetest-0010-fails"));
    // The failed migration's DDL was rolled back with it.
    await sql`create table half_done (id integer)`.execute(db.kysely);
  });
});

describe("database rejections", () => {
  const code = (c: string) => (e: unknown) => e instanceof StoreError && e.code === c;

  it("rejects an invalid configuration", async () => {
    await assert.rejects(openDatabase({ kind: "mysql" } as never), code("STORE_CONFIG_INVALID"));
    await assert.rejects(openDatabase({ kind: "sqlite", path: "" }), code("STORE_CONFIG_INVALID"));
    await assert.rejects(openDatabase({ kind: "postgres", url: "" }), code("STORE_CONFIG_INVALID"));
  });

  it("gives STORE_BUSY when another process keeps the SQLite write lock past busy_timeout", async () => {
    const dir = await mkdtemp(join(tmpdir(), "truc-busy-"));
    const path = join(dir, "busy.sqlite");
    const db = await openDatabase({ kind: "sqlite", path, busyTimeoutMs: 50 });
    // A separate connection stands in for another process holding the write lock.
    const otherProcess = new BetterSqlite3(path);
    try {
      otherProcess.exec("begin immediate");
      await assert.rejects(
        db.transaction(async () => 1),
        code("STORE_BUSY"),
      );
      otherProcess.exec("rollback");
      assert.equal(await db.transaction(async () => 2), 2);
    } finally {
      otherProcess.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses transactions after close", async () => {
    const dir = await mkdtemp(join(tmpdir(), "truc-closed-"));
    const db = await openDatabase({ kind: "sqlite", path: join(dir, "x.sqlite") });
    await db.close();
    await assert.rejects(
      db.transaction(async () => 1),
      code("STORE_CLOSED"),
    );
    await rm(dir, { recursive: true, force: true });
  });
});
