/**
 * Benchmark helpers (import from "@truc/store/bench"; benchmarks only).
 * Ceilings are measured in the same run as the figure they bound.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Measurement, measureRate, readProcStat } from "@truc/common/bench";
import { sql } from "kysely";
import { addAutoIdColumn, columnTypes } from "./columns.ts";
import type { Database } from "./database.ts";

export interface CeilingOptions {
  seconds?: number;
  runs?: number;
}

export interface InsertCeilingOptions extends CeilingOptions {
  /** INSERTs in flight at once (PostgreSQL: needs a pool at least this big). Default 1. */
  concurrency?: number;
}

/**
 * Rate of the barest durable write the database can do: one auto-committed INSERT of a value
 * into a scratch table with a single key, nothing else. The value is `bytes` random bytes, or
 * the given bytes themselves (a benchmark's own package, so that compression and TOAST cost
 * the same as in the figure). This is the denominator for any "durable rows per second"
 * figure on the same database in the same run.
 * Returns single INSERTs per second (with `concurrency`, the total over all in flight).
 */
export async function measureBareInsertCeiling(
  db: Database,
  bytes: number | Buffer,
  { seconds = 1, runs = 5, concurrency = 1 }: InsertCeilingOptions = {},
): Promise<Measurement> {
  const table = `truc_bench_ceiling_${randomBytes(4).toString("hex")}`;
  const t = columnTypes(db.dialect);
  await addAutoIdColumn(db.kysely.schema.createTable(table), "id", db.dialect)
    .addColumn("body", t.binary, (c) => c.notNull())
    .execute();
  // The barest write: PostgreSQL stores the value out of line without trying to compress it.
  if (db.dialect === "postgres")
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN body SET STORAGE EXTERNAL`.execute(db.kysely);
  const body = typeof bytes === "number" ? randomBytes(bytes) : bytes;
  try {
    const insert = () =>
      db.kysely
        .insertInto(table as never)
        .values({ body } as never)
        .execute();
    return await measureConcurrentRate(insert, concurrency, { seconds, runs });
  } finally {
    await db.kysely.schema.dropTable(table).execute();
  }
}

/** Rate of appending `bytes` to one file with an fsync after each append (the disk's ceiling). */
export async function measureFsyncAppendCeiling(
  dir: string,
  bytes: number,
  { seconds = 1, runs = 5 }: CeilingOptions = {},
): Promise<Measurement> {
  const path = join(dir, `fsync-ceiling-${randomBytes(4).toString("hex")}.bin`);
  const fd = openSync(path, "a");
  const body = randomBytes(bytes);
  try {
    return await measureRate(
      () => {
        writeSync(fd, body);
        fsyncSync(fd);
      },
      { seconds, runs },
    );
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** `measureRate` with `concurrency` copies of `op` in flight; the rate counts every completed op. */
export async function measureConcurrentRate(
  op: () => unknown | Promise<unknown>,
  concurrency: number,
  options: CeilingOptions = {},
): Promise<Measurement> {
  const m = await measureRate(
    concurrency === 1 ? op : () => Promise.all(Array.from({ length: concurrency }, () => op())),
    options,
  );
  return concurrency === 1
    ? m
    : { ...m, median: m.median * concurrency, min: m.min * concurrency, max: m.max * concurrency };
}

/**
 * CPU seconds (user + system) used so far by the PostgreSQL server processes on this host, or
 * undefined when there are none to read (not Linux, or the server is elsewhere). Read twice
 * around a run to charge the database's share of the machine to the packages of that run. A
 * backend that exits in between (an autovacuum worker, a closed connection) is counted too:
 * the postmaster waits for its children, and their time moves into its children's counters.
 */
export function localPostgresCpuSeconds(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let total: number | undefined;
  for (const pid of pids) {
    const stat = readProcStat(`/proc/${pid}/stat`);
    if (stat?.command === "postgres") total = (total ?? 0) + stat.cpuSeconds + stat.exitedChildrenCpuSeconds;
  }
  return total;
}
