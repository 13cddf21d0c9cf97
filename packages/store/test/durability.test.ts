import assert from "node:assert/strict";
import { join } from "node:path";
import { before, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { migrate, openBlobStore, openDatabase, StoreError } from "../src/index.ts";
import { describeEachDialect } from "../src/testing.ts";
import { runAndKill as runChild } from "./helpers/run-and-kill.ts";

const CHILD = new URL("./helpers/durability-child.ts", import.meta.url).pathname;
const isUnavailable = (e: unknown) => e instanceof StoreError && e.code === "STORE_UNAVAILABLE";

/** Runs the child until it has acknowledged `count` ids, kills it with SIGKILL, returns the acks. */
async function runAndKill(config: unknown, blobDir: string, count: number): Promise<Map<number, string>> {
  const acks = await runChild(CHILD, [JSON.stringify(config), blobDir], count);
  return new Map(acks.map(([id, sha]) => [Number(id), sha!]));
}

describeEachDialect("durability", (ctx) => {
  before(() =>
    migrate(ctx.db(), [
      {
        id: "durabilitytest-0001-acks",
        async up(db) {
          await db.schema
            .createTable("acks")
            .addColumn("id", "integer", (c) => c.primaryKey())
            .addColumn("sha256", "text", (c) => c.notNull())
            .execute();
          await db.schema
            .createTable("acks_queue")
            .addColumn("ack_id", "integer", (c) => c.primaryKey().references("acks.id"))
            .execute();
        },
      },
    ]),
  );

  it("keeps every acknowledged row and blob after kill -9", async () => {
    const blobDir = join(ctx.dataDir(), "durable-blobs");
    const acks = await runAndKill(ctx.config(), blobDir, 150);
    assert.ok(acks.size >= 150);
    // Reopen as a fresh process would (SQLite replays its WAL here).
    const db = await openDatabase(ctx.config());
    const blobs = await openBlobStore(blobDir);
    try {
      const rows = await db.kysely.selectFrom("acks").select(["id", "sha256"]).execute();
      const stored = new Map(rows.map((r) => [r.id, r.sha256]));
      const queued = new Set(
        (await db.kysely.selectFrom("acks_queue").select("ack_id").execute()).map((r) => r.ack_id),
      );
      const missing = [...acks.keys()].filter((id) => stored.get(id) !== acks.get(id) || !queued.has(id));
      assert.deepEqual(missing, []);
      for (const sha of acks.values()) await blobs.verify(sha);
    } finally {
      await db.close();
    }
  });

  it("reports a lost PostgreSQL connection as STORE_UNAVAILABLE and recovers", {
    skip: ctx.dialect !== "postgres",
  }, async () => {
    const config = ctx.config();
    assert.equal(config.kind, "postgres");
    const db = await openDatabase({ ...config, poolSize: 2 });
    const admin = new pg.Client({ connectionString: config.kind === "postgres" ? config.url : "" });
    await admin.connect();
    try {
      // 1. Backend killed in the middle of a transaction.
      await assert.rejects(
        db.transaction(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
          await sql`select 1`.execute(trx);
        }),
        isUnavailable,
      );
      const after = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
      assert.equal(after.rows[0]?.one, 1);

      // 2. Every idle pooled backend killed: a query may fail (only with STORE_UNAVAILABLE) until
      //    the pool has dropped the dead clients; it must then succeed without reopening.
      await Promise.all([
        db.transaction((trx) => sql`select pg_sleep(0.01)`.execute(trx)),
        db.transaction((trx) => sql`select pg_sleep(0.01)`.execute(trx)),
      ]);
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'truc'",
      );
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        try {
          await sql`select 1`.execute(db.kysely);
          ok = true;
        } catch (error) {
          assert.ok(isUnavailable(error), String(error));
        }
      }
      assert.ok(ok, "the pool did not recover");
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it("reports an unreachable PostgreSQL server as STORE_UNAVAILABLE", {
    skip: ctx.dialect !== "postgres",
  }, async () => {
    await assert.rejects(
      openDatabase({
        kind: "postgres",
        url: "postgres://postgres@127.0.0.1:1/postgres",
        connectTimeoutMs: 2000,
      }),
      isUnavailable,
    );
  });
});
