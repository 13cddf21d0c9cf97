/**
 * Group commit for accepted packages. Packages accepted while an earlier write is still on its
 * way to the disk wait and then go together: one look-up of their identity keys (a package
 * already stored is answered as a duplicate and nothing of it is written), one append of their
 * bytes to the body log (one fdatasync), then one statement (PostgreSQL) or one transaction
 * (SQLite), one durable commit for all of them. Under no load each package is written at once
 * (nothing waits for a timer); under load the commits, the round trips, the statement overheads
 * and the rollup row updates are shared, which is where the database spends its CPU per package.
 *
 * Each caller's promise settles only after the commit that holds its package: an answer is
 * never sent before its package is durable. When a shared write fails (a twin committed by a
 * concurrent write, say), every package in it is written again on its own, so one package's
 * refusal never becomes another's.
 */
import { type Database, StoreError } from "@truc/store";
import {
  documentArrival,
  findPackagesByIdentity,
  insertPackages,
  type NewPackage,
  type PackageRow,
  recordStatus,
} from "./package-repository.ts";
import { type AxisDatabase, RAW_PLACE } from "./schema.ts";

/** A business status package: its timeline row is written with it (its timing needs the document's arrival). */
export interface StatusWrite {
  row: Omit<AxisDatabase["axis_status_timeline"], "elapsed_ms">;
}

export interface PackageWrite {
  pkg: NewPackage;
  status?: StatusWrite;
}

/** Written, or not at all: a package with the same identity key was already stored. */
export type WriteOutcome = { duplicateOf?: PackageRow };

interface Pending {
  write: PackageWrite;
  bytes: number;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Writes that share one commit at most: bounds the statement's size and a retry's work. */
const MAX_BATCH = 64;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

class PackageWriter {
  private readonly queue: Pending[] = [];
  private flushing = 0;
  /** Durable commits made, and the packages they held (their ratio is the mean group size). */
  readonly stats = { commits: 0, packages: 0 };

  constructor(
    private readonly db: Database<AxisDatabase>,
    /** Commits in flight at once; the rest of the packages queue behind them and share the next. */
    private readonly concurrentCommits: number,
  ) {}

  write(write: PackageWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, bytes: write.pkg.body?.bytes.length ?? 0, resolve, reject });
      if (this.flushing < this.concurrentCommits) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing++;
    try {
      while (this.queue.length > 0) {
        const taken = this.take();
        let batch: Pending[];
        try {
          batch = await this.withoutDuplicates(taken);
        } catch (error) {
          for (const p of taken) p.reject(error);
          continue;
        }
        if (batch.length === 0) continue;
        try {
          await appendBodies(batch.map((p) => p.write.pkg));
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        try {
          await this.commit(batch.map((p) => p.write));
          for (const p of batch) p.resolve({});
        } catch (error) {
          if (batch.length === 1 || isUnavailable(error)) {
            for (const p of batch) p.reject(error);
            continue;
          }
          // Find the one that failed: each goes again on its own.
          for (const p of batch) {
            try {
              await this.commit([p.write]);
              p.resolve({});
            } catch (own) {
              p.reject(own);
            }
          }
        }
      }
    } finally {
      this.flushing--;
    }
  }

  /**
   * Answers the packages already stored as duplicates, and keeps back the second of two twins
   * in one batch (it goes in the next one, where it is found stored); returns the rest.
   */
  private async withoutDuplicates(taken: Pending[]): Promise<Pending[]> {
    const keys = taken.flatMap((p) => p.write.pkg.row.identity_key ?? []);
    if (keys.length === 0) return taken;
    const stored = await findPackagesByIdentity(this.db.kysely, keys);
    const fresh: Pending[] = [];
    const later: Pending[] = [];
    const seen = new Set<string>();
    for (const p of taken) {
      const key = p.write.pkg.row.identity_key;
      const existing = key === null ? undefined : stored.get(key);
      if (existing) p.resolve({ duplicateOf: existing });
      else if (key !== null && seen.has(key)) later.push(p);
      else {
        if (key !== null) seen.add(key);
        fresh.push(p);
      }
    }
    this.queue.unshift(...later);
    return fresh;
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < MAX_BATCH) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > MAX_BATCH_BYTES) break;
      batch.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    return batch;
  }

  private async commit(writes: readonly PackageWrite[]): Promise<void> {
    const { db } = this;
    const pkgs = writes.map((w) => w.pkg);
    const statuses = writes.flatMap((w) => (w.status ? [w.status] : []));
    if (db.dialect === "postgres" && statuses.length === 0) {
      // One statement, atomic by itself: no BEGIN/COMMIT round trips (see insertPackages).
      await insertPackages(db.kysely, db.dialect, pkgs);
    } else {
      await db.transaction(async (trx) => {
        for (const { row } of statuses) {
          const arrival = await documentArrival(trx, row.document_id, row.recipient);
          await recordStatus(trx, {
            ...row,
            elapsed_ms: arrival === undefined ? null : row.received_at - arrival,
          });
        }
        await insertPackages(trx, db.dialect, pkgs);
      });
    }
    this.stats.commits++;
    this.stats.packages += writes.length;
  }
}

/**
 * Appends the bytes bound for the body log (all in the same turn: one flush, one fdatasync)
 * and records their place in the package rows; a retry of the rows does not append again.
 */
async function appendBodies(pkgs: readonly NewPackage[]): Promise<void> {
  await Promise.all(
    pkgs.map(async (pkg) => {
      const { body } = pkg;
      if (!body?.log) return;
      const at = await body.log.append(body.sha256, body.bytes);
      pkg.row.raw_inline = RAW_PLACE.bodyLog;
      pkg.row.raw_log_segment = at.segment;
      pkg.row.raw_log_offset = at.offset;
      delete pkg.body;
    }),
  );
}

function isUnavailable(error: unknown): boolean {
  return error instanceof StoreError && (error.code === "STORE_UNAVAILABLE" || error.code === "STORE_CLOSED");
}

const writers = new WeakMap<Database<AxisDatabase>, PackageWriter>();

/**
 * Writes an accepted package (and its status timeline row) durably, sharing the commit with
 * the packages accepted at the same time on the same database. Resolves after the commit, or
 * with `duplicateOf` when a package with its identity key is already stored (nothing written);
 * rejects with that package's own error (a unique violation for a twin committed
 * concurrently, say).
 */
export function writePackage(db: Database<AxisDatabase>, write: PackageWrite): Promise<WriteOutcome> {
  return writerOf(db).write(write);
}

/** Commits made so far on `db` and the packages they held (for the metrics). */
export function packageWriteStats(
  db: Database<AxisDatabase>,
): Readonly<{ commits: number; packages: number }> {
  return { ...writerOf(db).stats };
}

function writerOf(db: Database<AxisDatabase>): PackageWriter {
  let writer = writers.get(db);
  if (!writer) {
    // SQLite has one writer: a second commit in flight would only wait for the first.
    writer = new PackageWriter(db, db.dialect === "sqlite" ? 1 : 2);
    writers.set(db, writer);
  }
  return writer;
}
