import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, readdir, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AppendLog, type LogLocation, openAppendLog, StoreError } from "../src/index.ts";
import { runAndKill as runChild } from "./helpers/run-and-kill.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const code = (c: string) => (e: unknown) => e instanceof StoreError && e.code === c;
const CHILD = new URL("./helpers/append-log-child.ts", import.meta.url).pathname;

describe("append log", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-append-log-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("reads back what it appended, and appends made together share one flush", async () => {
    const log = await openAppendLog(join(dir, "together"));
    const contents = Array.from({ length: 40 }, (_, i) =>
      Buffer.concat([Buffer.from(`bản ghi ${i} `), randomBytes(5000)]),
    );
    const locations = await Promise.all(contents.map((c) => log.append(sha(c), c)));
    for (const [i, c] of contents.entries()) assert.deepEqual(await log.read(locations[i]!, sha(c)), c);
    assert.equal(log.stats.records, 40);
    // Appended in the same turn: one write and one fdatasync for all 40.
    assert.equal(log.stats.flushes, 1);
    assert.equal(new Set(locations.map((l) => l.offset)).size, 40);
    await log.close();
  });

  it("starts a new segment when one is full, and at every start; old records stay readable", async () => {
    const path = join(dir, "segments");
    const first = await openAppendLog(path, { segmentBytes: 4096 });
    const written: [LogLocation, Buffer][] = [];
    for (let i = 0; i < 6; i++) {
      const c = randomBytes(1500);
      written.push([await first.append(sha(c), c), c]);
    }
    await first.close();
    assert.deepEqual(
      written.map(([l]) => l.segment),
      [1, 1, 2, 2, 3, 3],
    );
    const second = await openAppendLog(path, { segmentBytes: 4096 });
    const c = Buffer.from("sau khi khởi động lại");
    const at = await second.append(sha(c), c);
    assert.equal(at.segment, 4);
    for (const [l, content] of written) assert.deepEqual(await second.read(l, sha(content)), content);
    await second.close();
  });

  it("lists its segments and removes a closed one, never the one being written", async () => {
    const log = await openAppendLog(join(dir, "removal"), { segmentBytes: 4096 });
    const kept: [LogLocation, Buffer][] = [];
    for (let i = 0; i < 5; i++) {
      const c = randomBytes(1500);
      kept.push([await log.append(sha(c), c), c]);
    }
    const before = await log.segments();
    assert.deepEqual(
      before.map((s) => [s.segment, s.open]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    assert.ok(before.every((s) => s.bytes === 2 * (48 + 1500) || (s.open && s.bytes === 48 + 1500)));
    await assert.rejects(log.removeSegment(3), code("STORE_CONFIG_INVALID"));
    await assert.rejects(log.removeSegment(9), code("STORE_CONFIG_INVALID"));
    await log.read(kept[0]![0], sha(kept[0]![1])); // keeps a reader open on segment 1
    await log.removeSegment(1);
    await log.removeSegment(1); // already gone: nothing to do
    assert.deepEqual(
      (await log.segments()).map((s) => s.segment),
      [2, 3],
    );
    await assert.rejects(log.read(kept[0]![0], sha(kept[0]![1])), code("STORE_LOG_RECORD_INVALID"));
    for (const [l, c] of kept.slice(2)) assert.deepEqual(await log.read(l, sha(c)), c);
    await log.close();
  });

  it("refuses a wrong location, changed bytes and a missing segment (STORE_LOG_RECORD_INVALID)", async () => {
    const path = join(dir, "corrupt");
    const log = await openAppendLog(path);
    const a = randomBytes(3000);
    const b = randomBytes(3000);
    const la = await log.append(sha(a), a);
    const lb = await log.append(sha(b), b);
    await assert.rejects(log.read(la, sha(b)), code("STORE_LOG_RECORD_INVALID"));
    await assert.rejects(
      log.read({ ...lb, offset: lb.offset - 10 }, sha(b)),
      code("STORE_LOG_RECORD_INVALID"),
    );
    await assert.rejects(
      log.read({ ...la, length: la.length + 1 }, sha(a)),
      code("STORE_LOG_RECORD_INVALID"),
    );
    await assert.rejects(log.read({ ...la, segment: 99 }, sha(a)), code("STORE_LOG_RECORD_INVALID"));
    await assert.rejects(log.read({ ...la, offset: 0 }, sha(a)), code("STORE_LOG_RECORD_INVALID"));
    await assert.rejects(log.append("not-a-hash", a), code("STORE_BLOB_HASH_INVALID"));
    await log.close();
    // One byte of the content flipped on disk, as a failing disk would.
    const file = await open(join(path, "000000000001.log"), "r+");
    await file.write(Buffer.from([b[100]! ^ 0xff]), 0, 1, lb.offset + 100);
    await file.close();
    const reopened = await openAppendLog(path);
    assert.deepEqual(await reopened.read(la, sha(a)), a);
    await assert.rejects(reopened.read(lb, sha(b)), (e: unknown) => {
      assert.ok(code("STORE_LOG_RECORD_INVALID")(e));
      assert.match((e as StoreError).messageVi, /không hợp lệ/);
      return true;
    });
    await reopened.close();
    await assert.rejects(reopened.append(sha(a), a), code("STORE_CLOSED"));
  });

  it("a record torn at the end of a segment harms nothing before it or after it", async () => {
    const path = join(dir, "torn");
    const log = await openAppendLog(path);
    const a = randomBytes(2000);
    const b = randomBytes(2000);
    const la = await log.append(sha(a), a);
    const lb = await log.append(sha(b), b);
    await log.close();
    await truncate(join(path, "000000000001.log"), lb.offset + 500); // b torn mid-content
    const reopened = await openAppendLog(path);
    assert.deepEqual(await reopened.read(la, sha(a)), a);
    await assert.rejects(reopened.read(lb, sha(b)), code("STORE_LOG_RECORD_INVALID"));
    const c = randomBytes(2000);
    const lc = await reopened.append(sha(c), c);
    assert.equal(lc.segment, 2);
    assert.deepEqual(await reopened.read(lc, sha(c)), c);
    await reopened.close();
  });

  it("every append acknowledged before a kill -9 reads back after it", async () => {
    const path = join(dir, "killed");
    for (const count of [30, 200]) {
      const acks = await runAndKill(path, count);
      assert.ok(acks.length >= count);
      const log: AppendLog = await openAppendLog(path);
      for (const { location, sha256 } of acks) {
        const content = await log.read(location, sha256);
        assert.equal(content.length, location.length);
      }
      await log.close();
    }
    assert.ok((await readdir(path)).length >= 2, "each run wrote its own segment(s)");
  });
});

async function runAndKill(path: string, count: number) {
  const acks = await runChild(CHILD, [path], count);
  return acks.map(([segment, offset, length, sha256]) => ({
    location: { segment: Number(segment), offset: Number(offset), length: Number(length) },
    sha256: sha256!,
  }));
}
