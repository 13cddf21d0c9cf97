/**
 * Drives the SDKVXP-compatible API the way the official VPCP Java SDK does: headers signed
 * with `signSdkvxpHeaders` (HashMap order, Gson JSON, unpadded hash-file, CRLF after the
 * file), plain HTTP like the SDK's sample endpoint.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { signSdkvxpHeaders } from "@truc/client";
import { describeEachDialect } from "@truc/store/testing";
import { parseNodeConfig } from "../src/config.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import { edocXml, statusXml, textOf } from "./support/packages.ts";

interface Reply {
  status: number;
  json: any;
  body: Buffer;
}

function sdkCall(
  baseUrl: string,
  method: "GET" | "POST",
  op: string,
  o: { systemId: string; secret: string; params?: Record<string, string>; file?: Buffer; json?: object },
): Promise<Reply> {
  const signed = signSdkvxpHeaders({
    systemId: o.systemId,
    secret: o.secret,
    params: o.params ?? {},
    contentType: o.file ? "application/octet-stream" : "application/json",
    now: new Date(),
    ...(o.file ? { file: o.file } : {}),
  });
  const body = signed.body ?? (o.json ? Buffer.from(JSON.stringify(o.json)) : undefined);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(op, baseUrl),
      { method, headers: Object.fromEntries(signed.headers) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const buf = Buffer.concat(chunks);
          let json: unknown;
          try {
            json = JSON.parse(buf.toString("utf8"));
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, body: buf });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const S1 = { systemId: "vxp.saas.01", secret: "bí-mật-01" };
const S2 = { systemId: "vxp.saas.02", secret: "secret-02" };
const DOC = "H29.12,2025/03/05,7/SNV-VP";

describeEachDialect("axis: SDKVXP-compatible API", (ctx) => {
  let node: RunningNode;
  before(async () => {
    const config = ctx.config();
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
          dataDir: join(ctx.dataDir(), "node"),
          ...(config.kind === "postgres" ? { databaseUrl: config.url } : {}),
          masterKey: "22".repeat(32),
          logLevel: "silent",
        },
        { env: {} },
      ),
      { workers: false },
    );
    await node.registerAgency({ code: "H29.12", code102: "000.00.12.H29", name: "Sở Nội vụ" });
    await node.registerAgency({ code: "H41.05", code102: "000.00.05.H41", name: "Sở Tư pháp" });
    await node.connectSystem({ ...S1, agencyCodes: ["H29.12"] });
    await node.connectSystem({ ...S2, agencyCodes: ["H41.05"] });
  });
  after(async () => {
    await node?.close();
  });

  it("sendEdoc → getReceivedEdocList → getEdoc → updateStatus → status back → getSentEdocList", async () => {
    const file = edocXml({ from: "H29.12", to: ["000.00.05.H41"], documentId: DOC });
    const sent = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S1,
      params: { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" },
      file,
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.json));
    assert.equal(sent.json.status, "OK");
    assert.equal(sent.json.ErrorCode, "0");
    const docId = sent.json.DocId;
    assert.match(docId, /^[0-9a-f-]{36}$/);

    const count = await sdkCall(node.url, "GET", "/countReceiveEdoc", {
      ...S2,
      params: { servicetype: "eDoc", messagetype: "edoc" },
    });
    assert.equal(count.json.count, 1);
    const list = await sdkCall(node.url, "POST", "/getReceivedEdocList", {
      ...S2,
      params: { servicetype: "eDoc", messagetype: "edoc" },
    });
    assert.equal(list.json.status, "OK");
    assert.deepEqual(
      list.json.data.map((d: { docId: string; from: string; to: string }) => [d.docId, d.from, d.to]),
      [[docId, "H29.12", "H41.05"]],
    );
    // The other system sees nothing of it.
    const none = await sdkCall(node.url, "POST", "/getEdoc", { ...S1, params: { docId } });
    assert.equal(none.json.status, "FAIL");
    assert.equal(none.json.ErrorCode, "AXIS_PACKAGE_NOT_FOUND");

    const got = await sdkCall(node.url, "POST", "/getEdoc", { ...S2, params: { docId } });
    assert.equal(got.json.status, "OK");
    const edxml = Buffer.from(got.json.data, "base64");
    assert.deepEqual(textOf(edxml, "DocumentId"), [DOC]);
    assert.ok(textOf(edxml, "OrganId").includes("000.00.00.G22"), "trace header of this node");
    const download = await sdkCall(node.url, "GET", "/downloadEdoc", { ...S2, params: { docId } });
    assert.equal(download.status, 200);
    assert.deepEqual(download.body, edxml);

    const done = await sdkCall(node.url, "POST", "/updateStatus", {
      ...S2,
      params: { docId, status: "done" },
    });
    assert.equal(done.json.status, "OK");
    const after = await sdkCall(node.url, "GET", "/countReceiveEdoc", {
      ...S2,
      params: { servicetype: "eDoc", messagetype: "edoc" },
    });
    assert.equal(after.json.count, 0);

    const status = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S2,
      params: { from: "H41.05", servicetype: "eDoc", messagetype: "status" },
      file: statusXml({ from: "H41.05", responseFor: "H29.12", documentId: DOC, code: "01" }),
    });
    assert.equal(status.json.status, "OK", JSON.stringify(status.json));
    const statuses = await sdkCall(node.url, "GET", "/countReceiveStatus", {
      ...S1,
      params: { servicetype: "eDoc", messagetype: "status" },
    });
    assert.equal(statuses.json.count, 1);

    const sentList = await sdkCall(node.url, "POST", "/getSentEdocList", {
      ...S1,
      params: { servicetype: "eDoc", messagetype: "edoc" },
    });
    assert.equal(sentList.json.data.length, 1);
    assert.equal(sentList.json.data[0].receiverDocId, docId);
    assert.equal(sentList.json.data[0].receiveStatus, "done");
  });

  it("answers a resend of the same file with the first DocId", async () => {
    const file = edocXml({ from: "H29.12", to: ["H41.05"], documentId: "H29.12,2025/03/05,8/SNV-VP" });
    const params = { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" };
    const first = await sdkCall(node.url, "POST", "/sendEdoc", { ...S1, params, file });
    const second = await sdkCall(node.url, "POST", "/sendEdoc", { ...S1, params, file });
    assert.equal(second.json.status, "OK");
    assert.equal(second.json.DocId, first.json.DocId);
  });

  it("refuses a wrong secret, a foreign sender and a messagetype that lies", async () => {
    const file = edocXml({ from: "H29.12", to: ["H41.05"], documentId: "H29.12,2025/03/05,9/SNV-VP" });
    const bad = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S1,
      secret: "wrong",
      params: { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" },
      file,
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.status, "FAIL");
    assert.equal(bad.json.ErrorCode, "AXIS_AUTH_BAD_SIGNATURE");

    // `from` names the caller's agency but the package is from someone else.
    const forged = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S1,
      params: { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" },
      file: edocXml({ from: "H41.05", to: ["H29.12"], documentId: "H41.05,2025/03/05,1/STP" }),
    });
    assert.equal(forged.json.ErrorCode, "AXIS_SENDER_MISMATCH");
    const header = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S1,
      params: { from: "H41.05", servicetype: "eDoc", messagetype: "edoc" },
      file,
    });
    assert.equal(header.json.ErrorCode, "AXIS_SENDER_MISMATCH");

    const lie = await sdkCall(node.url, "POST", "/sendEdoc", {
      ...S1,
      params: { from: "H29.12", servicetype: "eDoc", messagetype: "status" },
      file,
    });
    assert.equal(lie.json.ErrorCode, "AXIS_MESSAGE_TYPE_MISMATCH");
  });

  it("serves the directory calls and lets a system register a unit under its agency", async () => {
    const reg = await sdkCall(node.url, "POST", "/registerAgency", {
      ...S1,
      json: { pcode: "H29.12", code: "H29.12.01", name: "Phòng Tổ chức", mail: "ptc@example.vn" },
    });
    assert.equal(reg.json.status, "OK", JSON.stringify(reg.json));
    const denied = await sdkCall(node.url, "POST", "/registerAgency", {
      ...S2,
      json: { pcode: "H29.12", code: "H29.12.02", name: "Không được phép" },
    });
    assert.equal(denied.json.ErrorCode, "AXIS_FORBIDDEN");
    const list = await sdkCall(node.url, "POST", "/getAgenciesList", S1);
    assert.deepEqual(
      list.json.data.map((a: { code: string }) => a.code),
      ["H29.12", "H29.12.01", "H41.05"],
    );
    const qd20 = await sdkCall(node.url, "POST", "/getAgenciesListQD20", { ...S1, params: { level: "2" } });
    assert.deepEqual(
      qd20.json.data.map((a: { code: string; code102: string | null }) => [a.code, a.code102]),
      [
        ["H29.12", "000.00.12.H29"],
        ["H41.05", "000.00.05.H41"],
      ],
    );
    const del = await sdkCall(node.url, "POST", "/deleteAgency", {
      ...S1,
      params: { AgencyCode: "H29.12.01" },
    });
    assert.equal(del.json.status, "OK");
    const sync = await sdkCall(node.url, "POST", "/getSynchronizeUnit", S1);
    const removed = sync.json.data.find((a: { code: string }) => a.code === "H29.12.01");
    assert.equal(removed.deleted, true);
    assert.ok(removed.version > 0);
  });
});
