/**
 * Content-addressed blob store on the file system: `<dir>/ab/cd/<sha256 hex>`.
 *
 * A writer streams bytes into `<dir>/tmp/<random>` while hashing them. `finish()` fsyncs the
 * file, renames it into place (or drops it if that content already exists), and fsyncs the
 * directories it touched; only then does it resolve, so an acknowledged blob survives a power
 * cut. Paths are built only from a validated 64-hex-digit hash, never from a caller's name.
 */
import { createHash, randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { asStorageFull, StoreError } from "./errors.ts";
import { fsyncDir } from "./fs-sync.ts";

export interface BlobInfo {
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  size: number;
  /** Stable reference to store in SQL: `sha256:<hex>`. Every read function accepts it too. */
  ref: string;
}

/** Same shape as the edXML parser's `AttachmentWriter`. */
export interface BlobWriter {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<BlobInfo>;
  abort(): Promise<void>;
}

export interface BlobStoreOptions {
  /** Largest accepted blob; a writer that goes past it fails with STORE_BLOB_TOO_LARGE (default 256 MiB). */
  maxBlobBytes?: number;
}

export interface GarbageCollectionOptions {
  /**
   * Only blobs (and abandoned temp files) older than this are removed (default 1 hour).
   * A blob is written *before* the transaction that references it commits, so the grace
   * period must exceed the longest such gap.
   */
  graceMs?: number;
  /** Clock for the grace period (default Date.now). */
  now?: number;
}

export interface GarbageCollectionResult {
  removed: number;
  kept: number;
  bytesFreed: number;
  tempFilesRemoved: number;
}

export interface BlobStore {
  readonly dir: string;
  readonly maxBlobBytes: number;
  writer(): BlobWriter;
  put(data: Buffer): Promise<BlobInfo>;
  /** A stream of the content; fails with STORE_BLOB_NOT_FOUND before returning if absent. */
  get(hashOrRef: string): Promise<Readable>;
  read(hashOrRef: string): Promise<Buffer>;
  has(hashOrRef: string): Promise<boolean>;
  /** Size in bytes; STORE_BLOB_NOT_FOUND if absent. */
  size(hashOrRef: string): Promise<number>;
  /** Re-hashes the stored file; STORE_BLOB_CORRUPT if it no longer matches. */
  verify(hashOrRef: string): Promise<void>;
  /** Every stored hash (for garbage collection and audits). */
  list(): AsyncIterable<string>;
  /**
   * Deletes every blob whose hash is not in `referenced`. The caller builds that set from its
   * own tables (e.g. all attachment hashes of packages still retained); the store cannot know
   * which rows refer to which blobs. Blobs younger than `graceMs` are always kept.
   */
  collectGarbage(
    referenced: ReadonlySet<string>,
    options?: GarbageCollectionOptions,
  ): Promise<GarbageCollectionResult>;
}

const HEX64 = /^[0-9a-f]{64}$/;
const DEFAULT_MAX = 256 * 1024 * 1024;

/** Returns the lower-case hex hash from `<hex>` or `sha256:<hex>`; STORE_BLOB_HASH_INVALID otherwise. */
export function parseBlobRef(hashOrRef: string): string {
  const hex =
    typeof hashOrRef === "string" && hashOrRef.startsWith("sha256:") ? hashOrRef.slice(7) : hashOrRef;
  if (typeof hex !== "string" || !HEX64.test(hex)) throw new StoreError("STORE_BLOB_HASH_INVALID");
  return hex;
}

/** mkdir that fsyncs the parent when it created the directory, so the new entry is durable. */
async function ensureDir(parent: string, name: string): Promise<string> {
  const path = join(parent, name);
  try {
    await mkdir(path, { mode: 0o750 });
    await fsyncDir(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

export async function openBlobStore(dir: string, options: BlobStoreOptions = {}): Promise<BlobStore> {
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX;
  if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < 0) {
    throw new StoreError("STORE_CONFIG_INVALID", { reason: "maxBlobBytes must be a non-negative integer" });
  }
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const tmpDir = await ensureDir(dir, "tmp");

  const pathOf = (hex: string) => join(dir, hex.slice(0, 2), hex.slice(2, 4), hex);

  const openForRead = async (hashOrRef: string): Promise<{ hex: string; handle: FileHandle }> => {
    const hex = parseBlobRef(hashOrRef);
    try {
      return { hex, handle: await open(pathOf(hex), "r") };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new StoreError("STORE_BLOB_NOT_FOUND", { sha256: hex });
      throw error;
    }
  };

  const writer = (): BlobWriter => {
    const hash = createHash("sha256");
    const tmpPath = join(tmpDir, `${randomUUID()}.part`);
    let handle: Promise<FileHandle> | undefined;
    let size = 0;
    let state: "open" | "finishing" | "done" = "open";
    // Writes are chained so chunks land in order even if the caller does not await each one.
    let pending: Promise<void> = Promise.resolve();
    let failure: unknown;

    const file = () => {
      handle ??= open(tmpPath, "wx", 0o640);
      return handle;
    };
    const discard = async () => {
      state = "done";
      await pending.catch(() => {});
      if (handle) {
        await (await handle.catch(() => undefined))?.close().catch(() => {});
        await unlink(tmpPath).catch(() => {});
      }
    };

    return {
      write(chunk: Buffer): Promise<void> {
        if (state !== "open") return Promise.reject(new StoreError("STORE_BLOB_WRITER_CLOSED"));
        if (failure) return Promise.reject(failure);
        if (size + chunk.length > maxBlobBytes) {
          failure = new StoreError("STORE_BLOB_TOO_LARGE", { limit: maxBlobBytes });
          const error = failure;
          return discard().then(() => Promise.reject(error));
        }
        size += chunk.length;
        hash.update(chunk);
        // Copy: the caller may reuse its buffer once write() returns.
        const copy = Buffer.from(chunk);
        pending = pending.then(async () => {
          if (failure) return;
          try {
            const fh = await file();
            let offset = 0;
            while (offset < copy.length) {
              const { bytesWritten } = await fh.write(copy, offset, copy.length - offset);
              offset += bytesWritten;
            }
          } catch (error) {
            failure = asStorageFull(error);
          }
        });
        return pending.then(() => {
          if (failure) throw failure;
        });
      },

      async finish(): Promise<BlobInfo> {
        if (state !== "open") throw new StoreError("STORE_BLOB_WRITER_CLOSED");
        state = "finishing";
        await pending;
        if (failure) {
          await discard();
          throw failure;
        }
        try {
          const fh = await file();
          await fh.sync();
          await fh.close();
          const hex = hash.digest("hex");
          const level1 = await ensureDir(dir, hex.slice(0, 2));
          const level2 = await ensureDir(level1, hex.slice(2, 4));
          const target = join(level2, hex);
          if (await exists(target)) {
            await unlink(tmpPath);
            // Refresh its age so garbage collection's grace period protects the new reference.
            const now = new Date();
            await utimes(target, now, now);
          } else {
            await rename(tmpPath, target);
          }
          // Also when it already existed: its writer may not have synced the directory yet.
          await fsyncDir(level2);
          state = "done";
          return { sha256: hex, size, ref: `sha256:${hex}` };
        } catch (error) {
          await discard();
          throw asStorageFull(error);
        }
      },

      async abort(): Promise<void> {
        if (state === "done") return;
        await discard();
      },
    };
  };

  const store: BlobStore = {
    dir,
    maxBlobBytes,
    writer,

    async put(data: Buffer): Promise<BlobInfo> {
      const w = writer();
      try {
        await w.write(data);
      } catch (error) {
        await w.abort();
        throw error;
      }
      return w.finish();
    },

    async get(hashOrRef: string): Promise<Readable> {
      const { handle } = await openForRead(hashOrRef);
      return handle.createReadStream();
    },

    async read(hashOrRef: string): Promise<Buffer> {
      const { handle } = await openForRead(hashOrRef);
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },

    async has(hashOrRef: string): Promise<boolean> {
      return exists(pathOf(parseBlobRef(hashOrRef)));
    },

    async size(hashOrRef: string): Promise<number> {
      const { handle } = await openForRead(hashOrRef);
      try {
        return (await handle.stat()).size;
      } finally {
        await handle.close();
      }
    },

    async verify(hashOrRef: string): Promise<void> {
      const { hex, handle } = await openForRead(hashOrRef);
      const digest = createHash("sha256");
      try {
        for await (const chunk of handle.createReadStream({ autoClose: false }))
          digest.update(chunk as Buffer);
      } finally {
        await handle.close();
      }
      if (digest.digest("hex") !== hex) throw new StoreError("STORE_BLOB_CORRUPT", { sha256: hex });
    },

    async *list(): AsyncIterable<string> {
      for (const a of await readdir(dir)) {
        if (!/^[0-9a-f]{2}$/.test(a)) continue;
        for (const b of await readdir(join(dir, a))) {
          if (!/^[0-9a-f]{2}$/.test(b)) continue;
          for (const name of await readdir(join(dir, a, b))) {
            if (HEX64.test(name) && name.startsWith(a + b)) yield name;
          }
        }
      }
    },

    async collectGarbage(referenced, gcOptions = {}): Promise<GarbageCollectionResult> {
      const graceMs = gcOptions.graceMs ?? 60 * 60 * 1000;
      const cutoff = (gcOptions.now ?? Date.now()) - graceMs;
      const keep = new Set<string>();
      for (const r of referenced) keep.add(parseBlobRef(r));
      const result: GarbageCollectionResult = { removed: 0, kept: 0, bytesFreed: 0, tempFilesRemoved: 0 };
      for await (const hex of store.list()) {
        const path = pathOf(hex);
        if (keep.has(hex)) {
          result.kept++;
          continue;
        }
        const info = await stat(path).catch(() => undefined);
        if (!info) continue;
        if (info.mtimeMs > cutoff) {
          result.kept++;
          continue;
        }
        await rm(path, { force: true });
        result.removed++;
        result.bytesFreed += info.size;
      }
      for (const name of await readdir(tmpDir)) {
        const path = join(tmpDir, name);
        const info = await stat(path).catch(() => undefined);
        if (info && info.mtimeMs <= cutoff) {
          await rm(path, { force: true });
          result.tempFilesRemoved++;
        }
      }
      return result;
    },
  };
  return store;
}
