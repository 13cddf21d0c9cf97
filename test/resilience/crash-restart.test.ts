/**
 * kill -9 under sustained load. A node runs in a child process; two agencies send documents to
 * two recipients, which answer status 01 and acknowledge; the node is killed with SIGKILL at
 * random moments and restarted on the same data directory (same port), again and again. Then:
 * every package acknowledged to a sender was delivered to every recipient exactly once in effect
 * (receive side de-duplicates by package id), no document got two package ids, every status
 * reached its sender, and the evidence log verifies.
 *
 * CI: 5 kills per dialect. TRUC_LONG=1: 25 kills.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { AXIS_MIGRATIONS, verifyEvidenceLog } from "@truc/axis";
import { migrate, openDatabase } from "@truc/store";
import { describeEachDialect } from "@truc/store/testing";
import { type ChildNode, startChildNode } from "../support/child-node.ts";
import { freePort, nationalConfig } from "../support/nodes.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";
import { Traffic } from "../support/traffic.ts";

const LONG = process.env.TRUC_LONG === "1";
const KILLS = Number(process.env.TRUC_KILLS ?? (LONG ? 25 : 5));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDialect("resilience: kill -9 a node again and again under load", (ctx) => {
  let pki: SuitePki;
  let node: ChildNode | undefined;
  let run: object;
  let runFile: string;
  const ids: Record<string, Identity> = {};

  before(async () => {
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    for (const n of ["national", "s1", "s2", "r1", "r2"]) ids[n] = await pki.node(n);
    const db = ctx.config();
    const port = await freePort();
    run = {
      config: {
        ...nationalConfig({
          dataDir: join(ctx.dataDir(), "node"),
          ...(db.kind === "postgres" ? { databaseUrl: db.url } : {}),
          identity: ids.national!,
          caPems: pki.caPems,
          port,
        }),
        // Short leases, so a package leased just before a crash is offered again quickly.
        mailbox: { leaseSeconds: 2, retentionDays: 365 },
        evidence: { sealEveryRecords: 1000, sealEveryMs: 1000 },
        // Revocation data for the client certificates (the node requires it for mTLS callers).
        trust: { crls: await pki.crls() },
      },
      setup: {
        agencies: [
          { code: "H29.12", name: "Sở Nội vụ" },
          { code: "H29.13", name: "Sở Tài chính" },
          { code: "H41.05", name: "Sở Tư pháp" },
          { code: "H41.06", name: "Sở Y tế" },
        ],
        systems: [
          { systemId: "s1", certFingerprint: ids.s1!.fingerprint, agencyCodes: ["H29.12"] },
          { systemId: "s2", certFingerprint: ids.s2!.fingerprint, agencyCodes: ["H29.13"] },
          { systemId: "r1", certFingerprint: ids.r1!.fingerprint, agencyCodes: ["H41.05"] },
          { systemId: "r2", certFingerprint: ids.r2!.fingerprint, agencyCodes: ["H41.06"] },
        ],
      },
    };
    runFile = join(ctx.dataDir(), "run.json");
  });
  after(async () => {
    if (node) await node.kill9();
  });

  it(`${KILLS} kills under load: zero lost, zero duplicated, statuses back, evidence verifies`, async () => {
    node = await startChildNode(runFile, run);
    const url = () => node!.url;
    const party = (agency: string, id: string) => ({ agency, identity: ids[id]!, url });
    const traffic = new Traffic({
      caPems: pki.caPems,
      senders: [party("H29.12", "s1"), party("H29.13", "s2")],
      recipients: [party("H41.05", "r1"), party("H41.06", "r2")],
      attachmentBytes: 4096,
      retryMs: 50,
      tag: `KILL-${ctx.dialect}`,
    });
    traffic.startReceiving();
    traffic.startSending();
    const perCycle: number[] = [];
    try {
      for (let k = 0; k < KILLS; k++) {
        const before = traffic.sentCount;
        // Let traffic flow for a while (random, so kills land in different phases).
        const until = Date.now() + 800 + Math.random() * 1500;
        while (Date.now() < until || traffic.sentCount === before) await sleep(50);
        await node.kill9();
        perCycle.push(traffic.sentCount - before);
        node = await startChildNode(runFile, run);
      }
    } catch (error) {
      await traffic.abort();
      throw error;
    }
    const drained = await traffic.finish(LONG ? 300_000 : 120_000);
    const code = await node.stop();
    node = undefined;
    assert.equal(code, 0, "clean stop after the last restart");

    const s = traffic.summary();
    console.log(
      `[${ctx.dialect}] kills=${KILLS} acknowledged=${s.acknowledged} lost=${s.lost.length} ` +
        `duplicateIds=${s.duplicateIds.length} duplicateDeliveries=${s.duplicateDeliveries.length} ` +
        `missingStatuses=${s.missingStatus.length} redeliveries=${s.redeliveries} acceptedPerCycle=${perCycle.join(",")} ` +
        `failuresSeen=${JSON.stringify(s.failures)}`,
    );
    assert.ok(s.acknowledged >= KILLS, "traffic flowed between kills");
    assert.deepEqual(s.lost, [], "every acknowledged package reached every recipient");
    assert.deepEqual(s.duplicateIds, [], "no document stored twice under two ids");
    assert.deepEqual(s.duplicateDeliveries, [], "no recipient handled a document twice");
    assert.deepEqual(s.missingStatus, [], "every status reached its sender");
    assert.ok(drained);
    // No refusal other than "not ready"/unavailable while restarting: network errors are expected.
    for (const key of Object.keys(s.failures))
      assert.match(key, /^(net |503 )/, `unexpected refusal ${key}: ${JSON.stringify(s.failures)}`);

    // The node's own tables agree, and the evidence log verifies after all those crashes.
    const config = ctx.config();
    const db = await openDatabase(
      config.kind === "postgres"
        ? config
        : { kind: "sqlite", path: join(ctx.dataDir(), "node", "axis.sqlite") },
    );
    try {
      await migrate(db, AXIS_MIGRATIONS);
      const perDocument = await db.kysely
        // biome-ignore lint/suspicious/noExplicitAny: axis tables through a plain handle
        .selectFrom("axis_packages" as any)
        .select(["document_id", (eb) => eb.fn.countAll<number>().as("n")])
        .where("kind", "=", "edoc")
        .groupBy("document_id")
        .having((eb) => eb.fn.countAll(), ">", 1)
        .execute();
      assert.deepEqual(perDocument, [], "the node stored each document once");
      const report = await verifyEvidenceLog(db.kysely as never);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.ok(report.records > s.acknowledged);
    } finally {
      await db.close();
    }
  });
});
