/**
 * Package bytes in the node's append log (`storage.bodies` = "log", the default on PostgreSQL):
 * a small row locates them, the recipient gets the same bytes as from a database row, they stay
 * readable after a restart (and after switching back to "database"), and bytes changed on disk
 * are refused with a stable code instead of being delivered.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { signEdxml } from "@truc/edxml";
import { describeEachDialect } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import { RAW_PLACE } from "../src/repositories/schema.ts";
import { call } from "./support/https.ts";
import { edocXml } from "./support/packages.ts";
import { type Identity, makeTestPki, type TestPki } from "./support/pki.ts";

describeEachDialect("axis: package bytes in the body log", (ctx) => {
  let pki: TestPki;
  let node: RunningNode;
  const ids = {} as Record<"node" | "a" | "b", Identity>;
  let seq = 0;

  async function start(bodies: "log" | "database") {
    const dbConfig = ctx.config();
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "n1",
          organId: "000.00.00.G22",
          dataDir: join(ctx.dataDir(), "node"),
          ...(dbConfig.kind === "postgres" ? { databaseUrl: dbConfig.url } : {}),
          listen: { host: "127.0.0.1", port: 0 },
          tls: {
            cert: ids.node.certPem,
            key: ids.node.keyPem,
            ca: [pki.caPem],
            allowUnclassifiedClients: true,
          },
          signature: { default: "require", perSender: {}, signForwarded: true },
          trust: { crls: [await pki.crl()] },
          storage: { bodies },
          masterKey: "55".repeat(32),
          logLevel: "silent",
        },
        { env: {} },
      ),
      { workers: false },
    );
    if (seq === 0) {
      for (const code of ["H29.12", "H29.20"]) await node.registerAgency({ code, name: `Cơ quan ${code}` });
      await node.connectSystem({
        systemId: "sys-a",
        certFingerprint: ids.a.fingerprint,
        agencyCodes: ["H29.12"],
      });
      await node.connectSystem({
        systemId: "sys-b",
        certFingerprint: ids.b.fingerprint,
        agencyCodes: ["H29.20"],
      });
    }
  }

  async function send(): Promise<string> {
    const raw = edocXml({
      from: "H29.12",
      to: ["H29.20"],
      documentId: `H29.12,2025/03/05,${String(++seq).padStart(2, "0")}/VP`,
      attachmentBytes: 30_000,
    });
    const signed = await signEdxml(raw, createPemSigner(ids.a.keyPem, ids.a.certPem));
    const res = await call(node.url, ids.a, pki.caPem, "POST", "/v1/packages", signed);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json.packageId;
  }

  const download = (packageId: string) =>
    call(node.url, ids.b, pki.caPem, "GET", `/v1/packages/${encodeURIComponent(packageId)}`);
  const row = (packageId: string) =>
    node.context.db.kysely
      .selectFrom("axis_packages")
      .selectAll()
      .where("id", "=", packageId)
      .executeTakeFirstOrThrow();

  before(async () => {
    mkdirSync(join(ctx.dataDir(), "pki"), { recursive: true });
    pki = makeTestPki(join(ctx.dataDir(), "pki"));
    for (const name of ["node", "a", "b"] as const) ids[name] = pki.issue(name);
  });
  after(() => node?.close());

  let first: string;
  let location: { segment: number; offset: number };

  it("keeps the bytes in the log, located by a row, and delivers the forwarded form", async () => {
    await start("log");
    first = await send();
    const pkg = await row(first);
    assert.equal(pkg.raw_inline, RAW_PLACE.bodyLog);
    const db = node.context.db.kysely;
    location = { segment: pkg.raw_log_segment!, offset: pkg.raw_log_offset! };
    assert.ok(location.segment >= 1 && location.offset >= 48);
    const inTable = await db.selectFrom("axis_bodies").select("sha256").execute();
    assert.equal(inTable.length, 0, "no copy in axis_bodies");
    const res = await download(first);
    assert.equal(res.status, 200);
    assert.equal(createHash("sha256").update(res.body).digest("hex"), pkg.fwd_sha256);
    assert.match(res.body.toString("utf8"), /000\.00\.00\.G22/, "this hop's TraceHeader");
  });

  it("after a restart with bodies in the database: old packages read from the log, new ones from rows", async () => {
    await node.close();
    await start("database");
    const res = await download(first);
    assert.equal(res.status, 200);
    assert.equal(createHash("sha256").update(res.body).digest("hex"), (await row(first)).fwd_sha256);
    const second = await send();
    assert.equal((await row(second)).raw_inline, RAW_PLACE.database);
    assert.equal((await download(second)).status, 200);
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
    const res = await download(first);
    assert.equal(res.status, 500);
    assert.equal(res.json.code, "STORE_LOG_RECORD_INVALID");
    assert.match(res.json.message.vi, /nhật ký lưu trữ/);
  });
});
