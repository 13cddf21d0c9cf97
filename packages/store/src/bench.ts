/**
 * Benchmark helpers (import from "@truc/store/bench"; benchmarks only).
 * Ceilings are measured in the same run as the figure they bound.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Measurement, measureRate } from "@truc/common/bench";
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
 * Rate of the barest durable write the database can do: one auto-committed INSERT of `bytes`
 * random bytes into a scratch table with a single key, nothing else. This is the denominator
 * for any "durable rows per second" figure on the same database in the same run.
 * Returns single INSERTs per second (with `concurrency`, the total over all in flight).
 */
export async function measureBareInsertCeiling(
  db: Database,
  bytes: number,
  { seconds = 1, runs = 5, concurrency = 1 }: InsertCeilingOptions = {},
): Promise<Measurement> {
  const table = `truc_bench_ceiling_${randomBytes(4).toString("hex")}`;
  const t = columnTypes(db.dialect);
  await addAutoIdColumn(db.kysely.schema.createTable(table), "id", db.dialect)
    .addColumn("body", t.binary, (c) => c.notNull())
    .execute();
  const body = randomBytes(bytes);
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
