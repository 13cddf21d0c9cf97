/**
 * A tiny migrator. Each package passes its own ordered list; applied ids are recorded in
 * `truc_migrations`. Every migration runs in its own transaction together with the row that
 * records it, so a crash leaves it either fully applied or not at all. On PostgreSQL each
 * transaction first takes a transaction-scoped advisory lock, so two processes starting
 * together apply each migration exactly once (the second waits, then sees the record).
 * On SQLite, BEGIN IMMEDIATE gives the same exclusion across processes.
 */
import { sql } from "kysely";
import type { AnyKysely, Database, Dialect } from "./database.ts";
import { StoreError } from "./errors.ts";

export interface Migration {
  /** Stable, package-prefixed id, e.g. `axis-0001-directory`. Never rename an applied one. */
  id: string;
  /** Schema change; runs inside a transaction. Use `columnTypes(dialect)` for portable types. */
  up(db: AnyKysely, dialect: Dialect): Promise<void>;
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

const MIGRATION_ID = /^[a-z][a-z0-9]*-\d{4}-[a-z0-9][a-z0-9-]*$/;
/** Arbitrary constant shared by every truc process: "truc" in ASCII. */
const ADVISORY_LOCK_KEY = 0x74727563;

export async function migrate(db: Database, migrations: readonly Migration[]): Promise<MigrationResult> {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (typeof m?.id !== "string" || !MIGRATION_ID.test(m.id)) {
      throw new StoreError("STORE_MIGRATION_INVALID", {
        reason: `id ${JSON.stringify(m?.id)} must look like <package>-0001-<name>`,
      });
    }
    if (seen.has(m.id)) throw new StoreError("STORE_MIGRATION_INVALID", { reason: `duplicate id ${m.id}` });
    if (typeof m.up !== "function")
      throw new StoreError("STORE_MIGRATION_INVALID", { reason: `${m.id} has no up()` });
    seen.add(m.id);
  }

  await db.transaction(async (trx) => {
    await lock(trx, db.dialect);
    await trx.schema
      .createTable("truc_migrations")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
  });

  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of migrations) {
    const applied = await db.transaction(async (trx) => {
      await lock(trx, db.dialect);
      const done = await trx
        .selectFrom("truc_migrations")
        .select("id")
        .where("id", "=", m.id)
        .executeTakeFirst();
      if (done) return false;
      try {
        await m.up(trx, db.dialect);
      } catch (error) {
        if (error instanceof StoreError && error.code === "STORE_UNAVAILABLE") throw error;
        throw new StoreError("STORE_MIGRATION_FAILED", { id: m.id }, { cause: error });
      }
      await trx
        .insertInto("truc_migrations")
        .values({ id: m.id, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    (applied ? result.applied : result.skipped).push(m.id);
  }
  return result;
}

async function lock(trx: AnyKysely, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`.execute(trx);
}

/** Ids recorded in `truc_migrations`, oldest first (empty before the first `migrate`). */
export async function appliedMigrations(db: Database): Promise<string[]> {
  try {
    const rows = await db.kysely
      .selectFrom("truc_migrations" as never)
      .select(["id" as never, "applied_at" as never])
      .orderBy("applied_at" as never)
      .orderBy("id" as never)
      .execute();
    return rows.map((r) => (r as { id: string }).id);
  } catch (error) {
    if (/truc_migrations/.test(String((error as Error)?.message))) return [];
    throw error;
  }
}
