/**
 * Work-queue claims over any table that has, besides its own primary key `id`:
 *   available_at  epoch ms (bigint), NULL = parked (done or dead-lettered), never due
 *   lease_until   epoch ms (bigint), NULL = not leased
 *   attempts      integer, incremented by every claim
 * (`addQueueColumns` adds them; index `available_at`, together with any column you filter on.)
 *
 * A row is due when `available_at <= now` and its lease is absent or expired. `claim` leases up
 * to N due rows; the returned `leaseUntil` is the claim's token: complete/retry/release/extend
 * succeed only while the row still carries it, so a worker whose lease expired and whose row
 * was re-claimed elsewhere cannot complete someone else's claim (they return false).
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` in a CTE + UPDATE … RETURNING, so concurrent claimers
 * on any number of connections or processes never get the same row. SQLite: one
 * `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`, atomic under SQLite's single writer.
 */
import { type CreateTableBuilder, type RawBuilder, sql } from "kysely";
import { assertIdentifier, columnTypes } from "./columns.ts";
import { type Dialect, dialectOf, type Executor, kyselyOf } from "./database.ts";
import { StoreError } from "./errors.ts";

export interface QueueColumns {
  available_at: number | null;
  lease_until: number | null;
  attempts: number;
}

/** Adds `available_at`, `lease_until` and `attempts` to a table being created. */
export function addQueueColumns<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  dialect: Dialect,
): CreateTableBuilder<T, C> {
  const t = columnTypes(dialect);
  return table
    .addColumn("available_at", t.epochMs)
    .addColumn("lease_until", t.epochMs)
    .addColumn("attempts", t.integer, (c) => c.notNull().defaultTo(0));
}

/** Column values for a newly enqueued row, due at `now + delayMs`. */
export function newQueueColumns(now: number, delayMs = 0): QueueColumns {
  return { available_at: now + delayMs, lease_until: null, attempts: 0 };
}

export interface BackoffOptions {
  /** Delay after the first failed attempt (default 1 000 ms); doubles with each attempt. */
  baseMs?: number;
  /** Upper bound of the delay (default 1 hour). */
  maxMs?: number;
  /** After this many attempts a retry parks the row instead (available_at NULL); default 10. */
  maxAttempts?: number;
  /** Jitter source in [0,1): the delay is scaled by 0.5 + 0.5·random() (default Math.random). */
  random?: () => number;
}

export interface WorkQueueOptions {
  table: string;
  /** Primary-key column (default "id"). */
  idColumn?: string;
  /** What `complete` does: delete the row (default), or park it (available_at NULL) for history. */
  onComplete?: "delete" | "park";
  backoff?: BackoffOptions;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  /** Equality filters on other columns, e.g. `{ destination: "000.00.00.G22" }`. */
  where?: Readonly<Record<string, string | number>>;
}

export interface Claim<Row = Record<string, unknown>> {
  id: string | number;
  /** Lease token: the row's `lease_until` written by this claim. */
  leaseUntil: number;
  /** Attempts including this one. */
  attempts: number;
  row: Row;
}

export interface RetryResult {
  /** False if the lease had been lost (nothing was changed). */
  held: boolean;
  /** True if `maxAttempts` was reached and the row was parked instead of rescheduled. */
  parked: boolean;
  availableAt: number | null;
}

export interface WorkQueue<Row = Record<string, unknown>> {
  /** Leases up to `limit` due rows, oldest `available_at` first. Pass `trx` to claim inside a transaction. */
  claim(options: ClaimOptions, executor?: Executor): Promise<Claim<Row>[]>;
  /** Done: deletes (or parks) the row if the lease is still held. */
  complete(claim: Claim<Row>, executor?: Executor): Promise<boolean>;
  /** Failed: reschedules with exponential back-off (or parks after maxAttempts). */
  retry(claim: Claim<Row>, executor?: Executor, options?: { delayMs?: number }): Promise<RetryResult>;
  /** Gives the row back without counting the attempt (e.g. on shutdown), due after `delayMs`. */
  release(claim: Claim<Row>, executor?: Executor, options?: { delayMs?: number }): Promise<boolean>;
  /** Heartbeat for long work: a new claim with a later lease, or null if the lease was lost. */
  extend(claim: Claim<Row>, leaseMs: number, executor?: Executor): Promise<Claim<Row> | null>;
  /** The delay `retry` would use after `attempts` attempts (before jitter). */
  backoffMs(attempts: number): number;
}

export function createWorkQueue<Row = Record<string, unknown>>(
  db: Executor,
  options: WorkQueueOptions,
): WorkQueue<Row> {
  const table = sql.table(assertIdentifier(options.table));
  const idName = assertIdentifier(options.idColumn ?? "id");
  const id = sql.ref(idName);
  const now = options.now ?? Date.now;
  const baseMs = options.backoff?.baseMs ?? 1000;
  const maxMs = options.backoff?.maxMs ?? 3600_000;
  const maxAttempts = options.backoff?.maxAttempts ?? 10;
  const random = options.backoff?.random ?? Math.random;
  const onComplete = options.onComplete ?? "delete";

  const positive = (value: number, name: string) => {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new StoreError("STORE_QUEUE_OPTION_INVALID", { reason: `${name} must be a positive integer` });
    }
  };
  positive(baseMs, "backoff.baseMs");
  positive(maxMs, "backoff.maxMs");
  positive(maxAttempts, "backoff.maxAttempts");

  const exec = (executor: Executor | undefined) => kyselyOf(executor ?? db);
  const affected = async (query: RawBuilder<unknown>, executor: Executor | undefined) =>
    Number((await query.execute(exec(executor))).numAffectedRows ?? 0) > 0;
  const owned = (claim: Claim<Row>) => sql`${id} = ${claim.id} and lease_until = ${claim.leaseUntil}`;

  const backoffMs = (attempts: number) =>
    Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 52)));

  return {
    backoffMs,

    async claim({ limit, leaseMs, where = {} }: ClaimOptions, executor?: Executor): Promise<Claim<Row>[]> {
      positive(limit, "limit");
      positive(leaseMs, "leaseMs");
      const t = now();
      const leaseUntil = t + leaseMs;
      const filters = Object.entries(where).map(
        ([column, value]) => sql`and ${sql.ref(assertIdentifier(column))} = ${value}`,
      );
      const due = sql`available_at <= ${t} and (lease_until is null or lease_until <= ${t}) ${sql.join(filters, sql` `)}`;
      const handle = executor ?? db;
      const query =
        dialectOf(handle) === "postgres"
          ? sql<Record<string, unknown>>`
              with due as (
                select ${id} from ${table} where ${due}
                order by available_at, ${id} limit ${limit}
                for update skip locked
              )
              update ${table} as q set lease_until = ${leaseUntil}, attempts = q.attempts + 1
              from due where q.${id} = due.${id}
              returning q.*`
          : sql<Record<string, unknown>>`
              update ${table} set lease_until = ${leaseUntil}, attempts = attempts + 1
              where ${id} in (
                select ${id} from ${table} where ${due}
                order by available_at, ${id} limit ${limit}
              )
              returning *`;
      const { rows } = await query.execute(kyselyOf(handle));
      rows.sort((a, b) => {
        const byTime = Number(a.available_at) - Number(b.available_at);
        if (byTime !== 0) return byTime;
        const x = a[idName] as string | number;
        const y = b[idName] as string | number;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      return rows.map((row) => ({
        id: row[idName] as string | number,
        leaseUntil,
        attempts: Number(row.attempts),
        row: row as Row,
      }));
    },

    complete(claim, executor) {
      return affected(
        onComplete === "delete"
          ? sql`delete from ${table} where ${owned(claim)}`
          : sql`update ${table} set available_at = null, lease_until = null where ${owned(claim)}`,
        executor,
      );
    },

    async retry(claim, executor, retryOptions = {}): Promise<RetryResult> {
      if (claim.attempts >= maxAttempts) {
        const held = await affected(
          sql`update ${table} set available_at = null, lease_until = null where ${owned(claim)}`,
          executor,
        );
        return { held, parked: held, availableAt: null };
      }
      const delay = retryOptions.delayMs ?? Math.round(backoffMs(claim.attempts) * (0.5 + 0.5 * random()));
      const availableAt = now() + delay;
      const held = await affected(
        sql`update ${table} set available_at = ${availableAt}, lease_until = null where ${owned(claim)}`,
        executor,
      );
      return { held, parked: false, availableAt: held ? availableAt : null };
    },

    release(claim, executor, releaseOptions = {}) {
      const availableAt = now() + (releaseOptions.delayMs ?? 0);
      return affected(
        sql`update ${table} set available_at = ${availableAt}, lease_until = null, attempts = attempts - 1 where ${owned(claim)}`,
        executor,
      );
    },

    async extend(claim, leaseMs, executor) {
      positive(leaseMs, "leaseMs");
      const leaseUntil = Math.max(now() + leaseMs, claim.leaseUntil + 1);
      const held = await affected(
        sql`update ${table} set lease_until = ${leaseUntil} where ${owned(claim)}`,
        executor,
      );
      return held ? { ...claim, leaseUntil } : null;
    },
  };
}
