import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
// The server side of the protocol, as the axis runs it (a test-only cross-package import: the
// client's requests must be accepted by the real verifier, not by a copy of it).
import {
  createReplayCache,
  type VerifiedSdkvxpRequest,
  verifySdkvxpRequest,
} from "../../axis/src/http/sdkvxp/auth.ts";
import { ClientError, receiveLoop, SdkvxpClient } from "../src/index.ts";

const T0 = Date.parse("2026-11-21T05:43:43.447Z");
const FILE = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\r\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
);

interface Seen {
  path: string;
  method: string;
  verified: VerifiedSdkvxpRequest;
  body: Buffer;
}

type Reply = { status?: number; json?: unknown; raw?: Buffer; contentType?: string; hang?: boolean };

/** A tiny SDKVXP server: verifies every request with the axis verifier, then answers from a script. */
class TestServer {
  readonly server: http.Server;
  readonly seen: Seen[] = [];
  /** Replies queued per path, used before the default route. */
  readonly script = new Map<string, Reply[]>();
  replay = createReplayCache();
  port = 0;

  constructor(private readonly routes: (path: string, seen: Seen) => Reply) {
    this.server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const path = new URL(req.url ?? "/", "http://x").pathname;
      let verified: VerifiedSdkvxpRequest;
      try {
        verified = await verifySdkvxpRequest({
          headers: req.headers,
          ...(path.endsWith("/sendEdoc") ? { body } : {}),
          now: new Date(T0),
          lookup: async (id) =>
            id === "sys.a" ? { secret: "secretA", agencyCodes: ["000.00.00.H41"] } : undefined,
          replay: this.replay,
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? "?";
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "FAIL", ErrorCode: code, ErrorDesc: String(error) }));
        return;
      }
      const entry = { path, method: req.method ?? "", verified, body };
      this.seen.push(entry);
      const reply = this.script.get(path)?.shift() ?? this.routes(path, entry);
      if (reply.hang) return; // never answers
      res.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "application/json" });
      res.end(reply.raw ?? JSON.stringify(reply.json));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/vdxp`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ok = (extra: Record<string, unknown> = {}) => ({
  json: { status: "OK", ErrorCode: "0", ErrorDesc: "", ...extra },
});

let inbox: Array<{ docId: string }> = [];
const server = new TestServer((path, seen) => {
  switch (path) {
    case "/vdxp/sendEdoc":
      return ok({ DocId: "doc-1" });
    case "/vdxp/getReceivedEdocList":
      return ok({
        data: inbox.map((i) => ({ ...i, serviceType: "eDoc", messageType: "edoc", from: "000.00.00.G22" })),
      });
    case "/vdxp/getEdoc":
      return ok({ data: Buffer.concat([FILE, Buffer.from(seen.verified.params.docId!)]).toString("base64") });
    case "/vdxp/downloadEdoc":
      return { raw: FILE, contentType: "application/xml" };
    case "/vdxp/countReceiveEdoc":
    case "/vdxp/countReceiveStatus":
      return ok({ count: seen.verified.params.messagetype === "status" ? 2 : 5 });
    case "/vdxp/getAgenciesList":
      return ok({ data: [{ id: "1", code: "000.00.00.G22", name: "Văn phòng Chính phủ", pid: "0" }] });
    case "/vdxp/getAgenciesListQD20":
      return ok({ data: [{ id: "1", code: "000.00.00.G22", code102: "000.00.00.G22" }] });
    case "/vdxp/getSynchronizeUnit":
      return ok({ data: [{ id: "1", code: "000.00.00.G22", version: 3, deleted: false }] });
    case "/vdxp/getSentEdocList":
      return ok({ data: [{ senderDocId: "doc-1", toCode: "000.00.00.G22", sendStatus: "done" }] });
    default:
      return ok();
  }
});

let endpoint = "";
let clock = T0;
const client = (overrides: Partial<ConstructorParameters<typeof SdkvxpClient>[0]> = {}) =>
  new SdkvxpClient({
    endpoint,
    systemId: "sys.a",
    secret: "secretA",
    agencyCode: "000.00.00.H41",
    now: () => new Date(clock++),
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 },
    timeoutMs: 5000,
    ...overrides,
  });

const rejectsWith = (promise: Promise<unknown>, code: string, check?: (e: ClientError) => void) =>
  assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ClientError, String(e));
    assert.equal(e.code, code, e.message);
    check?.(e);
    return true;
  });

before(async () => {
  endpoint = await server.start();
});
after(() => server.stop());
beforeEach(() => {
  server.seen.length = 0;
  server.script.clear();
  server.replay = createReplayCache();
  inbox = [];
});

describe("SdkvxpClient against a server running the axis verifier", () => {
  it("sendEdoc: signed headers, hash-file over the file, body = file + CRLF; returns DocId", async () => {
    const result = await client().sendEdoc(FILE, { messageType: "edoc", to: ["000.00.00.G22"] });
    assert.deepEqual(result, { docId: "doc-1" });
    const [seen] = server.seen;
    assert.equal(seen!.method, "POST");
    assert.equal(seen!.verified.params.from, "000.00.00.H41");
    assert.equal(seen!.verified.params.to, '["000.00.00.G22"]');
    assert.equal(seen!.verified.params.messagetype, "edoc");
    assert.equal(seen!.verified.params.servicetype, "eDoc");
    assert.ok(seen!.body.equals(Buffer.concat([FILE, Buffer.from("\r\n")])));
    assert.ok(seen!.verified.packageBytes!.equals(FILE));
  });

  it("sendEdoc without SDK quirks sends the file as is with a 64-hex hash-file", async () => {
    await client({ sdkQuirks: false }).sendEdoc(FILE, { messageType: "status" });
    const [seen] = server.seen;
    assert.ok(seen!.body.equals(FILE));
    assert.equal(seen!.verified.params["hash-file"]!.length, 64);
    assert.equal(seen!.verified.params.messagetype, "status");
  });

  it("getReceivedEdocList → getEdoc (base64 → bytes) → updateStatus with a Vietnamese description", async () => {
    inbox = [{ docId: "r-1" }];
    const c = client();
    const list = await c.getReceivedEdocList({ messageType: "edoc", fromDate: "01/11/2026" });
    assert.equal(list[0]!.docId, "r-1");
    assert.equal(list[0]!.from, "000.00.00.G22");
    const pkg = await c.getEdoc("r-1");
    assert.ok(pkg.equals(Buffer.concat([FILE, Buffer.from("r-1")])));
    await c.updateStatus("r-1", "fail", "Gói tin sai định dạng");
    assert.deepEqual(
      server.seen.map((s) => s.path),
      ["/vdxp/getReceivedEdocList", "/vdxp/getEdoc", "/vdxp/updateStatus"],
    );
    assert.equal(server.seen[0]!.verified.params.fromDate, "01/11/2026");
    assert.equal(server.seen[2]!.verified.params.status, "fail");
    assert.equal(server.seen[2]!.verified.params.description, "Gói tin sai định dạng");
  });

  it("downloadEdoc streams the package with GET", async () => {
    const stream = await client().downloadEdoc("r-9");
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(FILE));
    assert.equal(server.seen[0]!.method, "GET");
    assert.equal(server.seen[0]!.verified.params.docId, "r-9");
  });

  it("the directory and counting operations", async () => {
    const c = client();
    assert.equal(await c.countReceiveEdoc(), 5);
    assert.equal(await c.countReceiveStatus(), 2);
    assert.equal((await c.getAgenciesList())[0]!.name, "Văn phòng Chính phủ");
    assert.equal((await c.getAgenciesListQD20(2))[0]!.code102, "000.00.00.G22");
    assert.equal((await c.getSynchronizeUnit())[0]!.version, 3);
    assert.equal((await c.getSentEdocList({ docId: "doc-1" }))[0]!.sendStatus, "done");
    await c.registerAgency({ pcode: "000.00.00.G22", code: "000.01.00.G22", name: "Vụ Hành chính" });
    await c.deleteAgency("000.01.00.G22");
    const byPath = new Map(server.seen.map((s) => [s.path, s]));
    assert.equal(byPath.get("/vdxp/countReceiveEdoc")!.method, "GET");
    assert.equal(byPath.get("/vdxp/getAgenciesListQD20")!.verified.params.level, "2");
    assert.equal(byPath.get("/vdxp/deleteAgency")!.verified.params.AgencyCode, "000.01.00.G22");
    assert.deepEqual(JSON.parse(byPath.get("/vdxp/registerAgency")!.body.toString("utf8")), {
      pcode: "000.00.00.G22",
      code: "000.01.00.G22",
      name: "Vụ Hành chính",
    });
  });

  it("throws CLIENT_SERVER_ERROR carrying the envelope's ErrorCode and ErrorDesc, without retrying", async () => {
    server.script.set("/vdxp/updateStatus", [
      { json: { status: "FAIL", ErrorCode: "-1", ErrorDesc: "Khong tim thay van ban" } },
    ]);
    await rejectsWith(client().updateStatus("nope", "done"), "CLIENT_SERVER_ERROR", (e) => {
      assert.equal(e.serverErrorCode, "-1");
      assert.equal(e.serverErrorDesc, "Khong tim thay van ban");
      assert.equal(e.retryable, false);
    });
    assert.equal(server.seen.length, 1);
  });

  it("retries 5xx with a fresh signature each time (the server's replay cache stays quiet)", async () => {
    server.script.set("/vdxp/sendEdoc", [
      { status: 503, raw: Buffer.from("busy") },
      { status: 502, json: {} },
    ]);
    const result = await client().sendEdoc(FILE, { messageType: "edoc" });
    assert.equal(result.docId, "doc-1");
    assert.equal(server.seen.length, 3);
    assert.ok(
      server.seen.every((s) => s.body.equals(server.seen[0]!.body)),
      "the same package every time",
    );
    const hashes = new Set(server.seen.map((s) => s.verified.timestamp.getTime()));
    assert.equal(hashes.size, 3, "each attempt has its own timestamp");
  });

  it("signs identical calls differently even when the clock stands still", async () => {
    const c = client({ now: () => new Date(T0) });
    await c.countReceiveEdoc();
    await c.countReceiveEdoc();
    assert.equal(server.seen.length, 2);
    assert.notEqual(
      server.seen[0]!.verified.timestamp.getTime(),
      server.seen[1]!.verified.timestamp.getTime(),
    );
  });

  it("gives up after the configured retries with the last error", async () => {
    server.script.set("/vdxp/getAgenciesList", [
      { status: 500, raw: Buffer.from("") },
      { status: 500, raw: Buffer.from("") },
    ]);
    await rejectsWith(
      client({ retry: { retries: 1, baseDelayMs: 1 } }).getAgenciesList(),
      "CLIENT_HTTP_STATUS",
      (e) => assert.equal(e.httpStatus, 500),
    );
    assert.equal(server.seen.length, 2);
  });

  it("surfaces the server's authentication rejection (401) without retrying", async () => {
    await rejectsWith(client({ secret: "wrong" }).getAgenciesList(), "CLIENT_SERVER_ERROR", (e) => {
      assert.equal(e.serverErrorCode, "AXIS_AUTH_BAD_SIGNATURE");
      assert.equal(e.httpStatus, 401);
    });
  });

  it("rejects a malformed envelope and non-base64 data", async () => {
    server.script.set("/vdxp/getAgenciesList", [{ raw: Buffer.from("<html/>") }]);
    await rejectsWith(client().getAgenciesList(), "CLIENT_BAD_RESPONSE");
    server.script.set("/vdxp/getEdoc", [ok({ data: "***" })]);
    await rejectsWith(client().getEdoc("x"), "CLIENT_BAD_RESPONSE");
  });

  it("times out a silent server (CLIENT_TIMEOUT) and can be aborted (CLIENT_ABORTED)", async () => {
    server.script.set("/vdxp/getAgenciesList", [{ hang: true }, { hang: true }]);
    await rejectsWith(client({ timeoutMs: 50, retry: { retries: 0 } }).getAgenciesList(), "CLIENT_TIMEOUT");
    const controller = new AbortController();
    const pending = client().getAgenciesList({ signal: controller.signal });
    while (server.seen.length < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    await rejectsWith(pending, "CLIENT_ABORTED");
  });

  it("reports an unreachable server as CLIENT_NETWORK after retrying", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await rejectsWith(
      client({ endpoint: `http://127.0.0.1:${port}` }).getAgenciesList(),
      "CLIENT_NETWORK",
      (e) => assert.equal(e.retryable, true),
    );
  });

  it("runs receiveLoop over HTTP: every package fetched, handled, then acknowledged done", async () => {
    inbox = [{ docId: "r-1" }, { docId: "r-2" }];
    const controller = new AbortController();
    const handled: string[] = [];
    const stats = await receiveLoop({
      client: client(),
      messageType: "edoc",
      intervalMs: 1,
      signal: controller.signal,
      handle: async (pkg, item) => {
        assert.ok(pkg.subarray(0, FILE.length).equals(FILE));
        handled.push(item.docId);
        if (handled.length === 2) {
          inbox = [];
          controller.abort();
        }
      },
    });
    assert.deepEqual(handled, ["r-1", "r-2"]);
    assert.deepEqual(stats, { done: 2, failed: 0, errors: 0 });
    assert.deepEqual(
      server.seen.map((s) => `${s.path.slice(6)} ${s.verified.params.docId ?? ""}`.trim()),
      ["getReceivedEdocList", "getEdoc r-1", "updateStatus r-1", "getEdoc r-2", "updateStatus r-2"],
    );
  });
});
