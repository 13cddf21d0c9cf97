/**
 * Append-only log of content-addressed records on the file system: for bytes that must be
 * durable before the rows that point at them commit, at less cost than a file per record (three
 * fsyncs) or a database row (its WAL and TOAST copies). Records appended while a flush is on
 * its way to the disk share the next one: one positioned write and one fdatasync for all of
 * them (group commit, as a database's WAL does it).
 *
 * Layout: segments `<dir>/<12-digit number>.log`, each closed once it passes `segmentBytes`.
 * A process always starts a new segment, so a record torn by a crash is never followed by
 * another one: nothing points at it, it is dead space. Each record is a 48-byte header (magic
 * "TRUCLOG1", content length as a big-endian 64-bit integer, SHA-256 of the content) and the
 * content; the header makes a segment readable without the database (audit, rebuild).
 *
 * A location names the segment, the offset of the content and its length. A read checks the
 * header and re-hashes the content, so a wrong location or bytes changed on disk fail with
 * STORE_LOG_RECORD_INVALID instead of being returned.
 */
import { createHash } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { type FileHandle, mkdir, open, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { asStorageFull, StoreError } from "./errors.ts";
import { fsyncDir } from "./fs-sync.ts";

export interface LogLocation {
  segment: number;
  /** Byte offset of the content (after its header) in the segment. */
  offset: number;
  length: number;
}

export interface SegmentInfo {
  segment: number;
  bytes: number;
  /** Last write, in ms since the epoch (a closed segment is never written again). */
  modifiedAt: number;
  open: boolean;
}

export interface AppendLogOptions {
  /** A segment is closed and a new one started once it is this long (default 256 MiB). */
  segmentBytes?: number;
}

export interface AppendLog {
  readonly dir: string;
  /**
   * Appends `content`, whose SHA-256 (lower-case hex) the caller has computed, and resolves
   * once it is on the disk (fdatasync). The hash is written into the record and checked by
   * every read.
   */
  append(sha256: string, content: Buffer): Promise<LogLocation>;
  read(location: LogLocation, sha256: string): Promise<Buffer>;
  /** The segments on disk, oldest first, with the one being appended to marked `open`. */
  segments(): Promise<SegmentInfo[]>;
  /**
   * Deletes a segment whose records are no longer wanted (the caller knows: no row points into
   * it). The segment being appended to is refused (STORE_CONFIG_INVALID).
   */
  removeSegment(segment: number): Promise<void>;
  /** Flushes made and the records they held (their ratio is the mean group size). */
  readonly stats: Readonly<{ flushes: number; records: number }>;
  /** Waits for the appends in flight, then closes the files. */
  close(): Promise<void>;
}

const MAGIC = Buffer.from("TRUCLOG1", "latin1");
const HEADER_BYTES = 48;
const HEX64 = /^[0-9a-f]{64}$/;
const SEGMENT_NAME = /^(\d{12})\.log$/;
/** Records per flush at most: bounds one write's size and its buffer list. */
const MAX_GROUP_RECORDS = 256;
const MAX_GROUP_BYTES = 64 * 1024 * 1024;
/** Segments kept open for reading (the newest are read most). */
const MAX_OPEN_READERS = 16;

interface Pending {
  header: Buffer;
  content: Buffer;
  resolve(location: LogLocation): void;
  reject(error: unknown): void;
}

interface Segment {
  number: number;
  handle: FileHandle;
  size: number;
}

export async function openAppendLog(dir: string, options: AppendLogOptions = {}): Promise<AppendLog> {
  const segmentBytes = options.segmentBytes ?? 256 * 1024 * 1024;
  // At most 1 GiB: a segment may pass it by one flush (≤ 64 MiB and a record), and offsets must
  // stay below 2 GiB (a 32-bit integer column).
  if (!Number.isInteger(segmentBytes) || segmentBytes < 1024 || segmentBytes > 2 ** 30)
    throw new StoreError("STORE_CONFIG_INVALID", { reason: "segmentBytes must be 1 KiB … 1 GiB" });
  await mkdir(dir, { recursive: true, mode: 0o750 });
  let last = 0;
  for (const name of await readdir(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return new SegmentedLog(dir, segmentBytes, last + 1);
}

const segmentPath = (dir: string, n: number) => join(dir, `${String(n).padStart(12, "0")}.log`);

class SegmentedLog implements AppendLog {
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private current: Segment | undefined;
  private readonly readers = new Map<number, Promise<FileHandle>>();
  private closed = false;
  readonly stats = { flushes: 0, records: 0 };

  constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
    /** The number the next new segment gets. */
    private nextSegment: number,
  ) {}

  append(sha256: string, content: Buffer): Promise<LogLocation> {
    if (this.closed) return Promise.reject(new StoreError("STORE_CLOSED"));
    if (!HEX64.test(sha256)) return Promise.reject(new StoreError("STORE_BLOB_HASH_INVALID"));
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeBigUInt64BE(BigInt(content.length), 8);
    header.write(sha256, 16, "hex");
    return new Promise((resolve, reject) => {
      this.queue.push({ header, content, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /** Flushes until the queue is empty; `flushing` is cleared in the same turn as the last check. */
  private async flush(): Promise<void> {
    // Appends made in the same turn (a caller's batch) join the first flush.
    await Promise.resolve();
    for (;;) {
      if (this.queue.length === 0) {
        this.flushing = undefined;
        return;
      }
      const group = this.take();
      try {
        const locations = await this.writeGroup(group);
        for (const [i, p] of group.entries()) p.resolve(locations[i]!);
      } catch (error) {
        // The segment's tail is unknown now: the next group starts a new one.
        await this.retireCurrent();
        for (const p of group) p.reject(asStorageFull(error));
      }
    }
  }

  private take(): Pending[] {
    const group: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && group.length < MAX_GROUP_RECORDS) {
      const next = this.queue[0]!;
      if (group.length > 0 && bytes + next.content.length > MAX_GROUP_BYTES) break;
      group.push(this.queue.shift()!);
      bytes += HEADER_BYTES + next.content.length;
    }
    return group;
  }

  private async writeGroup(group: readonly Pending[]): Promise<LogLocation[]> {
    const total = group.reduce((n, p) => n + HEADER_BYTES + p.content.length, 0);
    if (this.current && this.current.size > 0 && this.current.size + total > this.segmentBytes)
      await this.retireCurrent();
    const segment = this.current ?? (await this.startSegment());
    const locations: LogLocation[] = [];
    const buffers: Buffer[] = [];
    let at = segment.size;
    for (const p of group) {
      buffers.push(p.header, p.content);
      locations.push({ segment: segment.number, offset: at + HEADER_BYTES, length: p.content.length });
      at += HEADER_BYTES + p.content.length;
    }
    await writeAll(segment.handle, buffers, segment.size);
    await segment.handle.datasync();
    segment.size = at;
    this.stats.flushes++;
    this.stats.records += group.length;
    return locations;
  }

  private async startSegment(): Promise<Segment> {
    const number = this.nextSegment++;
    const handle = await open(
      segmentPath(this.dir, number),
      fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_EXCL,
      0o640,
    );
    // The new file's directory entry must be durable before any record in it is relied on.
    await fsyncDir(this.dir);
    this.current = { number, handle, size: 0 };
    return this.current;
  }

  private async retireCurrent(): Promise<void> {
    const segment = this.current;
    this.current = undefined;
    await segment?.handle.close().catch(() => {});
  }

  async read(location: LogLocation, sha256: string): Promise<Buffer> {
    const { segment, offset, length } = location;
    const invalid = (reason: string) =>
      new StoreError("STORE_LOG_RECORD_INVALID", {
        segment: String(segment),
        offset: String(offset),
        reason,
      });
    if (
      !HEX64.test(sha256) ||
      !Number.isSafeInteger(segment) ||
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < HEADER_BYTES ||
      length < 0
    )
      throw invalid("location");
    const handle =
      this.current?.number === segment ? this.current.handle : await this.reader(segment, invalid);
    const record = Buffer.allocUnsafe(HEADER_BYTES + length);
    const { bytesRead } = await handle.read(record, 0, record.length, offset - HEADER_BYTES);
    if (bytesRead !== record.length) throw invalid("short read");
    if (!record.subarray(0, 8).equals(MAGIC)) throw invalid("no record header");
    if (record.readBigUInt64BE(8) !== BigInt(length)) throw invalid("length");
    if (record.toString("hex", 16, HEADER_BYTES) !== sha256) throw invalid("hash in header");
    const content = record.subarray(HEADER_BYTES);
    if (createHash("sha256").update(content).digest("hex") !== sha256) throw invalid("content hash");
    return content;
  }

  private reader(segment: number, invalid: (reason: string) => Error): Promise<FileHandle> {
    let handle = this.readers.get(segment);
    if (!handle) {
      if (this.readers.size >= MAX_OPEN_READERS) {
        const [oldest, h] = this.readers.entries().next().value as [number, Promise<FileHandle>];
        this.readers.delete(oldest);
        void h.then((f) => f.close()).catch(() => {});
      }
      handle = open(segmentPath(this.dir, segment), "r");
      handle.catch(() => this.readers.delete(segment));
      this.readers.set(segment, handle);
    }
    return handle.catch((error: NodeJS.ErrnoException) => {
      throw error.code === "ENOENT" ? invalid("segment missing") : error;
    });
  }

  async segments(): Promise<SegmentInfo[]> {
    const found: SegmentInfo[] = [];
    for (const name of await readdir(this.dir)) {
      const m = SEGMENT_NAME.exec(name);
      if (!m) continue;
      const segment = Number(m[1]);
      try {
        const s = await stat(join(this.dir, name));
        found.push({ segment, bytes: s.size, modifiedAt: s.mtimeMs, open: this.current?.number === segment });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return found.sort((a, b) => a.segment - b.segment);
  }

  async removeSegment(segment: number): Promise<void> {
    if (this.current?.number === segment || segment >= this.nextSegment)
      throw new StoreError("STORE_CONFIG_INVALID", { reason: `segment ${segment} is still being written` });
    const reader = this.readers.get(segment);
    this.readers.delete(segment);
    await reader?.then((f) => f.close()).catch(() => {});
    try {
      await unlink(segmentPath(this.dir, segment));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return;
    }
    await fsyncDir(this.dir);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.retireCurrent();
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map((h) => h.then((f) => f.close()).catch(() => {})));
  }
}

/** A positioned gather write, repeated until every byte is written. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        next.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    if (bytesWritten === 0 && next.length > 0) throw new Error("writev wrote nothing");
    rest = next;
  }
}
