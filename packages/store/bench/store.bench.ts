/**
 * Durable write rates of the store, each next to a raw ceiling measured in the same run:
 * - bare INSERT of the same bytes with nothing else (`measureBareInsertCeiling`),
 * - fsync'd append of the same bytes to one file (`measureFsyncAppendCeiling`).
 * A "package" is what the axis stores per accepted message: a 2 KB metadata row, a 100 KB
 * attachment in the blob store (file fsync + rename + directory fsync) and 3 queue rows, with
 * the rows in one transaction. Env: TRUC_BENCH_SECONDS (default 1), TRUC_BENCH_RUNS (default 3).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchRow, type Measurement, measureRate, peakRssMiB, report } from "@truc/common/bench";
import { measureBareInsertCeiling, measureConcurrentRate, measureFsyncAppendCeiling } from "../src/bench.ts";
import {
  type AnyKysely,
  addQueueColumns,
  type BlobStore,
  columnTypes,
  type Database,
  type Dialect,
  migrate,
  newQueueColumns,
  openBlobStore,
  openDatabase,
} from "../src/index.ts";
import { createTestDatabase } from "../src/testing.ts";

const options = {
  seconds: Number(process.env.TRUC_BENCH_SECONDS ?? 1),
  runs: Number(process.env.TRUC_BENCH_RUNS ?? 3),
};
const META = 2048;
const ATTACHMENT = 100 * 1024;
const PACKAGE_BYTES = META + ATTACHMENT;
const MIB = 1024 * 1024;

const schema = [
  {
    id: "storebench-0001-tables",
    async up(db: AnyKysely, dialect: Dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("rows_2k")
        .addColumn("id", t.text, (c) => c.primaryKey())
        .addColumn("received_at", t.isoTime, (c) => c.notNull())
        .addColumn("meta", t.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("packages")
        .addColumn("id", t.text, (c) => c.primaryKey())
        .addColumn("sender", t.text, (c) => c.notNull())
        .addColumn("received_at", t.isoTime, (c) => c.notNull())
        .addColumn("meta", t.text, (c) => c.notNull())
        .addColumn("attachment_sha256", t.text, (c) => c.notNull())
        .addColumn("attachment_size", t.integer, (c) => c.notNull())
        .execute();
      await addQueueColumns(
        db.schema
          .createTable("deliveries")
          .addColumn("id", t.text, (c) => c.primaryKey())
          .addColumn("package_id", t.text, (c) => c.notNull().references("packages.id"))
          .addColumn("destination", t.text, (c) => c.notNull()),
        dialect,
      ).execute();
      await db.schema
        .createIndex("deliveries_due")
        .on("deliveries")
        .columns(["destination", "available_at"])
        .execute();
    },
  },
];

const meta = randomBytes(META / 2).toString("hex");

function distinctAttachment(): Buffer {
  // Random bytes per package so the blob store never de-duplicates.
  return randomBytes(ATTACHMENT);
}

async function storePackage(db: Database, blobs: BlobStore): Promise<void> {
  const blob = await blobs.put(distinctAttachment());
  const id = randomUUID();
  const now = Date.now();
  await db.transaction(async (trx) => {
    await trx
      .insertInto("packages")
      .values({
        id,
        sender: "000.00.00.G22",
        received_at: new Date(now).toISOString(),
        meta,
        attachment_sha256: blob.sha256,
        attachment_size: blob.size,
      })
      .execute();
    for (const destination of ["000.00.01.H01", "000.00.02.H02", "000.00.03.H03"]) {
      await trx
        .insertInto("deliveries")
        .values({ id: randomUUID(), package_id: id, destination, ...newQueueColumns(now) })
        .execute();
    }
  });
}

async function clearTables(db: Database) {
  await db.kysely.deleteFrom("deliveries").execute();
  await db.kysely.deleteFrom("packages").execute();
  await db.kysely.deleteFrom("rows_2k").execute();
}

const row = (
  figure: string,
  m: Measurement,
  unit: string,
  ceiling?: { name: string; m: Measurement },
  note?: string,
) =>
  ({
    figure,
    value: m.median,
    unit,
    ...(ceiling ? { ceiling: { name: ceiling.name, value: ceiling.m.median } } : {}),
    note: [`min–max ${Math.round(m.min)}–${Math.round(m.max)}`, note].filter(Boolean).join("; "),
  }) satisfies BenchRow;

const scale = (m: Measurement, factor: number): Measurement => ({
  ...m,
  median: m.median * factor,
  min: m.min * factor,
  max: m.max * factor,
});

async function benchDialect(dialect: Dialect, dir: string): Promise<BenchRow[]> {
  let drop: (() => Promise<void>) | undefined;
  let db: Database;
  if (dialect === "sqlite") {
    db = await openDatabase({ kind: "sqlite", path: join(dir, "sqlite", "truc.sqlite") });
  } else {
    const created = await createTestDatabase();
    drop = created.drop;
    db = await openDatabase({ kind: "postgres", url: created.url, poolSize: 10 });
  }
  const blobDir = join(dir, `blobs-${dialect}`);
  let blobs = await openBlobStore(blobDir);
  const resetBlobs = async () => {
    await rm(blobDir, { recursive: true, force: true });
    blobs = await openBlobStore(blobDir);
  };
  const rows: BenchRow[] = [];
  try {
    await migrate(db, schema);
    const tag = `[${dialect}]`;

    const fsync2k = await measureFsyncAppendCeiling(dir, META, options);
    const bare2k = await measureBareInsertCeiling(db, META, options);
    rows.push(
      row(`${tag} bare INSERT 2 KB, autocommit`, bare2k, "rows/s", {
        name: "fsync'd 2 KB append",
        m: fsync2k,
      }),
    );
    const row2k = await measureRate(
      () =>
        db.transaction((trx) =>
          trx
            .insertInto("rows_2k")
            .values({ id: randomUUID(), received_at: new Date().toISOString(), meta })
            .execute(),
        ),
      options,
    );
    rows.push(
      row(`${tag} 2 KB row via db.transaction`, row2k, "rows/s", { name: "bare INSERT 2 KB", m: bare2k }),
    );
    await clearTables(db);

    const fsyncPkg = await measureFsyncAppendCeiling(dir, PACKAGE_BYTES, options);
    const barePkg = await measureBareInsertCeiling(db, PACKAGE_BYTES, options);
    rows.push(
      row(`${tag} bare INSERT 102 KB, autocommit`, barePkg, "rows/s", {
        name: "fsync'd 102 KB append",
        m: fsyncPkg,
      }),
    );
    const pkg = await measureRate(() => storePackage(db, blobs), options);
    rows.push(
      row(`${tag} package tx (2 KB row + 100 KB blob + 3 queue rows)`, pkg, "pkg/s", {
        name: "bare INSERT 102 KB",
        m: barePkg,
      }),
    );
    rows.push(
      row(`${tag} same package tx vs disk`, pkg, "pkg/s", { name: "fsync'd 102 KB append", m: fsyncPkg }),
    );
    await clearTables(db);
    await resetBlobs();

    if (dialect === "postgres") {
      const bare8 = await measureBareInsertCeiling(db, PACKAGE_BYTES, { ...options, concurrency: 8 });
      const pkg8 = await measureConcurrentRate(() => storePackage(db, blobs), 8, options);
      rows.push(
        row(`${tag} package tx, 8 in flight`, pkg8, "pkg/s", {
          name: "bare INSERT 102 KB, 8 in flight",
          m: bare8,
        }),
      );
      await clearTables(db);
      await resetBlobs();
    }
  } finally {
    await db.close();
    await drop?.();
    await rm(blobDir, { recursive: true, force: true });
  }
  return rows;
}

async function benchBlobs(dir: string): Promise<BenchRow[]> {
  const blobDir = join(dir, "blobs-only");
  const blobs = await openBlobStore(blobDir);
  const oneMiB = randomBytes(MIB);
  let n = 0;
  const fsync1m = scale(await measureFsyncAppendCeiling(dir, MIB, options), 1);
  const put1m = await measureRate(() => {
    // Vary the first bytes so every put is a new blob.
    oneMiB.writeUInt32BE(n++, 0);
    return blobs.put(oneMiB);
  }, options);
  await rm(blobDir, { recursive: true, force: true });
  const blobs2 = await openBlobStore(blobDir);
  const chunked = await measureRate(async () => {
    oneMiB.writeUInt32BE(n++, 0);
    const w = blobs2.writer();
    for (let i = 0; i < MIB; i += 64 * 1024) await w.write(oneMiB.subarray(i, i + 64 * 1024));
    await w.finish();
  }, options);
  await rm(blobDir, { recursive: true, force: true });
  return [
    row("[blobs] put 1 MiB (hash, fsync, rename, dir fsync)", put1m, "MiB/s", {
      name: "fsync'd 1 MiB append",
      m: fsync1m,
    }),
    row("[blobs] writer 1 MiB in 64 KiB chunks", chunked, "MiB/s", {
      name: "fsync'd 1 MiB append",
      m: fsync1m,
    }),
  ];
}

const dir = await mkdtemp(join(tmpdir(), "truc-store-bench-"));
try {
  const rows = [
    ...(await benchDialect("sqlite", dir)),
    ...(await benchDialect("postgres", dir)),
    ...(await benchBlobs(dir)),
  ];
  rows.push({ figure: "peak RSS", value: peakRssMiB(), unit: "MiB" });
  report("store", rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
