import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BlobStore, openBlobStore, StoreError } from "../src/index.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const code = (c: string) => (e: unknown) => e instanceof StoreError && e.code === c;

describe("blob store", () => {
  let dir: string;
  let blobs: BlobStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-blobs-"));
    blobs = await openBlobStore(join(dir, "blobs"), { maxBlobBytes: 1024 * 1024 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("stores content under ab/cd/<sha256> and reads it back", async () => {
    const data = Buffer.from("Quyết định số 28/2018/QĐ-TTg");
    const info = await blobs.put(data);
    assert.equal(info.sha256, sha(data));
    assert.equal(info.size, data.length);
    assert.equal(info.ref, `sha256:${info.sha256}`);
    assert.ok(existsSync(join(blobs.dir, info.sha256.slice(0, 2), info.sha256.slice(2, 4), info.sha256)));
    assert.deepEqual(await blobs.read(info.sha256), data);
    assert.deepEqual(await blobs.read(info.ref), data);
    assert.equal(await blobs.has(info.ref), true);
    assert.equal(await blobs.size(info.sha256), data.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await blobs.get(info.sha256)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    await blobs.verify(info.sha256);
  });

  it("streams chunks through a writer (the AttachmentWriter shape) and de-duplicates", async () => {
    const data = randomBytes(300_000);
    const attachments = { begin: () => blobs.writer() };
    const w = attachments.begin();
    // Not awaiting each write on purpose: chunks must still land in order.
    const writes = [];
    for (let i = 0; i < data.length; i += 7_000) writes.push(w.write(data.subarray(i, i + 7_000)));
    await Promise.all(writes);
    const info = await w.finish();
    assert.equal(info.sha256, sha(data));
    assert.equal(info.size, data.length);
    const again = await blobs.put(data);
    assert.deepEqual(again, info);
    assert.deepEqual(await blobs.read(info.sha256), data);
    assert.deepEqual(await readdir(join(blobs.dir, "tmp")), []);
    await assert.rejects(w.write(Buffer.from("late")), code("STORE_BLOB_WRITER_CLOSED"));
    await assert.rejects(w.finish(), code("STORE_BLOB_WRITER_CLOSED"));
  });

  it("stores the empty blob", async () => {
    const info = await blobs.put(Buffer.alloc(0));
    assert.equal(info.sha256, sha(Buffer.alloc(0)));
    assert.equal(info.size, 0);
  });

  it("rejects a blob over the size limit and leaves no temp file", async () => {
    const w = blobs.writer();
    await w.write(randomBytes(1024 * 1024 - 10));
    await assert.rejects(w.write(randomBytes(11)), code("STORE_BLOB_TOO_LARGE"));
    await assert.rejects(w.finish(), code("STORE_BLOB_WRITER_CLOSED"));
    await assert.rejects(blobs.put(Buffer.alloc(1024 * 1024 + 1)), code("STORE_BLOB_TOO_LARGE"));
    assert.deepEqual(await readdir(join(blobs.dir, "tmp")), []);
  });

  it("abort discards the partial blob", async () => {
    const data = randomBytes(1000);
    const w = blobs.writer();
    await w.write(data);
    await w.abort();
    assert.equal(await blobs.has(sha(data)), false);
    assert.deepEqual(await readdir(join(blobs.dir, "tmp")), []);
    await assert.rejects(w.write(data), code("STORE_BLOB_WRITER_CLOSED"));
  });

  it("never turns a caller-supplied name into a path", async () => {
    for (const bad of [
      "../../../etc/passwd",
      "tmp",
      "",
      "A".repeat(64),
      `${"a".repeat(63)}/`,
      "sha256:xyz",
    ]) {
      await assert.rejects(blobs.read(bad), code("STORE_BLOB_HASH_INVALID"), bad);
      await assert.rejects(blobs.has(bad), code("STORE_BLOB_HASH_INVALID"), bad);
      await assert.rejects(blobs.get(bad), code("STORE_BLOB_HASH_INVALID"), bad);
    }
  });

  it("reports a missing blob", async () => {
    const missing = "0".repeat(64);
    assert.equal(await blobs.has(missing), false);
    await assert.rejects(blobs.read(missing), code("STORE_BLOB_NOT_FOUND"));
    await assert.rejects(blobs.get(missing), code("STORE_BLOB_NOT_FOUND"));
    await assert.rejects(blobs.size(missing), code("STORE_BLOB_NOT_FOUND"));
  });

  it("detects a corrupted file", async () => {
    const info = await blobs.put(Buffer.from("to be corrupted"));
    await writeFile(
      join(blobs.dir, info.sha256.slice(0, 2), info.sha256.slice(2, 4), info.sha256),
      "tampered",
    );
    await assert.rejects(blobs.verify(info.sha256), code("STORE_BLOB_CORRUPT"));
  });

  it("collects unreferenced blobs older than the grace period", async () => {
    const store = await openBlobStore(join(dir, "gc"));
    const kept = await store.put(Buffer.from("referenced"));
    const old = await store.put(Buffer.from("unreferenced and old"));
    const fresh = await store.put(Buffer.from("unreferenced but fresh"));
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    for (const b of [kept, old]) {
      await utimes(join(store.dir, b.sha256.slice(0, 2), b.sha256.slice(2, 4), b.sha256), longAgo, longAgo);
    }
    const stale = join(store.dir, "tmp", "abandoned.part");
    await writeFile(stale, "partial");
    await utimes(stale, longAgo, longAgo);
    const result = await store.collectGarbage(new Set([kept.ref]), { graceMs: 3600_000 });
    assert.equal(result.removed, 1);
    assert.equal(result.bytesFreed, old.size);
    assert.equal(result.tempFilesRemoved, 1);
    assert.equal(await store.has(kept.sha256), true);
    assert.equal(await store.has(old.sha256), false);
    assert.equal(await store.has(fresh.sha256), true);
    const listed: string[] = [];
    for await (const h of store.list()) listed.push(h);
    assert.deepEqual(listed.sort(), [kept.sha256, fresh.sha256].sort());
  });

  it("re-writing an old blob refreshes it so a concurrent collection keeps it", async () => {
    const store = await openBlobStore(join(dir, "gc2"));
    const data = Buffer.from("written twice");
    const first = await store.put(data);
    const path = join(store.dir, first.sha256.slice(0, 2), first.sha256.slice(2, 4), first.sha256);
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path, longAgo, longAgo);
    await store.put(data);
    const result = await store.collectGarbage(new Set(), { graceMs: 3600_000 });
    assert.equal(result.removed, 0);
    assert.equal(await store.has(first.sha256), true);
  });
});
