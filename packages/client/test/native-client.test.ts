import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, beforeEach, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { ClientError, NATIVE_PATHS, NativeClient, receiveLoop } from "../src/index.ts";

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a second unrelated CA + client. */
interface Pki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  rogueCaCert: string;
  rogueKey: string;
  rogueCert: string;
}

function makePki(dir: string): Pki {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) =>
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`);
  const ca = (name: string, cn: string) => {
    key(name);
    run(
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-subj",
      `/CN=${cn}`,
      "-days",
      "2",
      "-out",
      `${name}.crt`,
    );
  };
  const leaf = (name: string, cn: string, caName: string, ext: string) => {
    key(name);
    run("req", "-new", "-key", `${name}.key`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${caName}.crt`,
      "-CAkey",
      `${caName}.key`,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.crt`,
    );
  };
  ca("ca", "Test CA");
  leaf("server", "axis.test", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "sys.office.test", "ca", "extendedKeyUsage=clientAuth\n");
  ca("rogue-ca", "Rogue CA");
  leaf("rogue", "sys.rogue.test", "rogue-ca", "extendedKeyUsage=clientAuth\n");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    caCert: read("ca.crt"),
    serverKey: read("server.key"),
    serverCert: read("server.crt"),
    clientKey: read("client.key"),
    clientCert: read("client.crt"),
    rogueCaCert: read("rogue-ca.crt"),
    rogueKey: read("rogue.key"),
    rogueCert: read("rogue.crt"),
  };
}

interface Seen {
  method: string;
  path: string;
  headers: Record<string, unknown>;
  body: Buffer;
  peer: string;
}

const PACKAGE = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
);

let dir = "";
let pki: Pki;
let server: https.Server;
let baseUrl = "";
const seen: Seen[] = [];
let inbox: string[] = [];
/** Status codes to answer next, before the normal route. */
const failures: number[] = [];

function route(
  req: { method?: string; url?: string },
  body: Buffer,
): { status: number; json?: unknown; raw?: Buffer } {
  const url = new URL(req.url ?? "/", "https://x");
  const path = url.pathname;
  if (req.method === "POST" && path === NATIVE_PATHS.packages) {
    return { status: 201, json: { packageId: "pkg-1", duplicate: false, recipients: ["000.00.00.G22"] } };
  }
  if (req.method === "GET" && path === NATIVE_PATHS.inbox) {
    return {
      status: 200,
      json: { items: inbox.map((docId) => ({ docId, kind: url.searchParams.get("type") })) },
    };
  }
  if (req.method === "GET" && path === NATIVE_PATHS.inboxCount)
    return { status: 200, json: { count: inbox.length } };
  const ack = /^\/v1\/packages\/([^/]+)\/ack$/.exec(path);
  if (req.method === "POST" && ack) {
    const { status } = JSON.parse(body.toString("utf8")) as { status: string };
    inbox = inbox.filter((d) => d !== decodeURIComponent(ack[1]!));
    return { status: 200, json: { acknowledged: status } };
  }
  const pkg = /^\/v1\/packages\/([^/]+)$/.exec(path);
  if (req.method === "GET" && pkg) {
    const docId = decodeURIComponent(pkg[1]!);
    if (docId === "missing") {
      return {
        status: 404,
        json: {
          code: "AXIS_PACKAGE_NOT_FOUND",
          message: { vi: "Không tìm thấy gói tin", en: "Package not found" },
        },
      };
    }
    return { status: 200, raw: PACKAGE };
  }
  return { status: 404, raw: Buffer.from("no route") };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "truc-client-mtls-"));
  pki = makePki(dir);
  server = https.createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? "";
      const peer = Array.isArray(cn) ? cn.join(",") : cn;
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, peer });
      const failure = failures.shift();
      const reply = failure ? { status: failure, raw: Buffer.from("unavailable") } : route(req, body);
      res.writeHead(reply.status, {
        "content-type": reply.json === undefined ? "application/xml" : "application/json",
      });
      res.end(reply.raw ?? JSON.stringify(reply.json));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  failures.length = 0;
  inbox = [];
});

const clients: NativeClient[] = [];
const client = (overrides: Partial<ConstructorParameters<typeof NativeClient>[0]> = {}) => {
  const c = new NativeClient({
    baseUrl,
    tls: { key: pki.clientKey, cert: pki.clientCert, ca: pki.caCert },
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...overrides,
  });
  clients.push(c);
  return c;
};
after(() => {
  for (const c of clients) c.close();
});

const rejectsWith = (promise: Promise<unknown>, code: string, check?: (e: ClientError) => void) =>
  assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ClientError, String(e));
    assert.equal(e.code, code, e.message);
    check?.(e);
    return true;
  });

describe("NativeClient over mutual TLS", () => {
  it("authenticates with its client certificate and uploads a package (Buffer)", async () => {
    const result = await client().sendPackage(PACKAGE, { messageType: "edoc" });
    assert.deepEqual(result, { docId: "pkg-1", duplicate: false, recipients: ["000.00.00.G22"] });
    assert.equal(seen[0]!.peer, "sys.office.test");
    assert.equal(seen[0]!.path, "/v1/packages");
    assert.equal(seen[0]!.headers["x-truc-message-type"], "edoc");
    assert.ok(seen[0]!.body.equals(PACKAGE));
  });

  it("streams an upload from a Readable", async () => {
    const parts = [PACKAGE.subarray(0, 10), PACKAGE.subarray(10)];
    await client().sendPackage(Readable.from(parts));
    assert.ok(seen[0]!.body.equals(PACKAGE));
    assert.equal(seen[0]!.headers["transfer-encoding"], "chunked");
  });

  it("retries a Buffer upload after 5xx but never a stream", async () => {
    failures.push(503);
    assert.equal((await client().sendPackage(PACKAGE)).docId, "pkg-1");
    assert.equal(seen.length, 2);
    seen.length = 0;
    failures.push(503);
    await rejectsWith(client().sendPackage(Readable.from([PACKAGE])), "CLIENT_HTTP_STATUS", (e) =>
      assert.equal(e.httpStatus, 503),
    );
    assert.equal(seen.length, 1);
  });

  it("lists the inbox, downloads (stream and bytes) and acknowledges", async () => {
    inbox = ["a 1"];
    const c = client();
    const items = await c.inbox({ type: "status", limit: 10 });
    assert.deepEqual(items, [{ docId: "a 1", kind: "status" }]);
    assert.equal(seen[0]!.path, "/v1/inbox?type=status&limit=10");
    assert.equal(await c.inboxCount(), 1);
    const chunks: Buffer[] = [];
    for await (const chunk of await c.downloadPackage("a 1")) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(PACKAGE));
    assert.ok((await c.getPackage("a 1")).equals(PACKAGE));
    await c.ack("a 1", "fail", "Sai định dạng");
    const ackRequest = seen.at(-1)!;
    assert.equal(ackRequest.path, "/v1/packages/a%201/ack");
    assert.deepEqual(JSON.parse(ackRequest.body.toString("utf8")), { status: "fail", note: "Sai định dạng" });
  });

  it("carries the node's error code (CLIENT_SERVER_ERROR)", async () => {
    await rejectsWith(client().getPackage("missing"), "CLIENT_SERVER_ERROR", (e) => {
      assert.equal(e.serverErrorCode, "AXIS_PACKAGE_NOT_FOUND");
      assert.equal(e.serverErrorDesc, "Package not found");
      assert.equal(e.httpStatus, 404);
    });
  });

  it("fails the handshake with a certificate the node does not trust", async () => {
    // The node's refusal reaches the client either as a TLS alert (CLIENT_TLS) or, racing it
    // under TLS 1.3, as a connection reset (CLIENT_NETWORK); either way no request got through.
    await assert.rejects(
      client({ tls: { key: pki.rogueKey, cert: pki.rogueCert, ca: pki.caCert } }).inboxCount(),
      (e: unknown) => e instanceof ClientError && (e.code === "CLIENT_TLS" || e.code === "CLIENT_NETWORK"),
    );
    assert.equal(seen.length, 0);
  });

  it("refuses a node whose certificate is not from the configured CA (CLIENT_TLS, not retried)", async () => {
    await rejectsWith(
      client({ tls: { key: pki.clientKey, cert: pki.clientCert, ca: pki.rogueCaCert } }).inboxCount(),
      "CLIENT_TLS",
      (e) => assert.equal(e.retryable, false),
    );
    assert.equal(seen.length, 0);
  });

  it("requires https and credentials", () => {
    for (const options of [
      { baseUrl: "http://127.0.0.1:1", tls: { key: "", cert: "", ca: "" } },
      { baseUrl: "https://127.0.0.1:1" },
    ]) {
      assert.throws(
        () => new NativeClient(options),
        (e: unknown) => e instanceof ClientError && e.code === "CLIENT_INVALID_ARGUMENT",
      );
    }
  });

  it("drives receiveLoop through asReceiveClient", async () => {
    inbox = ["d-1", "d-2"];
    const controller = new AbortController();
    const handled: string[] = [];
    const stats = await receiveLoop({
      client: client().asReceiveClient(),
      messageType: "edoc",
      intervalMs: 1,
      signal: controller.signal,
      handle: async (pkg, item) => {
        assert.ok(pkg.equals(PACKAGE));
        handled.push(item.docId);
        if (handled.length === 2) controller.abort();
      },
    });
    assert.deepEqual(handled, ["d-1", "d-2"]);
    assert.equal(stats.done, 2);
    assert.deepEqual(inbox, []);
  });
});
