/**
 * Test harness for every data test in the repository (import from "@truc/store/testing").
 *
 *   describeEachDialect("mailbox repository", (ctx) => {
 *     before(() => migrate(ctx.db(), AXIS_MIGRATIONS));
 *     it("stores a package", async () => { const db = ctx.db(); … });
 *   });
 *
 * The body runs twice: once on SQLite (a temporary data directory, removed afterwards) and
 * once on PostgreSQL (`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres; a
 * fresh `truc_t_<random>` database, dropped afterwards). Each call gets its own database and
 * blob directory, shared by the tests inside it. `TRUC_TEST_DIALECTS=sqlite` (or `postgres`)
 * restricts the run; PostgreSQL being unreachable is a failure, not a skip.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import pg from "pg";
import { type BlobStore, openBlobStore } from "./blobs.ts";
import {
  type Database,
  type DatabaseConfig,
  type Dialect,
  defaultPostgresUrl,
  openDatabase,
} from "./database.ts";

export interface DialectContext {
  readonly dialect: Dialect;
  /** The suite's database (opened in `before`, closed in `after`). */
  db(): Database;
  /** A blob store in the suite's temporary directory. */
  blobs(): BlobStore;
  /** How to open another connection to the same database (e.g. from a child process). */
  config(): DatabaseConfig;
  /** The suite's temporary directory (removed afterwards). */
  dataDir(): string;
}

export function testDialects(): Dialect[] {
  const wanted = (process.env.TRUC_TEST_DIALECTS ?? "sqlite,postgres").split(",").map((s) => s.trim());
  return (["sqlite", "postgres"] as const).filter((d) => wanted.includes(d));
}

export function describeEachDialect(title: string, body: (ctx: DialectContext) => void): void {
  for (const dialect of testDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let db: Database | undefined;
      let blobs: BlobStore | undefined;
      let config: DatabaseConfig | undefined;
      let dir: string | undefined;
      let dropDatabase: (() => Promise<void>) | undefined;
      const need = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`${what} is only available inside tests and hooks`);
        return value;
      };

      before(async () => {
        dir = await mkdtemp(join(tmpdir(), `truc-${dialect}-`));
        if (dialect === "sqlite") {
          config = { kind: "sqlite", path: join(dir, "data", "truc.sqlite") };
        } else {
          const created = await createTestDatabase();
          config = { kind: "postgres", url: created.url, poolSize: 4 };
          dropDatabase = created.drop;
        }
        db = await openDatabase(config);
        blobs = await openBlobStore(join(dir, "blobs"));
      });

      after(async () => {
        await db?.close();
        await dropDatabase?.();
        if (dir) await rm(dir, { recursive: true, force: true });
      });

      body({
        dialect,
        db: () => need(db, "ctx.db()"),
        blobs: () => need(blobs, "ctx.blobs()"),
        config: () => need(config, "ctx.config()"),
        dataDir: () => need(dir, "ctx.dataDir()"),
      });
    });
  }
}

/** Creates an empty `truc_t_<random>` database next to `DATABASE_URL`; `drop()` removes it. */
export async function createTestDatabase(
  baseUrl = defaultPostgresUrl(),
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `truc_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Deterministic pseudo-random numbers in [0, 1) (mulberry32): generated test and benchmark
 * data is the same on both dialects and from run to run, so a failure reproduces.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
