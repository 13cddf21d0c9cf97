/**
 * Body retention (`storage.bodyRetentionDays`): past the period, the bytes of packages nothing
 * here still needs are dropped from wherever they were (body log, axis_bodies, blob store), with
 * a "purge" evidence record; rows, tracking and duplicate detection stay; a download answers
 * 410 AXIS_PACKAGE_PURGED; a body-log segment goes once no kept package points into it.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { RAW_PLACE } from "../src/repositories/schema.ts";
import { chainEvidence } from "../src/services/chain-evidence.ts";
import { call } from "./support/https.ts";
import { singleNode } from "./support/single-node.ts";

const DAY = 86_400_000;

describeEachDialect("axis: package bytes dropped after the retention period", (ctx) => {
  let clockOffset = 0;
  const t = singleNode(ctx, {
    // Packages "received 40 days ago" by this clock: their signatures (30-day test certificates)
    // are not what is tested here.
    signature: "off",
    clock: { now: () => new Date(Date.now() + clockOffset) },
    masterKey: "66".repeat(32),
  });
  const sent = new Map<string, Buffer>();
  const start = (storage: { bodies: "log" | "database"; inlineMaxBytes?: number }) =>
    t.start({ ...storage, bodyRetentionDays: 30 });
  async function send(attachmentBytes = 30_000, seed?: string): Promise<string> {
    const { packageId, signed } = await t.send({ attachmentBytes, ...(seed ? { seed } : {}) });
    sent.set(packageId, signed);
    return packageId;
  }
  const longAgo = () => new Date(Date.now() - 40 * DAY);
  const segmentFile = (n: number) =>
    join(ctx.dataDir(), "node", "bodies", `${String(n).padStart(12, "0")}.log`);

  async function assertPurged(id: string) {
    const pkg = await t.row(id);
    assert.equal(pkg.raw_inline, RAW_PLACE.purged);
    assert.equal(pkg.raw_log_segment, null);
    const res = await t.download(id);
    assert.equal(res.status, 410);
    assert.equal(res.json.code, "AXIS_PACKAGE_PURGED");
    assert.match(res.json.message.vi, /thời hạn lưu giữ \(30 ngày\)/);
    assert.match(res.json.message.en, /retention period \(30 days\)/);
  }

  before(() => start({ bodies: "log" }));
  after(() => t.close());

  let old1: string;
  let old2: string;

  it("drops an acknowledged package's bytes past retention; an unacknowledged one stays", async () => {
    clockOffset = -40 * DAY;
    old1 = await send();
    old2 = await send();
    await t.ack(old1);
    clockOffset = 0;

    const result = await t.node.purgeExpiredBodies();
    assert.equal(result.packages, 1);
    assert.equal(result.segmentsRemoved, 0, "the segment is being written and still holds kept packages");
    await assertPurged(old1);
    assert.equal((await t.download(old2)).status, 200, "its recipient has not acknowledged it");
    assert.equal((await t.node.purgeExpiredBodies()).packages, 0, "nothing twice");

    // Tracking stays: the row, its route and recipients, and a "purge" record in the evidence log.
    const db = t.node.context.db.kysely;
    assert.deepEqual(JSON.parse((await t.row(old1)).recipients), ["H29.20"]);
    const routes = await db
      .selectFrom("axis_routes")
      .select("recipient")
      .where("package_id", "=", old1)
      .execute();
    assert.deepEqual(
      routes.map((r) => r.recipient),
      ["H29.20"],
    );
    await chainEvidence(t.node.context);
    const evidence = await db
      .selectFrom("axis_evidence")
      .select(["kind", "package_id"])
      .where("kind", "=", "purge")
      .execute();
    assert.deepEqual(
      evidence.map((e) => e.package_id),
      [old1],
    );
    assert.equal((await t.node.verifyEvidenceLog()).ok, true);

    // The same package sent again is still the duplicate it was: same id, nothing stored.
    const again = await call(t.node.url, t.ids.a, t.pki.caPem, "POST", "/v1/packages", sent.get(old1)!);
    assert.equal(again.json.packageId, old1);
    assert.equal(again.json.duplicate, true);
  });

  it("removes a body-log segment once it is closed, old, and no kept package points into it", async () => {
    const first = (await t.row(old2)).raw_log_segment!;
    await start({ bodies: "log" }); // the segment is closed: a start always opens a new one
    const fresh = await send();
    await t.ack(fresh);
    assert.notEqual((await t.row(fresh)).raw_log_segment, first);

    // Closed and old, but old2 (not acknowledged yet) still points into it.
    await utimes(segmentFile(first), longAgo(), longAgo());
    let result = await t.node.purgeExpiredBodies();
    assert.deepEqual([result.packages, result.segmentsRemoved], [0, 0]);
    assert.ok(existsSync(segmentFile(first)));

    // Nothing kept points into it any more, but it was written just now (as far as the file
    // system knows): a commit pointing into it could still be on its way.
    await t.ack(old2);
    const now = new Date();
    await utimes(segmentFile(first), now, now);
    result = await t.node.purgeExpiredBodies();
    assert.deepEqual(
      [result.packages, result.segmentsRemoved],
      [1, 0],
      "old2 purged; the fresh package stays",
    );
    await assertPurged(old2);
    assert.ok(existsSync(segmentFile(first)));

    await utimes(segmentFile(first), longAgo(), longAgo());
    result = await t.node.purgeExpiredBodies();
    assert.equal(result.segmentsRemoved, 1);
    assert.ok(result.bytesFreed > 60_000);
    assert.equal(existsSync(segmentFile(first)), false);
    // What an operator watches: packages purged, bytes given back, what the log still holds.
    const metrics = (await call(t.node.url, t.ids.a, t.pki.caPem, "GET", "/metrics")).body.toString();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{\\})? (\\d+)$`, "m").exec(metrics)?.[1]);
    assert.equal(value("axis_bodies_purged_total"), 1, metrics);
    assert.equal(value("axis_body_bytes_freed_total"), result.bytesFreed);
    const left = await t.node.context.bodyLog!.segments();
    assert.equal(
      value("axis_body_log_bytes"),
      left.reduce((n, s) => n + s.bytes, 0),
    );
    assert.equal((await t.download(fresh)).status, 200);
  });

  it("drops bytes kept in axis_bodies and in the blob store (blobs no kept package uses), not before a next hop took them", async () => {
    await start({ bodies: "database", inlineMaxBytes: 20_000 });
    clockOffset = -40 * DAY;
    const inDatabase = await send(2_000);
    const inBlobs = await send(30_000, "its own attachment");
    const awaitingHop = await send(2_000);
    clockOffset = 0;
    // As if it also had to go to a neighbour that has not taken it yet.
    const db = t.node.context.db.kysely;
    await db
      .insertInto("axis_outbox")
      .values({
        package_id: awaitingHop,
        node_id: "lgsp-b",
        state: "pending",
        attempts: 3,
        next_attempt_at: Date.now(),
        lease_until: 0,
        last_error: "ECONNREFUSED",
        created_at: Date.now() - 40 * DAY,
        sent_at: null,
      })
      .execute();
    await t.ack(awaitingHop);
    assert.equal((await t.row(inDatabase)).raw_inline, RAW_PLACE.database);
    const blobbed = await t.row(inBlobs);
    assert.equal(blobbed.raw_inline, RAW_PLACE.blobStore);
    await t.ack(inDatabase);
    await t.ack(inBlobs);
    const keptLarge = await send(30_000); // recent: kept, with the same kind of blobs
    const blobs = t.node.context.blobs;
    const blobsOf = async (id: string) => {
      const r = await t.row(id);
      return [
        r.raw_sha256,
        ...JSON.parse(r.attachments!).map((a: { sha256: string }) => a.sha256),
      ] as string[];
    };
    const gone = await blobsOf(inBlobs); // its bytes and its decoded attachment
    const stay = await blobsOf(keptLarge);
    for (const b of [...gone, ...stay]) assert.equal(await blobs.has(b), true);
    // Written just now as far as the file system knows: nothing is collected in its first hour.
    for (const h of [...gone, ...stay]) {
      await utimes(join(blobs.dir, h.slice(0, 2), h.slice(2, 4), h), longAgo(), longAgo());
    }

    const result = await t.node.purgeExpiredBodies();
    assert.equal(result.packages, 2);
    assert.equal(result.blobsRemoved, gone.length);
    await assertPurged(inDatabase);
    await assertPurged(inBlobs);
    for (const b of gone) assert.equal(await blobs.has(b), false);
    for (const b of stay) assert.equal(await blobs.has(b), true, "a kept package's blobs stay");
    assert.equal((await t.download(keptLarge)).status, 200);
    assert.equal((await t.download(awaitingHop)).status, 200, "a next hop still has to take it");
    const bodies = await db.selectFrom("axis_bodies").select("sha256").execute();
    assert.deepEqual(
      bodies.map((b) => b.sha256),
      [(await t.row(awaitingHop)).raw_sha256],
    );
    await db.updateTable("axis_outbox").set({ state: "sent", sent_at: Date.now() }).execute();
    assert.equal((await t.node.purgeExpiredBodies()).packages, 1);
    await assertPurged(awaitingHop);
    assert.equal((await db.selectFrom("axis_bodies").select("sha256").execute()).length, 0);
    assert.equal((await t.node.verifyEvidenceLog()).ok, true);
  });
});
