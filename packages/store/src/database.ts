/**
 * Connections: one `Database` shape over embedded SQLite (better-sqlite3) and PostgreSQL (pg).
 *
 * Durability contract of `transaction(fn)`: the returned promise resolves only after COMMIT
 * has returned, and COMMIT is durable on both dialects:
 * - SQLite runs in WAL mode with `synchronous=FULL`, so every commit fsyncs the WAL before
 *   COMMIT returns (checked at open: the pragmas are read back).
 * - PostgreSQL connections are opened with `synchronous_commit=on`, and `openDatabase`
 *   refuses a server running with `fsync=off` (STORE_NOT_DURABLE).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from "kysely";
import pg from "pg";
import { StoreError } from "./errors.ts";

export type Dialect = "sqlite" | "postgres";

/** A Kysely handle whose table types the store does not know (migrations, generic helpers). */
// biome-ignore lint/suspicious/noExplicitAny: schema-agnostic handle, as Kysely documents for migrations
export type AnyKysely = Kysely<any>;
/** Default table map of a `Database` whose caller did not pass its table types. */
// biome-ignore lint/suspicious/noExplicitAny: same reason
type AnyTables = any;

export type DatabaseConfig =
  | {
      kind: "sqlite";
      /** Database file; its directory is created if missing. Keep it inside the node's data directory. */
      path: string;
      /** How long a write waits for another process's lock before STORE_BUSY (default 5000 ms). */
      busyTimeoutMs?: number;
    }
  | {
      kind: "postgres";
      url: string;
      /** Maximum pool connections (default 10). */
      poolSize?: number;
      /** Time to wait for a new connection before STORE_UNAVAILABLE (default 10000 ms). */
      connectTimeoutMs?: number;
    };

export interface Database<DB = AnyTables> {
  /** Query builder for statements outside a transaction (each statement auto-commits). */
  readonly kysely: Kysely<DB>;
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction and resolves after a durable COMMIT; rolls back if `fn` throws.
   * Inside `fn` use only the `trx` handle: on SQLite the single connection is held by the
   * transaction, so a query through `db.kysely` from inside `fn` would wait forever.
   * Transactions do not nest (STORE_NESTED_TRANSACTION). A lost connection gives
   * STORE_UNAVAILABLE; if it was lost during COMMIT the outcome is unknown, so writes must be
   * idempotent (stable ids) before a caller retries.
   */
  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Anything the helpers of this package accept: a `Database`, or a Kysely handle (e.g. a `trx`). */
export type Executor = Database | AnyKysely;

const activeTransaction = new AsyncLocalStorage<object>();

export async function openDatabase<DB = AnyTables>(config: DatabaseConfig): Promise<Database<DB>> {
  if (config.kind === "sqlite") return openSqlite<DB>(config);
  if (config.kind === "postgres") return openPostgres<DB>(config);
  throw new StoreError("STORE_CONFIG_INVALID", { reason: "kind must be sqlite or postgres" });
}

// ---------------------------------------------------------------- SQLite

/** better-sqlite3 with a prepared-statement cache (Kysely's driver prepares on every query). */
function cachingSqlite(raw: BetterSqlite3.Database, capacity = 256): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(query: string): SqliteStatement {
      let stmt = cache.get(query);
      if (stmt) {
        cache.delete(query);
      } else {
        stmt = raw.prepare(query);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      }
      cache.set(query, stmt);
      return stmt as unknown as SqliteStatement;
    },
  };
}

interface SharedSqlite {
  kysely: AnyKysely;
  raw: BetterSqlite3.Database;
  refs: number;
}

/**
 * One connection per database file per process. better-sqlite3 is synchronous: a second
 * connection in the same thread waiting on busy_timeout would block the thread that holds the
 * lock, so both would stall until STORE_BUSY. Opening the same file twice shares the connection.
 */
const sqliteConnections = new Map<string, SharedSqlite>();

function openSharedSqlite(path: string, busyTimeoutMs: number): SharedSqlite {
  const key = path === ":memory:" ? undefined : resolve(path);
  const existing = key ? sqliteConnections.get(key) : undefined;
  if (existing) {
    existing.refs++;
    return existing;
  }
  if (key) mkdirSync(dirname(key), { recursive: true });
  const raw = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  try {
    const mode = raw.pragma("journal_mode = WAL", { simple: true });
    if (key && mode !== "wal") {
      throw new StoreError("STORE_NOT_DURABLE", { setting: "journal_mode", value: String(mode) });
    }
    raw.pragma("synchronous = FULL");
    raw.pragma("foreign_keys = ON");
    raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const synchronous = raw.pragma("synchronous", { simple: true });
    if (synchronous !== 2)
      throw new StoreError("STORE_NOT_DURABLE", { setting: "synchronous", value: synchronous });
  } catch (error) {
    raw.close();
    throw error;
  }
  const shared: SharedSqlite = {
    kysely: new Kysely<AnyTables>({ dialect: new SqliteDialect({ database: cachingSqlite(raw) }) }),
    raw,
    refs: 1,
  };
  if (key) sqliteConnections.set(key, shared);
  return shared;
}

function openSqlite<DB>(config: Extract<DatabaseConfig, { kind: "sqlite" }>): Database<DB> {
  if (!config.path) throw new StoreError("STORE_CONFIG_INVALID", { reason: "sqlite path is empty" });
  const shared = openSharedSqlite(config.path, config.busyTimeoutMs ?? 5000);
  const kysely = shared.kysely as Kysely<DB>;
  const raw = shared.raw;
  let closed = false;
  const db: Database<DB> = {
    kysely,
    dialect: "sqlite",
    async transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
      if (closed) throw new StoreError("STORE_CLOSED");
      if (activeTransaction.getStore() === shared) throw new StoreError("STORE_NESTED_TRANSACTION");
      // SQLite has one writer. Kysely's SQLite driver holds one connection behind a mutex, and
      // `connection()` keeps that mutex for the whole callback: this serialises transactions
      // in-process (the connection is shared by every Database opened on the same file).
      // BEGIN IMMEDIATE takes the write lock up front, so another process waits (busy_timeout)
      // at BEGIN instead of failing half-way with SQLITE_BUSY when a reader upgrades.
      return kysely.connection().execute(async (conn) => {
        try {
          await sql`begin immediate`.execute(conn);
        } catch (error) {
          throw mapSqliteError(error);
        }
        try {
          const result = await activeTransaction.run(shared, () => fn(conn));
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          if (raw.inTransaction) {
            try {
              await sql`rollback`.execute(conn);
            } catch {
              // the original error matters more
            }
          }
          throw mapSqliteError(error);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (--shared.refs > 0) return;
      for (const [key, value] of sqliteConnections) if (value === shared) sqliteConnections.delete(key);
      await kysely.destroy();
    },
  };
  return db;
}

function mapSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) {
    return new StoreError("STORE_BUSY", undefined, { cause: error });
  }
  return error;
}

// ---------------------------------------------------------------- PostgreSQL

const NODE_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
const PG_CONNECTION_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);
const PG_CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed/i;

/** True for errors that mean "the database connection failed", not "the statement was wrong". */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (code.startsWith("08") || PG_CONNECTION_CODES.has(code) || NODE_CONNECTION_CODES.has(code))
      return true;
  }
  return PG_CONNECTION_MESSAGES.test(error.message);
}

function mapPgError(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  if (error instanceof Error && /pool after calling end/i.test(error.message)) {
    return new StoreError("STORE_CLOSED", undefined, { cause: error });
  }
  if (isConnectionError(error)) return new StoreError("STORE_UNAVAILABLE", undefined, { cause: error });
  return error;
}

/** int8 (COUNT(*), bigint columns) as a JS number, like better-sqlite3; refuses silent precision loss. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${value} exceeds Number.MAX_SAFE_INTEGER`);
  return n;
}

const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 && format !== "binary") return parseInt8;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

/**
 * Wraps the pool so connection failures surface as STORE_UNAVAILABLE wherever they happen
 * (inside or outside a transaction), and a client that dies while checked out cannot crash
 * the process with an unhandled 'error' event.
 */
function guardedPool(pool: pg.Pool) {
  const wrapped = new WeakMap<pg.PoolClient, unknown>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw mapPgError(error);
      }
      let wrapper = wrapped.get(client);
      if (!wrapper) {
        // The next query on a dead client fails and is mapped; the event itself needs a listener.
        client.on("error", () => {});
        wrapper = {
          query(...args: unknown[]) {
            const result = (client.query as (...a: unknown[]) => unknown)(...args);
            if (result && typeof (result as Promise<unknown>).then === "function") {
              return (result as Promise<unknown>).catch((error) => {
                throw mapPgError(error);
              });
            }
            return result;
          },
          release(error?: Error | boolean) {
            client.release(error);
          },
        };
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

async function openPostgres<DB>(
  config: Extract<DatabaseConfig, { kind: "postgres" }>,
): Promise<Database<DB>> {
  if (!config.url) throw new StoreError("STORE_CONFIG_INVALID", { reason: "postgres url is empty" });
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: "truc",
    options: "-c synchronous_commit=on",
    types: pgTypes,
  });
  // An idle client whose backend dies emits 'error' on the pool; the pool drops it by itself.
  pool.on("error", () => {});
  const guarded = guardedPool(pool);
  try {
    const client = (await guarded.connect()) as {
      query(q: string): Promise<pg.QueryResult>;
      release(): void;
    };
    try {
      const fsync = (await client.query("show fsync")).rows[0]?.fsync;
      if (fsync !== "on")
        throw new StoreError("STORE_NOT_DURABLE", { setting: "fsync", value: String(fsync) });
      const sync = (await client.query("show synchronous_commit")).rows[0]?.synchronous_commit;
      if (sync !== "on" && sync !== "remote_write" && sync !== "remote_apply") {
        throw new StoreError("STORE_NOT_DURABLE", { setting: "synchronous_commit", value: String(sync) });
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: guarded as never }) });
  let closed = false;
  const db: Database<DB> = {
    kysely,
    dialect: "postgres",
    async transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
      if (closed) throw new StoreError("STORE_CLOSED");
      if (activeTransaction.getStore() === pool) throw new StoreError("STORE_NESTED_TRANSACTION");
      try {
        return await kysely.transaction().execute((trx) => activeTransaction.run(pool, () => fn(trx)));
      } catch (error) {
        throw mapPgError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy();
    },
  };
  return db;
}

// ---------------------------------------------------------------- helpers

/** The dialect behind a `Database` or any Kysely handle opened by `openDatabase` (including a `trx`). */
export function dialectOf(executor: Executor): Dialect {
  if (isDatabase(executor)) return executor.dialect;
  const adapter = executor.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return "postgres";
  if (adapter instanceof SqliteAdapter) return "sqlite";
  throw new StoreError("STORE_CONFIG_INVALID", { reason: "unknown Kysely dialect" });
}

export function kyselyOf(executor: Executor): AnyKysely {
  return isDatabase(executor) ? executor.kysely : executor;
}

/** Runs `fn` in a new transaction when given a `Database`, or directly on a handle that is already a `trx`. */
export function withinTransaction<T>(executor: Executor, fn: (k: AnyKysely) => Promise<T>): Promise<T> {
  return isDatabase(executor) ? executor.transaction(fn) : fn(executor);
}

export function isDatabase(executor: Executor): executor is Database {
  return !(executor instanceof Kysely) && "kysely" in executor && "dialect" in executor;
}

/** True for a primary-key or unique-constraint violation on either dialect (for de-duplication). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Default PostgreSQL URL for tests and tools (`DATABASE_URL`). */
export function defaultPostgresUrl(): string {
  return process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}
