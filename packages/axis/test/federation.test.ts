import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { sql } from "kysely";
import { call } from "./support/https.ts";
import { edocXml, statusXml, textOf } from "./support/packages.ts";
import { startTopology, type Topology } from "./support/topology.ts";

const DOC = "H29.12,2025/03/05,45/SNV-VP";

describeEachDialect("axis: province A → national → province B", (ctx) => {
  let t: Topology;
  let docPackageId: string;
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
  const ack = (node: "a" | "b", id: string) =>
    call(t[node].url, node === "a" ? t.clientA : t.clientB, t.pki.caPem, "POST", `/v1/packages/${id}/ack`, {
      status: "done",
    });

  before(async () => {
    t = await startTopology(ctx);
  });
  after(async () => {
    await t?.close();
  });

  it("federates the directory: each LGSP resolves the other province's agencies", async () => {
    const res = await get("a", "/v1/directory");
    assert.equal(res.status, 200);
    const codes = res.json.items.map((i: { code: string }) => i.code);
    for (const code of ["H29.12", "H41.05", "H41.06", "G22"])
      assert.ok(codes.includes(code), `${code} in ${codes}`);
  });

  it("delivers a document from H29.12 (province A) to H41.05 (province B) through three nodes", async () => {
    const res = await send(
      "a",
      edocXml({ from: "H29.12", to: ["H41.05", "000.00.06.H41"], documentId: DOC }),
    );
    assert.equal(res.status, 201, JSON.stringify(res.json));
    docPackageId = res.json.packageId;
    assert.deepEqual(res.json.recipients.sort(), ["H41.05", "H41.06"]);

    // Nothing reaches B before the nodes forward: acceptance is local and durable.
    assert.equal((await get("b", "/v1/inbox?type=edoc")).json.items.length, 0);
    await t.pump();

    const inbox = await get("b", "/v1/inbox?type=edoc");
    assert.equal(inbox.status, 200);
    const items = inbox.json.items;
    // The system of province B serves both recipients; one mailbox row each.
    assert.deepEqual(items.map((i: { to: string }) => i.to).sort(), ["H41.05", "H41.06"]);
    assert.ok(
      items.every((i: { docId: string }) => i.docId === docPackageId),
      "network-wide package id kept",
    );

    const pkg = await get("b", `/v1/packages/${docPackageId}`);
    assert.equal(pkg.status, 200);
    // Sender's trace plus one per hop: LGSP A, national, LGSP B.
    assert.deepEqual(
      textOf(pkg.body, "OrganId").filter((c) => c.startsWith("000.00.00.")),
      ["000.00.00.H29", "000.00.00.G22", "000.00.00.H41"],
    );
    assert.ok(
      pkg.body.includes("<SignatureValue>") || pkg.body.includes(":SignatureValue>"),
      "re-signed by node B",
    );
    // Leased: not listed again until acknowledged or the lease expires.
    assert.equal((await get("b", "/v1/inbox?type=edoc")).json.items.length, 0);
    const acked = await ack("b", docPackageId);
    assert.equal(acked.status, 200);
    assert.equal(acked.json.changed, 2);
  });

  it("returns statuses 01 → 03 → 04 → 05 → 06 to the sender in order", async () => {
    for (const code of ["01", "03", "04", "05", "06"]) {
      const res = await send(
        "b",
        statusXml({ from: "H41.05", responseFor: "H29.12", documentId: DOC, code }),
        {
          "x-truc-message-type": "status",
        },
      );
      assert.equal(res.status, 201, JSON.stringify(res.json));
    }
    await t.pump();
    const inbox = await get("a", "/v1/inbox?type=status");
    assert.equal(inbox.json.items.length, 5);
    const codes: string[] = [];
    for (const item of inbox.json.items) {
      const pkg = await get("a", `/v1/packages/${item.docId}`);
      codes.push(textOf(pkg.body, "StatusCode")[0]!);
      await ack("a", item.docId);
    }
    assert.deepEqual(codes, ["01", "03", "04", "05", "06"]);

    const timeline = await get("a", `/v1/documents/${encodeURIComponent(DOC)}/statuses`);
    assert.deepEqual(
      timeline.json.items.map(
        (i: { recipient: string; statusCode: string }) => `${i.recipient}:${i.statusCode}`,
      ),
      ["H41.05:01", "H41.05:03", "H41.05:04", "H41.05:05", "H41.05:06"],
    );
  });

  it("a revoke naming one recipient reaches every recipient of the original", async () => {
    const res = await send(
      "a",
      edocXml({ from: "H29.12", to: ["H41.05"], documentId: DOC, businessType: 1, reason: "Sai thể thức" }),
    );
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.deepEqual(res.json.recipients.sort(), ["H41.05", "H41.06"]);
    await t.pump();
    const inbox = await get("b", "/v1/inbox?type=edoc");
    assert.deepEqual(inbox.json.items.map((i: { to: string }) => i.to).sort(), ["H41.05", "H41.06"]);
    const pkg = await get("b", `/v1/packages/${res.json.packageId}`);
    assert.deepEqual(textOf(pkg.body, "BussinessDocType"), ["1"]);
    await ack("b", res.json.packageId);
  });

  it("stores a duplicate once and answers with the first DocId", async () => {
    const body = edocXml({ from: "H29.12", to: ["H41.05"], documentId: "H29.12,2025/03/06,46/SNV-VP" });
    const first = await send("a", body);
    const countBefore = await countRows(t, "axis_packages");
    const again = await send("a", body);
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.json.packageId, first.json.packageId);
    assert.equal(again.json.duplicate, true);
    assert.equal(await countRows(t, "axis_packages"), countBefore);
    await t.pump();
    // The neighbour got it once too.
    const inbox = await get("b", "/v1/inbox?type=edoc");
    assert.equal(
      inbox.json.items.filter((i: { docId: string }) => i.docId === first.json.packageId).length,
      1,
    );
  });

  it("refuses a package whose sender is not bound to the caller (AXIS_SENDER_MISMATCH)", async () => {
    const res = await send(
      "a",
      edocXml({ from: "H41.05", to: ["H29.12"], documentId: "H41.05,2025/03/05,1/STP" }),
    );
    assert.equal(res.status, 403);
    assert.equal(res.json.code, "AXIS_SENDER_MISMATCH");
  });

  it("refuses an unknown recipient, an unknown certificate and another agency's package", async () => {
    const unknown = await send(
      "a",
      edocXml({ from: "H29.12", to: ["H99.01"], documentId: "H29.12,2025/03/05,9/X" }),
    );
    assert.equal(unknown.status, 422);
    assert.equal(unknown.json.code, "AXIS_RECIPIENT_UNKNOWN");
    const stranger = t.pki.issue("stranger");
    const denied = await call(t.a.url, stranger, t.pki.caPem, "GET", "/v1/inbox");
    assert.equal(denied.status, 401);
    assert.equal(denied.json.code, "AXIS_AUTH_CERT_UNKNOWN");
    const notMine = await get("a", `/v1/packages/${docPackageId}`);
    assert.equal(notMine.status, 404);
    assert.equal(notMine.json.code, "AXIS_PACKAGE_NOT_FOUND");
    const garbage = await send("a", Buffer.from("<edXML><oops"));
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.code, "EDXML_XML_MALFORMED");
  });

  it("statistics show the traffic and the status compliance", async () => {
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const traffic = await get("a", `/v1/stats/traffic?from=${today}&to=${today}&groupBy=agency`);
    assert.equal(traffic.status, 200, JSON.stringify(traffic.json));
    const row = (code: string) => traffic.json.rows.find((r: { key: string }) => r.key === code);
    assert.equal(row("H29.12").sent, 3); // document, revoke, second document
    assert.equal(row("H41.05").received, 3);
    assert.equal(row("H41.06").received, 2);
    const byLevel = await get("a", `/v1/stats/traffic?from=${today}&to=${today}&groupBy=parent`);
    assert.equal(byLevel.json.rows.find((r: { key: string }) => r.key === "H41").received, 5);
    const compliance = await get("a", `/v1/stats/status-compliance?from=${today}&to=${today}`);
    const h4105 = compliance.json.items.find((i: { recipient: string }) => i.recipient === "H41.05");
    assert.deepEqual(Object.keys(h4105.returned).sort(), ["01", "03", "04", "05", "06"]);
    assert.equal(typeof h4105.medianMs["03"], "number");
    const backlog = await get("b", "/v1/stats/backlog");
    assert.equal(backlog.json.items.find((i: { recipient: string }) => i.recipient === "H41.05").pending, 1);
  });

  it("the evidence logs verify on all three nodes, and tampering is detected", async () => {
    for (const node of [t.a, t.national, t.b]) {
      await node.sealEvidenceNow();
      const report = await node.verifyEvidenceLog();
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.ok(report.seals >= 1);
      assert.equal(report.unsealed, 0);
    }
    const db = t.national.context.db.kysely;
    // Every hop is recorded at the national node: received once, forwarded once.
    const hops = await db
      .selectFrom("axis_evidence")
      .select("kind")
      .where("package_id", "=", docPackageId)
      .execute();
    assert.deepEqual(hops.map((h) => h.kind).sort(), ["forward", "receive"]);

    await sql`update axis_evidence set details = ${'{"forged":true}'} where seq = 3`.execute(db);
    const edited = await t.national.verifyEvidenceLog();
    assert.equal(edited.ok, false);
    assert.deepEqual(edited.problem, { seq: 3, reason: "hash-mismatch" });

    const dbB = t.b.context.db.kysely;
    await sql`delete from axis_evidence where seq = 4`.execute(dbB);
    const deleted = await t.b.verifyEvidenceLog();
    assert.equal(deleted.ok, false);
    assert.deepEqual(deleted.problem, { seq: 4, reason: "gap" });
  });
});

async function countRows(t: Topology, table: "axis_packages"): Promise<number> {
  let n = 0;
  for (const node of [t.a, t.national, t.b]) {
    const row = await node.context.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    n += Number(row.n);
  }
  return n;
}
