/**
 * A package larger than a node keeps in memory crosses three nodes as a stream on every hop
 * (from the blob store, with the node's splices applied on the way), and arrives whole,
 * re-signed by the last node.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, it } from "node:test";
import { verifyEdxml } from "@truc/edxml";
import { describeEachDialect } from "@truc/store/testing";
import { call } from "./support/https.ts";
import { edocXml, textOf } from "./support/packages.ts";
import { startTopology, type Topology } from "./support/topology.ts";

describeEachDialect("axis: a 12 MB package through three nodes, streamed", (ctx) => {
  let t: Topology;
  before(async () => {
    t = await startTopology(ctx);
  });
  after(async () => {
    await t?.close();
  });

  it("arrives intact, with every hop and the last node's valid signature", async () => {
    const body = edocXml({
      from: "H29.12",
      to: ["H41.05"],
      documentId: "H29.12,2025/03/05,77/LON",
      attachmentBytes: 9 * 1024 * 1024,
      seed: "q",
    });
    assert.ok(body.length > 12 * 1024 * 1024);
    const sent = await call(t.a.url, t.clientA, t.pki.caPem, "POST", "/v1/packages", body);
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    await t.pump();
    const got = await call(t.b.url, t.clientB, t.pki.caPem, "GET", `/v1/packages/${sent.json.packageId}`);
    assert.equal(got.status, 200);
    assert.equal(createHash("sha256").update(got.body).digest("hex"), got.headers["x-truc-sha256"]);
    assert.deepEqual(
      textOf(got.body, "OrganId").filter((c) => c.startsWith("000.00.00.")),
      ["000.00.00.H29", "000.00.00.G22", "000.00.00.H41"],
    );
    const verdict = await verifyEdxml(got.body, { trust: async () => ({ status: "valid" }) });
    assert.equal(verdict.status, "valid");
    // The attachment's bytes are the sender's.
    assert.ok(got.body.includes(Buffer.alloc(1024, "q").toString("base64").slice(0, 1000)));
  });
});
