/**
 * kill -9 the office's receive loop under load. An axis node (in process, SQLite, short mailbox
 * leases) serves two agencies: a sender (this test, over the SDKVXP API) and an agency served by
 * an office deployment whose receive/send loop runs in a child process on the dialect under
 * test. The sender pushes N documents one after another while the office child is SIGKILLed at
 * random moments and restarted on the same database and data directory, again and again. Then
 * the office drains and stops cleanly, and:
 *
 * - every package the node accepted for the office's agency became exactly one incoming document
 *   (one row per document id and per package id, and no other incoming row);
 * - the node has nothing pending for the office's agency: every delivery was acknowledged `done`;
 * - per document, the sender's status mailbox held exactly one status package, of code 01 from
 *   the office's agency. A 01 sent again after a kill (sent, then killed before the office
 *   recorded it as sent) is byte-identical, so the node answers it with the first package's id:
 *   exactly one distinct status package id per document is what is asserted, and nothing else
 *   reached the sender;
 * - the office's outbox holds exactly one 01 per document, each marked sent with that id.
 *
 * CI: 5 kills per dialect, 50 documents. TRUC_LONG=1: 25 kills, 150 documents.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { SdkvxpClient } from "@truc/client";
import { type DatabaseConfig, openDatabase } from "@truc/store";
import { describeEachDialect } from "@truc/store/testing";
import type { Tx } from "../../packages/office/src/repositories/rows.ts";
import { type ChildNode, startChildProcess } from "../support/child-node.ts";
import { edocXml, textOf } from "../support/packages.ts";

const LONG = process.env.TRUC_LONG === "1";
const KILLS = Number(process.env.TRUC_KILLS ?? (LONG ? 25 : 5));
const DOCS = Number(process.env.TRUC_DOCS ?? (LONG ? 150 : 50));
const RUNNER = fileURLToPath(new URL("../support/office-runner.ts", import.meta.url));
const SENDER = "H29.12";
const OFFICE = "H41.05";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDialect("resilience: kill -9 the office receive loop again and again under load", (ctx) => {
  let node: RunningNode;
  let office: ChildNode | undefined;
  let runFile: string;
  let run: object;
  let database: DatabaseConfig;
  const senderSystem = { systemId: "sender", secret: "bí-mật-gửi", agencyCodes: [SENDER] };
  const officeSystem = { systemId: "qlvb-office", secret: "bí-mật-nhận", agencyCodes: [OFFICE] };

  before(async () => {
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
          dataDir: join(ctx.dataDir(), "node"),
          masterKey: "33".repeat(32),
          logLevel: "silent",
          // Short leases, so a package listed by an office killed before acknowledging comes back quickly.
          mailbox: { leaseSeconds: 2, retentionDays: 365 },
        },
        { env: {} },
      ),
      { workers: false },
    );
    await node.registerAgency({ code: SENDER, name: "Sở Nội vụ" });
    await node.registerAgency({ code: OFFICE, name: "Sở Tư pháp" });
    await node.connectSystem(senderSystem);
    await node.connectSystem(officeSystem);
    const db = ctx.config();
    database =
      db.kind === "postgres" ? db : { kind: "sqlite", path: join(ctx.dataDir(), "office", "office.sqlite") };
    runFile = join(ctx.dataDir(), "office-run.json");
    run = {
      database,
      dataDir: join(ctx.dataDir(), "office"),
      endpoint: node.url,
      system: officeSystem,
      pollMs: 100,
      agencies: [{ code: OFFICE, name: "Sở Tư pháp" }],
    };
  });
  after(async () => {
    if (office) await office.kill9();
    await node?.close();
  });

  it(`${KILLS} kills of the office while ${DOCS} documents arrive: each one incoming document, acknowledged, one 01 back`, async () => {
    const sender = new SdkvxpClient({ endpoint: node.url, ...senderSystem, agencyCode: SENDER });
    /** documentId → package id the node answered (retries of the same bytes get the same id). */
    const accepted = new Map<string, string>();
    /** documentId → status package ids received by the sender, with their codes and senders. */
    const statuses = new Map<string, Map<string, { code: string; from: string }>>();
    const strayStatuses: string[] = [];
    let collecting = true;
    /** How many documents the sender may have sent so far: one batch more per kill cycle. */
    let allowed = 0;

    const sendAll = async () => {
      for (let n = 1; n <= DOCS; n++) {
        while (n > allowed) await sleep(20);
        const documentId = `${SENDER},2025/03/05,${n}/OFFICE-${ctx.dialect}`;
        const bytes = edocXml({ from: SENDER, to: [OFFICE], documentId, attachmentBytes: 4096, seed: n });
        for (;;) {
          try {
            const { docId } = await sender.sendEdoc(bytes, { messageType: "edoc", to: [OFFICE] });
            assert.ok(!accepted.has(documentId));
            accepted.set(documentId, docId);
            break;
          } catch {
            await sleep(50);
          }
        }
        await sleep(20);
      }
    };
    const collectStatuses = async () => {
      while (collecting) {
        const items = await sender.getReceivedEdocList({ messageType: "status" }).catch(() => []);
        for (const item of items) {
          const bytes = await sender.getEdoc(item.docId);
          const documentId = textOf(bytes, "DocumentId")[0] ?? "";
          const code = textOf(bytes, "StatusCode")[0] ?? "";
          const from = textOf(bytes, "OrganId")[0] ?? "";
          if (!accepted.has(documentId)) strayStatuses.push(`${item.docId} ${code} for ${documentId}`);
          const mine = statuses.get(documentId) ?? new Map();
          mine.set(item.docId, { code, from });
          statuses.set(documentId, mine);
          await sender.updateStatus(item.docId, "done");
        }
        if (items.length === 0) await sleep(100);
      }
    };

    office = await startChildProcess(RUNNER, "TRUC_OFFICE_URL", runFile, run);
    // A second handle on the office's database, to kill the child while it is working.
    const watch = await openDatabase(database);
    const handled = async () =>
      Number(
        (
          await (watch.kysely as unknown as Tx)
            .selectFrom("office_inbox_seen")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const sends = sendAll();
    const collector = collectStatuses();
    const atKill: string[] = [];
    let kills = 0;
    try {
      for (; kills < KILLS; kills++) {
        // A batch of documents arrives, and the office is killed while it works through them:
        // once it has handled a random number of them (0 = while listing and fetching), plus a
        // random few milliseconds (registering, acknowledging, flushing 01s).
        const batchEnd = Math.ceil(((kills + 1) * DOCS) / (KILLS + 1));
        const before = await handled();
        const target = before + Math.floor(Math.random() * (batchEnd - before + 1));
        allowed = batchEnd;
        const until = Date.now() + 10_000;
        while ((await handled()) < target && Date.now() < until) await sleep(5);
        await sleep(Math.random() * 150);
        await office.kill9();
        atKill.push(`${before}→${await handled()}/${batchEnd}`);
        office = await startChildProcess(RUNNER, "TRUC_OFFICE_URL", runFile, run);
      }
      allowed = DOCS;
      await sends;
      // Drain: every accepted document answered by a 01 (or give up after a while and report).
      const deadline = Date.now() + (LONG ? 180_000 : 60_000);
      while (Date.now() < deadline && [...accepted.keys()].some((d) => !statuses.get(d)?.size))
        await sleep(200);
      // A little longer, so a late duplicate status would be seen too.
      await sleep(2500);
    } finally {
      allowed = DOCS;
      collecting = false;
      await collector.catch(() => undefined);
      await watch.close();
    }
    const code = await office.stop();
    office = undefined;
    assert.equal(code, 0, "clean stop after the last restart");

    // The office's own tables.
    const db = await openDatabase(database);
    const k = db.kysely as unknown as Tx;
    const tables = async () => ({
      incoming: await k
        .selectFrom("office_incoming")
        .select(["document_id", "axis_message_id", "state"])
        .execute(),
      seen: await k.selectFrom("office_inbox_seen").select(["axis_message_id", "kind", "outcome"]).execute(),
      outbox: await k
        .selectFrom("office_outbox")
        .select(["dedupe_key", "status_code", "axis_id", "sent_at"])
        .execute(),
    });
    let incoming: Awaited<ReturnType<typeof tables>>["incoming"];
    let seen: Awaited<ReturnType<typeof tables>>["seen"];
    let outbox: Awaited<ReturnType<typeof tables>>["outbox"];
    try {
      ({ incoming, seen, outbox } = await tables());
    } finally {
      await db.close();
    }
    // The node's side: deliveries to the office's agency still pending (or acknowledged as failed).
    const deliveries = await node.context.db.kysely
      .selectFrom("axis_deliveries")
      .select(["package_id", "recipient", "state", "attempts"])
      .where("kind", "=", "edoc")
      .execute();
    // Packages the node stored from the office (its 01s), and resends it answered as duplicates.
    const statusPackages = await node.context.db.kysely
      .selectFrom("axis_packages")
      .select(["id", "document_id", "status_code"])
      .where("kind", "=", "status")
      .execute();
    const resends = await node.context.db.kysely
      .selectFrom("axis_intake_log")
      .select(["package_id", "document_id"])
      .where("outcome", "=", "duplicate")
      .execute();

    const perDocument = new Map<string, number>();
    for (const r of incoming) perDocument.set(r.document_id, (perDocument.get(r.document_id) ?? 0) + 1);
    const duplicates = [...perDocument].filter(([, n]) => n > 1).map(([d, n]) => `${d}×${n}`);
    const lost = [...accepted.keys()].filter((d) => !perDocument.has(d));
    const unknown = [...perDocument.keys()].filter((d) => !accepted.has(d));
    const wrongPackage = incoming
      .filter((r) => accepted.get(r.document_id) !== r.axis_message_id)
      .map((r) => `${r.document_id} as ${r.axis_message_id}`);
    const notDone = deliveries.filter((d) => d.state !== "done").map((d) => `${d.package_id} ${d.state}`);
    const missingStatus = [...accepted.keys()].filter((d) => !statuses.get(d)?.size);
    const extraStatus = [...statuses]
      .filter(([, s]) => s.size > 1)
      .map(([d, s]) => `${d}: ${[...s.keys()].join(",")}`);
    const wrongStatus = [...statuses.values()]
      .flatMap((s) => [...s.values()])
      .filter((s) => s.code !== "01" || s.from !== OFFICE);
    const redeliveries = deliveries.reduce((sum, d) => sum + Math.max(0, d.attempts - 1), 0);
    const duplicatesSkipped = seen.length - incoming.length;

    // handledAtKill: packages the office had handled when the cycle began → when it was killed / sent so far.
    console.log(
      `[${ctx.dialect}] kills=${kills} accepted=${accepted.size} received=${incoming.length} ` +
        `duplicates=${duplicates.length} lost=${lost.length} pendingAtNode=${notDone.length} ` +
        `statuses01=${[...statuses.values()].filter((s) => s.size === 1).length} extraStatuses=${extraStatus.length} ` +
        `missingStatuses=${missingStatus.length} redeliveries=${redeliveries} inboxSeen=${seen.length} ` +
        `statusResendsDeduplicatedByNode=${resends.length} ` +
        `handledAtKill=${atKill.join(",")}`,
    );
    assert.equal(accepted.size, DOCS, "the node accepted every document");
    assert.deepEqual(duplicates, [], "no document became two incoming documents");
    assert.deepEqual(lost, [], "every accepted package became an incoming document");
    assert.deepEqual(unknown, [], "no incoming document that was not sent");
    assert.deepEqual(wrongPackage, [], "each incoming document names the package it came from");
    assert.equal(incoming.length, DOCS);
    assert.ok(
      incoming.every((r) => r.state === "arrived"),
      "each incoming document is in state arrived (its 01 queued)",
    );
    assert.ok(
      seen.every((s) => s.kind === "edoc" && s.outcome === "accepted"),
      `every package handled was accepted: ${JSON.stringify(seen.filter((s) => s.outcome !== "accepted"))}`,
    );
    assert.equal(duplicatesSkipped, 0, "one inbox-seen row per package");
    assert.equal(deliveries.length, DOCS, "one delivery per document at the node");
    assert.deepEqual(notDone, [], "every delivery acknowledged done at the node (nothing pending)");
    assert.deepEqual(missingStatus, [], "a 01 came back for every document");
    assert.deepEqual(extraStatus, [], "exactly one status package per document reached the sender");
    assert.deepEqual(wrongStatus, [], "every status that came back is a 01 from the office's agency");
    assert.deepEqual(strayStatuses, [], "no status about a document that was not sent");
    assert.equal(outbox.length, DOCS, "one queued 01 per document in the office's outbox");
    for (const row of outbox) {
      assert.equal(row.status_code, "01");
      assert.ok(row.sent_at && row.axis_id, `outbox row ${row.dedupe_key} sent`);
    }
    const statusIds = new Set([...statuses.values()].flatMap((s) => [...s.keys()]));
    assert.equal(statusPackages.length, DOCS, "the node stored one status package per document");
    assert.ok(statusPackages.every((p) => p.status_code === "01"));
    assert.ok(
      resends.every((r) => statusIds.has(r.package_id ?? "")),
      "every resend the node saw was a 01 it already had (same package id)",
    );
    assert.deepEqual(
      new Set(outbox.map((r) => r.axis_id)),
      statusIds,
      "the outbox's axis ids are the status packages the sender received",
    );
  });
});
