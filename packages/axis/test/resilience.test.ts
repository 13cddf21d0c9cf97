/**
 * Three nodes with their background workers running (no hand-driven rounds): a node that is
 * down for a while receives everything in order when it returns; a node stopped without
 * draining loses nothing it acknowledged and delivers nothing twice; a graceful stop answers
 * every request it had received, finishes its round, and leaves the evidence chained and sealed.
 * Waiting is by polling with a generous deadline (no timing is asserted).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { openDatabase } from "@truc/store";
import { describeEachDialect } from "@truc/store/testing";
import type { RunningNode } from "../src/node.ts";
import type { AxisDatabase } from "../src/repositories/schema.ts";
import { call, type Reply } from "./support/https.ts";
import { edocXml, statusXml, textOf } from "./support/packages.ts";
import { startTopology, type Topology } from "./support/topology.ts";

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function count(
  node: RunningNode,
  table: "axis_packages" | "axis_evidence_queue",
  where?: [string, string],
) {
  let q = node.context.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
  if (where) q = q.where(where[0] as never, "=", where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

describeEachDialect("axis: resilience with the workers running", (ctx) => {
  let t: Topology;
  let n = 0;
  const nextDoc = () => `H29.12,2025/03/07,${String(++n).padStart(2, "0")}/RS`;
  const send = (node: "a" | "b", body: Buffer, headers: Record<string, string> = {}) =>
    call(
      t[node].url,
      node === "a" ? t.clientA : t.clientB,
      t.pki.caPem,
      "POST",
      "/v1/packages",
      body,
      headers,
    );
  const get = (node: "a" | "b", path: string) =>
    call(t[node].url, node === "a" ? t.clientA : t.clientB, t.pki.caPem, "GET", path);

  /** Reads the whole pending inbox of a node (in its listing order) and acknowledges it. */
  async function drainInbox(
    node: "a" | "b",
    type: "edoc" | "status",
  ): Promise<{ docId: string; body: Buffer }[]> {
    const list = await get(node, `/v1/inbox?type=${type}`);
    const out: { docId: string; body: Buffer }[] = [];
    for (const item of list.json.items as { docId: string }[]) {
      const pkg = await get(node, `/v1/packages/${item.docId}`);
      out.push({ docId: item.docId, body: pkg.body });
      await call(
        t[node].url,
        node === "a" ? t.clientA : t.clientB,
        t.pki.caPem,
        "POST",
        `/v1/packages/${item.docId}/ack`,
        {
          status: "done",
        },
      );
    }
    return out;
  }

  before(async () => {
    t = await startTopology(ctx, { workers: true });
  });
  after(async () => {
    await t?.close();
  });

  it("a province node down for a while gets everything in order, once, when it returns (both directions)", async () => {
    await t.stop("b");
    const docs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const documentId = nextDoc();
      docs.push(documentId);
      const res = await send("a", edocXml({ from: "H29.12", to: ["H41.05"], documentId }));
      assert.equal(res.status, 201, JSON.stringify(res.json));
    }
    // The national node keeps trying (with back-off) while B is down.
    await until("retries towards lgsp-b", async () => {
      const row = await t.national.context.db.kysely
        .selectFrom("axis_outbox")
        .select((eb) => eb.fn.max("attempts").as("m"))
        .where("node_id", "=", "lgsp-b")
        .where("state", "=", "pending")
        .executeTakeFirst();
      return Number(row?.m ?? 0) >= 3 ? true : undefined;
    });
    await t.start("b");
    const received = await until("six documents at B", async () => {
      const list = await get("b", "/v1/inbox?type=edoc");
      return list.json.items.length >= 6 ? list : undefined;
    });
    assert.equal(received.json.items.length, 6);
    const got = await drainInbox("b", "edoc");
    const order = got.map((g) => textOf(g.body, "DocumentId")[0]);
    assert.deepEqual(order, docs, "in the order sent");
    assert.equal(new Set(got.map((g) => g.docId)).size, 6, "no duplicate");
    for (const g of got) assert.equal(await count(t.b, "axis_packages", ["id", g.docId]), 1);

    // Statuses travel back while A is down.
    await t.stop("a");
    const codes = ["01", "03", "04", "05", "06"];
    for (const code of codes) {
      const res = await send(
        "b",
        statusXml({ from: "H41.05", responseFor: "H29.12", documentId: docs[0]!, code }),
        {
          "x-truc-message-type": "status",
        },
      );
      assert.equal(res.status, 201, JSON.stringify(res.json));
    }
    await until("retries towards lgsp-a", async () => {
      const row = await t.national.context.db.kysely
        .selectFrom("axis_outbox")
        .select((eb) => eb.fn.max("attempts").as("m"))
        .where("node_id", "=", "lgsp-a")
        .where("state", "=", "pending")
        .executeTakeFirst();
      return Number(row?.m ?? 0) >= 3 ? true : undefined;
    });
    await t.start("a");
    await until("five statuses at A", async () => {
      const list = await get("a", "/v1/inbox?type=status");
      return list.json.items.length >= 5 ? true : undefined;
    });
    const statuses = await drainInbox("a", "status");
    assert.deepEqual(
      statuses.map((s) => textOf(s.body, "StatusCode")[0]),
      codes,
    );
  });

  it("a node stopped without draining loses nothing it acknowledged and delivers nothing twice", async () => {
    const bodies = Array.from({ length: 10 }, () =>
      edocXml({ from: "H29.12", to: ["H41.06"], documentId: nextDoc(), attachmentBytes: 20_000 }),
    );
    const base = await count(t.a, "axis_packages", ["kind", "edoc"]);
    const answers: (Reply | Error)[] = new Array(bodies.length);
    const inFlight = bodies.map((body, i) =>
      send("a", body).then(
        (r) => {
          answers[i] = r;
        },
        (e: Error) => {
          answers[i] = e;
        },
      ),
    );
    // Crash-stop as soon as the first package is stored; the others are mid-request.
    await until("a first package stored", async () =>
      (await count(t.a, "axis_packages", ["kind", "edoc"])) > base ? true : undefined,
    );
    await t.stop("a", { drain: false });
    await Promise.all(inFlight);
    const acknowledged = new Map<number, string>();
    answers.forEach((a, i) => {
      if (!(a instanceof Error) && a.status === 201) acknowledged.set(i, a.json.packageId);
    });
    if (process.env.AXIS_TEST_VERBOSE)
      console.log(
        "crash-stop:",
        acknowledged.size,
        "acknowledged of",
        bodies.length,
        answers.map((a) => (a instanceof Error ? (a as NodeJS.ErrnoException).code : a.status)),
      );
    await t.start("a");
    // The client resends everything it has no answer for (and, to check, everything else too).
    const ids: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const res = await send("a", body);
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.json));
      if (acknowledged.has(i)) {
        assert.equal(res.status, 200, "an acknowledged package is still there");
        assert.equal(res.json.packageId, acknowledged.get(i));
      }
      ids.push(res.json.packageId);
    }
    assert.equal(new Set(ids).size, bodies.length);
    await until("ten documents at B for H41.06", async () => {
      const list = await get("b", "/v1/inbox?type=edoc");
      const mine = list.json.items.filter((i: { to: string }) => i.to === "H41.06");
      return mine.length >= bodies.length ? true : undefined;
    });
    const got = await drainInbox("b", "edoc");
    const forH4106 = got.filter((g) => ids.includes(g.docId));
    assert.equal(forH4106.length, bodies.length, "each once");
    for (const id of ids) {
      assert.equal(await count(t.b, "axis_packages", ["id", id]), 1);
      const deliveries = await t.b.context.db.kysely
        .selectFrom("axis_deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("package_id", "=", id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(deliveries.n), 1, "one mailbox row");
    }
  });

  it("a graceful stop answers what it received, finishes its round, and chains and seals the evidence", async () => {
    const bodies = Array.from({ length: 12 }, () =>
      edocXml({ from: "H29.12", to: ["H41.05"], documentId: nextDoc(), attachmentBytes: 20_000 }),
    );
    const before = await count(t.a, "axis_packages", ["kind", "edoc"]);
    const answers: (Reply | Error)[] = new Array(bodies.length);
    const inFlight = bodies.map((body, i) =>
      send("a", body).then(
        (r) => {
          answers[i] = r;
        },
        (e: Error) => {
          answers[i] = e;
        },
      ),
    );
    await until("a first package stored", async () =>
      (await count(t.a, "axis_packages", ["kind", "edoc"])) > before ? true : undefined,
    );
    const stopped = t.a;
    await t.stop("a");
    await Promise.all(inFlight);
    // Read the stopped node's database directly: every record chained, the last one a seal.
    const c = stopped.config;
    const db = await openDatabase<AxisDatabase>(
      c.databaseUrl
        ? { kind: "postgres", url: c.databaseUrl }
        : { kind: "sqlite", path: join(c.dataDir, "axis.sqlite") },
    );
    try {
      const queued = await db.kysely
        .selectFrom("axis_evidence_queue")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      assert.equal(Number(queued.n), 0, "every evidence record chained at stop");
      const last = await db.kysely
        .selectFrom("axis_evidence")
        .select("kind")
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.equal(last.kind, "seal", "and sealed");
    } finally {
      await db.close();
    }
    const answered = answers.filter((a): a is Reply => !(a instanceof Error));
    if (process.env.AXIS_TEST_VERBOSE)
      console.log(
        "graceful stop:",
        answers.map((a) => (a instanceof Error ? (a as NodeJS.ErrnoException).code : a.status)),
      );
    // What reached the node was answered: accepted, or "not ready" for a request that came
    // in on a kept-alive connection after the stop began. Nothing failed half-way.
    for (const a of answered) assert.ok(a.status === 201 || a.status === 503, `${a.status} ${a.body}`);
    const accepted = answered.filter((a) => a.status === 201).map((a) => a.json.packageId as string);
    assert.ok(accepted.length >= 1);

    const restarted = await t.start("a");
    for (const id of accepted) assert.equal(await count(restarted, "axis_packages", ["id", id]), 1);
    const report = await restarted.verifyEvidenceLog();
    assert.equal(report.ok, true, JSON.stringify(report));
    // The rest of the package flow carries on after the restart: everything accepted reaches B.
    await until("accepted documents at B", async () => {
      const rows = await t.b.context.db.kysely
        .selectFrom("axis_packages")
        .select("id")
        .where("id", "in", accepted)
        .execute();
      return rows.length === accepted.length ? true : undefined;
    });
  });
});
