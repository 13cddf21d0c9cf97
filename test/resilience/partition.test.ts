/**
 * Partition: two LGSPs under a national node, all with their background workers. Agencies of
 * province A send to agencies of province B, which answer status 01. Province B's node is
 * stopped (its port refuses connections) for a while under load, then started again on the
 * same data directory and port. Everything queued meanwhile flows: zero lost, zero duplicated,
 * every status back, and each recipient sees each sender's documents in the order they were sent.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { type NodeConfig, parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { createTestDatabase, describeEachDialect } from "@truc/store/testing";
import { freePort, MASTER_KEY } from "../support/nodes.ts";
import { type Identity, makeSuitePki, type SuitePki } from "../support/pki.ts";
import { Traffic } from "../support/traffic.ts";

const LONG = process.env.TRUC_LONG === "1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDialect("resilience: a province cut off from the national node under load", (ctx) => {
  let pki: SuitePki;
  const ids: Record<string, Identity> = {};
  const drops: (() => Promise<void>)[] = [];
  const configs: Record<"national" | "a" | "b", NodeConfig> = {} as never;
  const nodes: Partial<Record<"national" | "a" | "b", RunningNode>> = {};

  before(async () => {
    pki = await makeSuitePki(join(ctx.dataDir(), "pki"));
    for (const n of ["national", "lgsp-a", "lgsp-b", "s1", "s2", "r1", "r2"]) ids[n] = await pki.node(n);
    const ports = { national: await freePort(), a: await freePort(), b: await freePort() };
    const url = (p: number) => `https://127.0.0.1:${p}`;
    const dbUrl = async (first: boolean) => {
      if (ctx.dialect !== "postgres") return undefined;
      const c = ctx.config();
      if (first && c.kind === "postgres") return c.url;
      const created = await createTestDatabase();
      drops.push(created.drop);
      return created.url;
    };
    const base = async (name: string, id: Identity, port: number, first: boolean) => {
      const databaseUrl = await dbUrl(first);
      return {
        dataDir: join(ctx.dataDir(), name),
        ...(databaseUrl ? { databaseUrl } : {}),
        listen: { host: "127.0.0.1", port },
        tls: { cert: id.certPem, key: id.keyPem, ca: pki.caPems },
        // Revocation data for the client certificates (the node requires it for mTLS callers).
        trust: { crls: await pki.crls() },
        masterKey: MASTER_KEY,
        logLevel: "silent" as const,
        mailbox: { leaseSeconds: 5, retentionDays: 365 },
        federation: {
          pollMs: 20,
          directorySyncMs: 3_600_000,
          backoffBaseMs: 20,
          backoffMaxMs: 300,
          batchSize: 16,
        },
      };
    };
    configs.national = parseNodeConfig(
      {
        ...(await base("national", ids.national!, ports.national, true)),
        role: "national",
        nodeId: "national",
        organId: "000.00.00.G22",
        children: [
          { nodeId: "lgsp-a", url: url(ports.a), fingerprint: ids["lgsp-a"]!.fingerprint, organId: "H29" },
          { nodeId: "lgsp-b", url: url(ports.b), fingerprint: ids["lgsp-b"]!.fingerprint, organId: "H41" },
        ],
      },
      { env: {} },
    );
    for (const [key, organ] of [
      ["a", "H29"],
      ["b", "H41"],
    ] as const)
      configs[key] = parseNodeConfig(
        {
          ...(await base(`lgsp-${key}`, ids[`lgsp-${key}`]!, ports[key], false)),
          role: "lgsp",
          nodeId: `lgsp-${key}`,
          organId: `000.00.00.${organ}`,
          parent: { nodeId: "national", url: url(ports.national), fingerprint: ids.national!.fingerprint },
        },
        { env: {} },
      );
    nodes.national = await startNode(configs.national, { workers: true });
    nodes.a = await startNode(configs.a, { workers: true });
    nodes.b = await startNode(configs.b, { workers: true });
    await nodes.a.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
    await nodes.a.registerAgency({ code: "H29.13", name: "Sở Tài chính" });
    await nodes.b.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
    await nodes.b.registerAgency({ code: "H41.06", name: "Sở Y tế" });
    await nodes.a.connectSystem({
      systemId: "s1",
      certFingerprint: ids.s1!.fingerprint,
      agencyCodes: ["H29.12"],
    });
    await nodes.a.connectSystem({
      systemId: "s2",
      certFingerprint: ids.s2!.fingerprint,
      agencyCodes: ["H29.13"],
    });
    await nodes.b.connectSystem({
      systemId: "r1",
      certFingerprint: ids.r1!.fingerprint,
      agencyCodes: ["H41.05"],
    });
    await nodes.b.connectSystem({
      systemId: "r2",
      certFingerprint: ids.r2!.fingerprint,
      agencyCodes: ["H41.06"],
    });
    await nodes.national.syncDirectoryNow();
    await nodes.a.syncDirectoryNow();
    await nodes.b.syncDirectoryNow();
  });
  after(async () => {
    // Closed one by one, each bounded: a hang here names the node instead of timing out the file.
    for (const [name, n] of Object.entries(nodes)) {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        n!.close().then(() => "closed"),
        new Promise<string>((r) => {
          timer = setTimeout(() => r("still closing after 30 s"), 30_000);
        }),
      ]);
      clearTimeout(timer);
      if (outcome !== "closed" || Date.now() - t0 > 5000)
        console.error(`[${ctx.dialect}] close ${name}: ${outcome} (${Date.now() - t0} ms)`);
    }
    for (const drop of drops) await drop();
  });

  let traffic: Traffic;

  it("stop province B under load, start it again: everything queued flows, once, statuses back", async () => {
    const at = (key: "a" | "b") => () => nodes[key]!.url;
    traffic = new Traffic({
      caPems: pki.caPems,
      senders: [
        { agency: "H29.12", identity: ids.s1!, url: at("a") },
        { agency: "H29.13", identity: ids.s2!, url: at("a") },
      ],
      recipients: [
        { agency: "H41.05", identity: ids.r1!, url: at("b") },
        { agency: "H41.06", identity: ids.r2!, url: at("b") },
      ],
      attachmentBytes: 4096,
      retryMs: 50,
      // Each forward costs a few hundred ms of CPU across three nodes on two loaded cores.
      sendGapMs: LONG ? 0 : 150,
      tag: `PART-${ctx.dialect}`,
    });
    traffic.startReceiving();
    traffic.startSending();
    const cuts = LONG ? 4 : 1;
    const timings: string[] = [];
    const queued: number[] = [];
    for (let c = 0; c < cuts; c++) {
      await sleep(1500);
      const t0 = Date.now();
      await nodes.b!.close();
      timings.push(`close ${Date.now() - t0} ms`);
      const before = traffic.sentCount;
      await sleep(LONG ? 8000 : 4000); // province B unreachable; A keeps accepting
      queued.push(traffic.sentCount - before);
      nodes.b = await startNode(configs.b, { workers: true });
    }
    await sleep(1000);
    const t1 = Date.now();
    const probe = setInterval(async () => {
      if (!process.env.TRUC_DEBUG) return;
      const backlog = [];
      for (const [k, n] of Object.entries(nodes)) {
        const rows = await n!.context.db.kysely
          .selectFrom("axis_outbox")
          .select(["node_id", "next_attempt_at", "lease_until", "attempts", "last_error"])
          .where("state", "!=", "sent")
          .execute()
          .catch(() => []);
        backlog.push(`${k}:${JSON.stringify(rows).slice(0, 400)}`);
      }
      console.log(
        `t+${Date.now() - t1} ${JSON.stringify(traffic.summary()).slice(0, 300)} ${backlog.join(" ")}`,
      );
    }, 3000);
    // A bound, not a speed target: the long run sends as fast as it can, so its backlog (and
    // the time to drain it through three nodes on two cores, ~5 documents/s) grows with it.
    const drained = await traffic.finish(LONG ? Math.max(300_000, traffic.sentCount * 500) : 120_000);
    timings.push(`drain ${Date.now() - t1} ms`);
    clearInterval(probe);
    const s = traffic.summary();
    console.log(
      `[${ctx.dialect}] cuts=${cuts} acknowledged=${s.acknowledged} acceptedWhileCut=${queued.join(",")} lost=${s.lost.length} ` +
        `duplicateIds=${s.duplicateIds.length} duplicateDeliveries=${s.duplicateDeliveries.length} ` +
        `missingStatuses=${s.missingStatus.length} redeliveries=${s.redeliveries} ${timings.join(", ")}`,
    );
    assert.ok(
      queued.every((n) => n > 0),
      "province A kept accepting while B was cut off",
    );
    assert.deepEqual(s.lost, []);
    assert.deepEqual(s.duplicateIds, []);
    assert.deepEqual(s.duplicateDeliveries, []);
    assert.deepEqual(s.missingStatus, []);
    assert.ok(drained);
    for (const n of Object.values(nodes)) {
      await n!.sealEvidenceNow();
      const report = await n!.verifyEvidenceLog();
      assert.equal(report.ok, true, JSON.stringify(report));
    }
  });

  it("each recipient sees each sender's documents in the order they were sent", () => {
    assert.ok(traffic, "the partition test ran");
    for (const sender of ["H29.12", "H29.13"])
      for (const recipient of ["H41.05", "H41.06"]) {
        const { sent, received } = traffic.orderAt(sender, recipient);
        assert.deepEqual(received, sent, `order of ${sender}'s documents at ${recipient}`);
      }
  });
});

// Three in-process nodes were closed above; if anything they left keeps this process alive,
// say what it is and fail the file instead of hanging until the runner's timeout.
after(() => {
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
    console.error(
      "still running 60 s after the last test; active handles:",
      handles.map((h) => h.constructor.name),
    );
    process.exit(1);
  }, 60_000).unref();
});
