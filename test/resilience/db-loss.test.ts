/**
 * PostgreSQL connection loss under load: every connection of the node's database is killed
 * (pg_terminate_backend) several times while agencies send and receive. Requests caught by a
 * kill are refused with a clear, retryable error (503 STORE_UNAVAILABLE), never a 500; the node
 * recovers by itself; nothing it acknowledged is lost or duplicated; the evidence log verifies.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { RunningNode } from "@truc/axis";
import { describeEachDialect } from "@truc/store/testing";
import pg from "pg";
import { startSuiteNode } from "../support/nodes.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";
import { Traffic } from "../support/traffic.ts";

const LONG = process.env.TRUC_LONG === "1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDialect("resilience: database connections killed under load", (ctx) => {
  let node: RunningNode | undefined;
  let pki: SuitePki;
  const ids: Record<string, Identity> = {};
  let traffic: Traffic | undefined;
  const skip = ctx.dialect !== "postgres";

  before(async () => {
    if (skip) return;
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    for (const n of ["national", "s1", "r1"]) ids[n] = await pki.node(n);
    node = await startSuiteNode(
      ctx,
      { name: "node", identity: ids.national!, caPems: pki.caPems },
      // Revocation data for the client certificates (the node requires it for mTLS callers).
      { mailbox: { leaseSeconds: 2, retentionDays: 365 }, trust: { crls: await pki.crls() } },
      { workers: true },
    );
    await node.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
    await node.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
    await node.connectSystem({
      systemId: "s1",
      certFingerprint: ids.s1!.fingerprint,
      agencyCodes: ["H29.12"],
    });
    await node.connectSystem({
      systemId: "r1",
      certFingerprint: ids.r1!.fingerprint,
      agencyCodes: ["H41.05"],
    });
  });
  after(async () => {
    await node?.close();
  });

  it("pg_terminate_backend during load: clear 503s, recovery, zero lost, zero duplicated", {
    skip: skip ? "PostgreSQL only (SQLite has no connection to lose)" : false,
  }, async () => {
    const url = () => node!.url;
    traffic = new Traffic({
      caPems: pki.caPems,
      senders: [{ agency: "H29.12", identity: ids.s1!, url }],
      recipients: [{ agency: "H41.05", identity: ids.r1!, url }],
      attachmentBytes: 4096,
      retryMs: 50,
      tag: "DBLOSS",
    });
    traffic.startReceiving();
    traffic.startSending();
    const config = ctx.config();
    assert.equal(config.kind, "postgres");
    const dbName = new URL(config.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: config.url.replace(`/${dbName}`, "/postgres") });
    await admin.connect();
    let killed = 0;
    try {
      for (let i = 0; i < (LONG ? 30 : 6); i++) {
        await sleep(400 + Math.random() * 600);
        const r = await admin.query(
          "select pg_terminate_backend(pid) as t from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
          [dbName],
        );
        killed += r.rowCount ?? 0;
      }
    } finally {
      await admin.end();
    }
    await sleep(500);
    const drained = await traffic.finish(120_000);
    const s = traffic.summary();
    console.log(
      `[postgres] connections killed=${killed} acknowledged=${s.acknowledged} lost=${s.lost.length} ` +
        `duplicateIds=${s.duplicateIds.length} missingStatuses=${s.missingStatus.length} refusals=${JSON.stringify(s.failures)}`,
    );
    assert.ok(killed > 0, "connections were killed");
    assert.deepEqual(s.lost, []);
    assert.deepEqual(s.duplicateIds, []);
    assert.deepEqual(s.duplicateDeliveries, []);
    assert.deepEqual(s.missingStatus, []);
    assert.ok(drained);
    const report = await node!.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
  });

  it("every refusal during the outage is the clear, retryable 503 STORE_UNAVAILABLE (never 500 AXIS_INTERNAL)", {
    skip: skip ? "PostgreSQL only" : false,
  }, () => {
    assert.ok(traffic);
    for (const key of Object.keys(traffic.failures))
      assert.match(
        key,
        /^(503 STORE_UNAVAILABLE|net )/,
        JSON.stringify(Object.fromEntries(traffic.failures)),
      );
  });
});
