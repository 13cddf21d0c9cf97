/**
 * Package bytes in the node's append log (`storage.bodies` = "log", the default on PostgreSQL):
 * a small row locates them, the recipient gets the same bytes as from a database row, they stay
 * readable after a restart (and after switching back to "database"), and bytes changed on disk
 * are refused with a stable code instead of being delivered.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { RAW_PLACE } from "../src/repositories/schema.ts";
import { singleNode } from "./support/single-node.ts";

describeEachDialect("axis: package bytes in the body log", (ctx) => {
  const t = singleNode(ctx, { signature: "require", masterKey: "55".repeat(32) });
  after(() => t.close());

  let first: string;
  let location: { segment: number; offset: number };

  it("keeps the bytes in the log, located by a row, and delivers the forwarded form", async () => {
    await t.start({ bodies: "log" });
    first = (await t.send()).packageId;
    const pkg = await t.row(first);
    assert.equal(pkg.raw_inline, RAW_PLACE.bodyLog);
    const db = t.node.context.db.kysely;
    location = { segment: pkg.raw_log_segment!, offset: pkg.raw_log_offset! };
    assert.ok(location.segment >= 1 && location.offset >= 48);
    const inTable = await db.selectFrom("axis_bodies").select("sha256").execute();
    assert.equal(inTable.length, 0, "no copy in axis_bodies");
    const res = await t.download(first);
    assert.equal(res.status, 200);
    assert.equal(createHash("sha256").update(res.body).digest("hex"), pkg.fwd_sha256);
    assert.match(res.body.toString("utf8"), /000\.00\.00\.G22/, "this hop's TraceHeader");
  });

  it("after a restart with bodies in the database: old packages read from the log, new ones from rows", async () => {
    await t.start({ bodies: "database" });
    const res = await t.download(first);
    assert.equal(res.status, 200);
    assert.equal(createHash("sha256").update(res.body).digest("hex"), (await t.row(first)).fwd_sha256);
    const second = (await t.send()).packageId;
    assert.equal((await t.row(second)).raw_inline, RAW_PLACE.database);
    assert.equal((await t.download(second)).status, 200);
  });

  it("bytes changed on disk are refused with STORE_LOG_RECORD_INVALID, not delivered", async () => {
    const segment = join(
      ctx.dataDir(),
      "node",
      "bodies",
      `${String(location.segment).padStart(12, "0")}.log`,
    );
    const file = await open(segment, "r+");
    const one = Buffer.alloc(1);
    await file.read(one, 0, 1, location.offset + 1000);
    await file.write(Buffer.from([one[0]! ^ 0x01]), 0, 1, location.offset + 1000);
    await file.close();
    const res = await t.download(first);
    assert.equal(res.status, 500);
    assert.equal(res.json.code, "STORE_LOG_RECORD_INVALID");
    assert.match(res.json.message.vi, /nhật ký lưu trữ/);
  });
});
