/**
 * SDKVXP timestamp reuse per system ("strict" vs "legacy-sdk", spec §4.2 and the captured SDK
 * 2.0.1 requests that reuse one timestamp), the per-system timestamp zone, systems declared in
 * the configuration (secret from the environment) and set from the console, and the refusals
 * before the pipeline recorded in the intake log (aggregated, bounded, no secrets) and
 * explained on the console's failures page, including an unknown mTLS certificate.
 *
 * Requests are signed with `signSdkvxpHeaders` from one fixed instant, the way one SDK service
 * object reuses its timestamp; the node's clock moves on.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signSdkvxpHeaders } from "@truc/client";
import { describeEachDialect } from "@truc/store/testing";
import { parseNodeConfig } from "../src/config.ts";
import {
  DEFAULT_LEGACY_MAX_AGE_MS,
  formatUtcOffset,
  freshnessRule,
  parseUtcOffset,
  SDKVXP_CALL_KINDS,
} from "../src/http/sdkvxp/auth.ts";
import { createOperator } from "../src/index.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import type { AdminDb } from "../src/repositories/admin-repository.ts";
import { call as tlsCall } from "./support/https.ts";
import { edocXml } from "./support/packages.ts";
import { type Identity, makeTestPki, type TestPki } from "./support/pki.ts";

interface Reply {
  status: number;
  json: any;
}

interface Who {
  systemId: string;
  secret: string;
  /** Zone the client's JVM formats its timestamps in. */
  offset?: number;
}

const L1 = { systemId: "legacy.h29", secret: "bí-mật-L1-0001", offset: 0 }; // declared in the config, UTC machine
const L2 = { systemId: "legacy.h41", secret: "secret-L2-0002" }; // connectSystem, legacy-sdk
const S = { systemId: "strict.h41", secret: "secret-S-0003" }; // connectSystem, default strict
const SECRET_ENV = "TRUC_TEST_LEGACY_H29_SECRET";

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("SDKVXP freshness policy (pure)", () => {
  const windows = { maxSkewMs: 5 * MIN, legacyMaxAgeMs: 24 * HOUR };
  it("strict: the 5-minute window and the replay cache for every call", () => {
    for (const op of Object.keys(SDKVXP_CALL_KINDS) as (keyof typeof SDKVXP_CALL_KINDS)[])
      assert.deepEqual(freshnessRule("strict", SDKVXP_CALL_KINDS[op], windows), {
        maxAgeMs: 5 * MIN,
        maxAheadMs: 5 * MIN,
        replayCheck: true,
      });
  });
  it("legacy-sdk: reads and idempotent calls get the wide window (past only) without the replay cache; directory writes stay strict", () => {
    for (const op of [
      "getReceivedEdocList",
      "getEdoc",
      "downloadEdoc",
      "countReceiveEdoc",
      "getAgenciesList",
    ] as const)
      assert.deepEqual(freshnessRule("legacy-sdk", SDKVXP_CALL_KINDS[op], windows), {
        maxAgeMs: 24 * HOUR,
        maxAheadMs: 5 * MIN,
        replayCheck: false,
      });
    for (const op of ["sendEdoc", "updateStatus"] as const)
      assert.equal(freshnessRule("legacy-sdk", SDKVXP_CALL_KINDS[op], windows).replayCheck, false);
    for (const op of ["registerAgency", "deleteAgency"] as const)
      assert.deepEqual(freshnessRule("legacy-sdk", SDKVXP_CALL_KINDS[op], windows), {
        maxAgeMs: 5 * MIN,
        maxAheadMs: 5 * MIN,
        replayCheck: true,
      });
    assert.equal(DEFAULT_LEGACY_MAX_AGE_MS, 24 * HOUR);
  });
  it("reads and writes UTC offsets", () => {
    assert.equal(parseUtcOffset("+07:00"), 420);
    assert.equal(parseUtcOffset("UTC+0700"), 420);
    assert.equal(parseUtcOffset("-03:30"), -210);
    assert.equal(parseUtcOffset("+00:00"), 0);
    assert.equal(parseUtcOffset("+15:00"), undefined);
    assert.equal(parseUtcOffset("7"), undefined);
    assert.equal(formatUtcOffset(420), "+07:00");
    assert.equal(formatUtcOffset(-210), "-03:30");
  });
});

describe("node configuration: declared systems", () => {
  const base = {
    role: "national",
    nodeId: "n",
    organId: "000.00.00.G22",
    dataDir: "/tmp/x",
    masterKey: "44".repeat(32),
  };
  const problems = (input: object, env: NodeJS.ProcessEnv = {}) => {
    try {
      parseNodeConfig(input, { env });
    } catch (error) {
      assert.equal((error as { code?: string }).code, "AXIS_CONFIG_INVALID");
      return ((error as { details: { list: string[] } }).details.list ?? []).join("\n");
    }
    return "";
  };
  it("refuses a secret written in the file, an unset secretEnv, a system without credentials, a bad zone, a duplicate id", () => {
    const text = problems(
      {
        ...base,
        systems: [
          { systemId: "a.b", secret: "x", agencyCodes: ["H29.12"] },
          { systemId: "c.d", secretEnv: "NOT_SET_HERE", agencyCodes: ["H29.12"] },
          { systemId: "e.f", agencyCodes: ["H29.12"] },
          { systemId: "g.h", secretEnv: "SET", agencyCodes: ["H29.12"], timestampUtcOffset: "+25:00" },
          { systemId: "i.j", secretEnv: "SET", agencyCodes: ["H29.12"], sdkCompatibility: "lenient" },
        ],
      },
      { SET: "s" },
    );
    assert.match(text, /systems\.0\.secret: never put a secret in the configuration file/);
    assert.match(text, /systems\.2: a secretEnv \(SDKVXP\) or a certFingerprint/);
    assert.match(text, /systems\.3\.timestampUtcOffset/);
    assert.match(text, /systems\.4\.sdkCompatibility/);
    const dup = problems(
      {
        ...base,
        systems: [
          { systemId: "a.b", secretEnv: "SET", agencyCodes: ["H29.12"] },
          { systemId: "a.b", secretEnv: "SET", agencyCodes: ["H29.12"] },
        ],
      },
      { SET: "s" },
    );
    assert.match(dup, /systems\.1\.systemId: a\.b is declared twice/);
    const unset = problems({
      ...base,
      systems: [{ systemId: "c.d", secretEnv: "NOT_SET_HERE", agencyCodes: ["H29.12"] }],
    });
    assert.match(unset, /systems\.0\.secretEnv: environment variable NOT_SET_HERE is not set/);
  });
  it("defaults: strict, +07:00, 5 minutes, 24 hours", () => {
    const c = parseNodeConfig(
      { ...base, systems: [{ systemId: "a.b", secretEnv: "SET", agencyCodes: ["H29.12"] }] },
      { env: { SET: "s" } },
    );
    assert.equal(c.systems[0]!.sdkCompatibility, "strict");
    assert.equal(c.systems[0]!.timestampUtcOffset, undefined);
    assert.deepEqual(c.sdkvxp, { maxSkewMs: 5 * MIN, legacyMaxAgeMs: 24 * HOUR, timestampUtcOffset: 420 });
    assert.ok(!JSON.stringify(c).includes('"s"'), "the secret itself is not in the parsed configuration");
  });
});

describeEachDialect("axis: SDKVXP timestamp reuse and refusals before the pipeline", (ctx) => {
  let node: RunningNode;
  let pki: TestPki;
  let own: Identity;
  let child: Identity;
  let strangerFp = "";
  let clock = Date.parse("2025-03-05T03:00:00Z");
  const T0 = clock;

  /** One SDK call signed at `signedAt` (the service object's reused instant). */
  const sdk = (
    who: Who,
    op: string,
    signedAt: number,
    o: { params?: Record<string, string>; file?: Buffer; json?: object; body?: Buffer; method?: string } = {},
  ) => {
    const signed = signSdkvxpHeaders({
      systemId: who.systemId,
      secret: who.secret,
      params: o.params ?? {},
      contentType: o.file ? "application/octet-stream" : "application/json",
      now: new Date(signedAt),
      ...(who.offset !== undefined ? { utcOffsetMinutes: who.offset } : {}),
      ...(o.file ? { file: o.file } : {}),
    });
    return send(
      op,
      signed.headers,
      o.body ?? signed.body ?? (o.json ? Buffer.from(JSON.stringify(o.json)) : undefined),
      o.method,
    );
  };
  const send = (
    op: string,
    headers: Array<[string, string]>,
    body: Buffer | undefined,
    method = "POST",
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(op, node.url),
        {
          method,
          headers: Object.fromEntries(headers),
          ca: pki.caPem,
          checkServerIdentity: () => undefined,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            let json: unknown;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  /** An operator session on the console (HTTPS: the cookies are Secure). */
  let cookies = "";
  let csrf = "";
  /** The test clock jumps by hours, past the session's idle limit: sign in again when asked. */
  const admin = async (
    method: string,
    path: string,
    body?: object,
  ): Promise<Awaited<ReturnType<typeof tlsCall>>> => {
    const r = await adminOnce(method, path, body);
    if (r.json?.code !== "AXIS_ADMIN_SESSION_REQUIRED" || path === "/admin/api/login") return r;
    const login = await adminOnce("POST", "/admin/api/login", {
      username: "ops",
      password: "mật-khẩu-đủ-dài",
    });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    return adminOnce(method, path, body);
  };
  const adminOnce = async (method: string, path: string, body?: object) => {
    const r = await tlsCall(node.url, undefined, pki.caPem, method, path, body, {
      ...(cookies ? { cookie: cookies } : {}),
      ...(csrf && method !== "GET" ? { "x-csrf-token": csrf } : {}),
    });
    const set = r.headers["set-cookie"];
    if (Array.isArray(set) && set.length > 0) {
      const jar = new Map(cookies ? cookies.split("; ").map((c) => c.split("=") as [string, string]) : []);
      for (const c of set) {
        const [pair] = c.split(";");
        const [k, v] = pair!.split("=");
        jar.set(k!, v!);
        if (k === "truc_csrf") csrf = decodeURIComponent(v!);
      }
      cookies = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    return r;
  };
  const refusedRows = async () => {
    const r = await admin("GET", "/admin/api/failures");
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json.refused as {
      code: string;
      reason: string;
      caller: string | null;
      sender: string | null;
      source: string;
      count: number;
      diagnostic: { vi: string; en: string } | null;
    }[];
  };

  before(async () => {
    const config = ctx.config();
    const dir = join(ctx.dataDir(), "node");
    mkdirSync(join(ctx.dataDir(), "pki"), { recursive: true });
    pki = makeTestPki(join(ctx.dataDir(), "pki"));
    own = pki.issue("national-node");
    child = pki.issue("lgsp-h41");
    const env = { [SECRET_ENV]: L1.secret };
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
          dataDir: dir,
          ...(config.kind === "postgres" ? { databaseUrl: config.url } : {}),
          masterKey: "44".repeat(32),
          logLevel: "silent",
          // openssl-issued test certificates carry no node/organisation kind policy.
          tls: { cert: own.certPem, key: own.keyPem, ca: [pki.caPem], allowUnclassifiedClients: true },
          trust: { crls: [await pki.crl()] },
          // A child link that is never reachable (workers are off): for the console's federation page.
          children: [{ nodeId: "lgsp-h41", url: "https://127.0.0.1:9", fingerprint: child.fingerprint }],
          systems: [
            {
              systemId: L1.systemId,
              secretEnv: SECRET_ENV,
              agencyCodes: ["H29.12"],
              sdkCompatibility: "legacy-sdk",
              timestampUtcOffset: "+00:00",
            },
          ],
        },
        { env },
      ),
      { workers: false, clock: { now: () => new Date(clock) }, env },
    );
    await node.registerAgency({ code: "H29.12", code102: "000.00.12.H29", name: "Sở Nội vụ" });
    await node.registerAgency({ code: "H41.05", code102: "000.00.05.H41", name: "Sở Tư pháp" });
    await node.registerAgency({ code: "H41.06", code102: "000.00.06.H41", name: "Sở Y tế" });
    await node.connectSystem({ ...L2, agencyCodes: ["H41.05"], sdkCompatibility: "legacy-sdk" });
    await node.connectSystem({ ...S, agencyCodes: ["H41.06"] });
    await createOperator(node.context.db.kysely as unknown as AdminDb, {
      username: "ops",
      password: "mật-khẩu-đủ-dài",
    });
    const login = await admin("POST", "/admin/api/login", { username: "ops", password: "mật-khẩu-đủ-dài" });
    assert.equal(login.status, 200, JSON.stringify(login.json));
  });
  after(async () => {
    await node?.close();
  });

  const DOC1 = "H29.12,2025/03/05,21/SNV-VP";
  const DOC2 = "H29.12,2025/03/05,22/SNV-VP";
  const file1 = edocXml({ from: "H29.12", to: ["H41.05", "H41.06"], documentId: DOC1 });
  const file2 = edocXml({ from: "H29.12", to: ["H41.05"], documentId: DOC2 });
  const sendParams = { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" };
  const listParams = { servicetype: "eDoc", messagetype: "edoc" };
  let docId = "";

  it("legacy-sdk: one reused timestamp works for sendEdoc, a resend of it, and reads, hours later", async () => {
    clock = T0 + 2 * HOUR;
    const first = await sdk(L1, "/sendEdoc", T0, { params: sendParams, file: file1 });
    assert.equal(first.json.status, "OK", JSON.stringify(first.json));
    docId = first.json.DocId;
    // The HTTP client resends the very same request (same headers, same body): de-duplicated.
    const again = await sdk(L1, "/sendEdoc", T0, { params: sendParams, file: file1 });
    assert.equal(again.json.status, "OK", JSON.stringify(again.json));
    assert.equal(again.json.DocId, docId);
    assert.equal(again.json.duplicate, true);
    const other = await sdk(L1, "/sendEdoc", T0, { params: sendParams, file: file2 });
    assert.equal(other.json.status, "OK", JSON.stringify(other.json));
    assert.notEqual(other.json.DocId, docId);

    clock = T0 + 3 * HOUR;
    const L2At = T0 + HOUR; // the recipient's service object, made an hour after T0
    for (let i = 0; i < 2; i++) {
      const list = await sdk(L2, "/getReceivedEdocList", L2At, { params: listParams });
      assert.equal(list.json.status, "OK", JSON.stringify(list.json));
      assert.equal(list.json.data.length, 2);
    }
    const count = await sdk(L2, "/countReceiveEdoc", L2At, { params: listParams, method: "GET" });
    assert.equal(count.json.count, 2);
    const got = await sdk(L2, "/getEdoc", L2At, { params: { docId } });
    assert.equal(got.json.status, "OK", JSON.stringify(got.json));
    for (let i = 0; i < 2; i++) {
      const done = await sdk(L2, "/updateStatus", L2At, { params: { docId, status: "done" } });
      assert.equal(done.json.status, "OK", JSON.stringify(done.json));
    }
    const dir = await sdk(L1, "/getAgenciesList", T0);
    assert.equal(dir.json.status, "OK");
  });

  it("legacy-sdk: state-changing directory calls stay strict, the wide window ends, a timestamp ahead is refused", async () => {
    clock = T0 + 3 * HOUR;
    const reg = await sdk(L1, "/registerAgency", T0, {
      json: { pcode: "H29.12", code: "H29.12.01", name: "Phòng Tổ chức" },
    });
    assert.equal(reg.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
    // With a fresh timestamp it goes through once; the identical request again is a replay.
    const fresh = await sdk(L1, "/registerAgency", clock, {
      json: { pcode: "H29.12", code: "H29.12.01", name: "Phòng Tổ chức" },
    });
    assert.equal(fresh.json.status, "OK", JSON.stringify(fresh.json));
    const del = await sdk(L1, "/deleteAgency", clock, { params: { AgencyCode: "H29.12.01" } });
    assert.equal(del.json.status, "OK", JSON.stringify(del.json));
    const delAgain = await sdk(L1, "/deleteAgency", clock, { params: { AgencyCode: "H29.12.01" } });
    assert.equal(delAgain.json.ErrorCode, "AXIS_AUTH_REPLAY");

    const ahead = await sdk(L1, "/getAgenciesList", clock + 10 * MIN);
    assert.equal(ahead.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
    clock = T0 + 25 * HOUR;
    const tooOld = await sdk(L1, "/getSentEdocList", T0, { params: listParams });
    assert.equal(tooOld.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
    const tooOldSend = await sdk(L1, "/sendEdoc", T0, { params: sendParams, file: file1 });
    assert.equal(tooOldSend.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
  });

  it("legacy-sdk: a captured sendEdoc replayed with another body is refused by hash-file", async () => {
    clock = T0 + 2 * HOUR;
    const captured = signSdkvxpHeaders({
      systemId: L1.systemId,
      secret: L1.secret,
      params: sendParams,
      contentType: "application/octet-stream",
      now: new Date(T0),
      utcOffsetMinutes: 0,
      file: file1,
    });
    const forged = Buffer.concat([
      edocXml({ from: "H29.12", to: ["H41.06"], documentId: "H29.12,2025/03/05,99/SNV-VP" }),
      Buffer.from("\r\n"),
    ]);
    const r = await send("/sendEdoc", captured.headers, forged);
    assert.equal(r.json.ErrorCode, "AXIS_HASH_FILE_MISMATCH");
    // The original bytes with those headers are only the package already accepted.
    const same = await send("/sendEdoc", captured.headers, captured.body);
    assert.equal(same.json.DocId, docId);
    assert.equal(same.json.duplicate, true);
  });

  it("the per-system zone: a UTC machine's timestamps are read as UTC; the same instant on a +07:00 wall clock is 7 h ahead", async () => {
    clock = T0 + 2 * HOUR;
    const asUtc = await sdk(L1, "/getAgenciesList", clock);
    assert.equal(asUtc.json.status, "OK");
    const asVietnam = await sdk({ ...L1, offset: 420 }, "/getAgenciesList", clock);
    assert.equal(asVietnam.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
  });

  it("strict (the default): a reused timestamp passes once inside 5 minutes, then replay and stale", async () => {
    const SAt = T0 + 30 * HOUR;
    clock = SAt + MIN;
    const first = await sdk(S, "/getReceivedEdocList", SAt, { params: listParams });
    assert.equal(first.json.status, "OK", JSON.stringify(first.json));
    const again = await sdk(S, "/getReceivedEdocList", SAt, { params: listParams });
    assert.equal(again.json.ErrorCode, "AXIS_AUTH_REPLAY");
    const doc = edocXml({ from: "H41.06", to: ["H29.12"], documentId: "H41.06,2025/03/06,1/SYT" });
    const sendS = { from: "H41.06", servicetype: "eDoc", messagetype: "edoc" };
    assert.equal((await sdk(S, "/sendEdoc", SAt, { params: sendS, file: doc })).json.status, "OK");
    const resend = await sdk(S, "/sendEdoc", SAt, { params: sendS, file: doc });
    assert.equal(resend.json.ErrorCode, "AXIS_AUTH_REPLAY");
    clock = SAt + 6 * MIN;
    const stale = await sdk(S, "/countReceiveEdoc", SAt, { params: listParams, method: "GET" });
    assert.equal(stale.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");
    assert.equal(stale.status, 401);
  });

  it("the console sets a system's compatibility and zone; the next call follows them", async () => {
    const SAt = T0 + 31 * HOUR;
    clock = SAt + 2 * HOUR;
    assert.equal(
      (await sdk(S, "/getReceivedEdocList", SAt, { params: listParams })).json.ErrorCode,
      "AXIS_AUTH_STALE_TIMESTAMP",
    );
    const bad = await admin("POST", "/admin/api/systems", {
      systemId: S.systemId,
      agencyCodes: ["H41.06"],
      issueSecret: false,
      timestampUtcOffset: "+7",
    });
    assert.equal(bad.json.code, "AXIS_REQUEST_INVALID");
    const set = await admin("POST", "/admin/api/systems", {
      systemId: S.systemId,
      agencyCodes: ["H41.06"],
      issueSecret: false,
      sdkCompatibility: "legacy-sdk",
    });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.equal(set.json.sdkCompatibility, "legacy-sdk");
    assert.equal(set.json.timestampUtcOffset, null);
    assert.equal(set.json.secret, undefined);
    const list = await admin("GET", "/admin/api/systems");
    const byId = new Map(list.json.items.map((s: { systemId: string }) => [s.systemId, s]));
    assert.deepEqual(
      [...byId.values()].map((s: any) => [s.systemId, s.sdkCompatibility, s.timestampUtcOffset]),
      [
        [L1.systemId, "legacy-sdk", "+00:00"],
        [L2.systemId, "legacy-sdk", null],
        [S.systemId, "legacy-sdk", null],
      ],
    );
    assert.equal(list.json.defaults.timestampUtcOffset, "+07:00");
    // The secret was kept (issueSecret: false) and the reused timestamp is now accepted.
    const ok = await sdk(S, "/getReceivedEdocList", SAt, { params: listParams });
    assert.equal(ok.json.status, "OK", JSON.stringify(ok.json));
    // connectSystem without a mode leaves the stored one alone.
    await node.connectSystem({ ...S, agencyCodes: ["H41.06"] });
    assert.equal((await sdk(S, "/getReceivedEdocList", SAt, { params: listParams })).json.status, "OK");
    // Back to strict from the console.
    await admin("POST", "/admin/api/systems", {
      systemId: S.systemId,
      agencyCodes: ["H41.06"],
      issueSecret: false,
      sdkCompatibility: "strict",
    });
    assert.equal(
      (await sdk(S, "/getReceivedEdocList", SAt, { params: listParams })).json.ErrorCode,
      "AXIS_AUTH_STALE_TIMESTAMP",
    );
  });

  it("records refusals before the pipeline in the intake log, explained in plain words, without secrets", async () => {
    clock = Date.parse("2025-03-07T02:00:10Z");
    const now = clock;
    // Unknown system, wrong secret (× 40 in one minute), `from` not bound, a replay.
    await sdk({ systemId: "khong.ton.tai", secret: "x" }, "/getAgenciesList", now);
    for (let i = 0; i < 40; i++) {
      const r = await sdk({ ...L2, secret: "sai-khoa-bi-mat" }, "/getReceivedEdocList", now + i, {
        params: listParams,
      });
      assert.equal(r.json.ErrorCode, "AXIS_AUTH_BAD_SIGNATURE");
    }
    const wrongFrom = await sdk(L2, "/sendEdoc", now, {
      params: { from: "H29.12", servicetype: "eDoc", messagetype: "edoc" },
      file: file2,
    });
    assert.equal(wrongFrom.json.ErrorCode, "AXIS_SENDER_MISMATCH");
    const staleStrict = await sdk(S, "/getReceivedEdocList", now - 2 * HOUR, { params: listParams });
    assert.equal(staleStrict.json.ErrorCode, "AXIS_AUTH_STALE_TIMESTAMP");

    const rows = await refusedRows();
    const find = (code: string, caller: string | null) =>
      rows.find((r) => r.code === code && r.caller === caller && r.source === "sdkvxp");
    const unknown = find("AXIS_AUTH_UNKNOWN_SYSTEM", "khong.ton.tai");
    assert.ok(unknown, JSON.stringify(rows));
    assert.equal(unknown.reason, "unknown-caller");
    assert.match(unknown.diagnostic!.vi, /khong\.ton\.tai.*chưa được kết nối/);
    const badHmac = find("AXIS_AUTH_BAD_SIGNATURE", L2.systemId);
    assert.ok(badHmac, JSON.stringify(rows));
    assert.equal(badHmac.count, 40, "40 identical refusals in one minute share one row");
    assert.equal(rows.filter((r) => r.code === "AXIS_AUTH_BAD_SIGNATURE").length, 1);
    assert.equal(badHmac.reason, "auth-failed");
    assert.match(badHmac.diagnostic!.en, /secret other than the one issued/);
    const sender = find("AXIS_SENDER_MISMATCH", L2.systemId);
    assert.ok(sender);
    assert.equal(sender.reason, "wrong-sender");
    assert.equal(sender.sender, "H29.12");
    assert.match(sender.diagnostic!.vi, /from=H29\.12.*H41\.05/);
    const stale = find("AXIS_AUTH_STALE_TIMESTAMP", S.systemId);
    assert.ok(stale);
    assert.equal(stale.reason, "clock-skew");
    assert.match(stale.diagnostic!.en, /2 hours behind.*legacy-sdk/);
    // Earlier tests' refusals are there too: the strict replay and the legacy directory write.
    assert.ok(find("AXIS_AUTH_REPLAY", S.systemId));
    assert.equal(find("AXIS_AUTH_REPLAY", S.systemId)!.reason, "replay");
    assert.ok(find("AXIS_HASH_FILE_MISMATCH", L1.systemId));
    const legacyStale = rows.find(
      (r) =>
        r.code === "AXIS_AUTH_STALE_TIMESTAMP" &&
        r.caller === L1.systemId &&
        /changes state/.test(r.diagnostic!.en),
    );
    assert.ok(legacyStale, "a legacy system's refused directory write explains why");
    // Nothing secret was written.
    const dump = JSON.stringify(
      await node.context.db.kysely
        .selectFrom("axis_intake_log")
        .selectAll()
        .where("source", "=", "sdkvxp")
        .where("outcome", "=", "refused")
        .execute(),
    );
    for (const secret of [L1.secret, L2.secret, S.secret, "sai-khoa-bi-mat"])
      assert.ok(!dump.includes(secret));
    assert.ok(!/hash-header|[0-9a-f]{64}/.test(dump), "no HMAC values or digests in refusal rows");
  });

  it("bounds the rows an attacker can add: at most 60 distinct rows a minute, the rest folded", async () => {
    clock = Date.parse("2025-03-07T02:10:05Z");
    const before = await node.context.db.kysely
      .selectFrom("axis_intake_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 150; i++) {
      const r = await sdk({ systemId: `bot.${i}`, secret: "x" }, "/getAgenciesList", clock);
      assert.equal(r.json.ErrorCode, "AXIS_AUTH_UNKNOWN_SYSTEM");
    }
    const rows = await refusedRows();
    const thisMinute = rows.filter(
      (r) => r.code === "AXIS_AUTH_UNKNOWN_SYSTEM" && (r.caller ?? "").match(/^bot\.|^\(many\)$/),
    );
    assert.equal(thisMinute.length, 61);
    assert.equal(
      thisMinute.reduce((a, r) => a + r.count, 0),
      150,
    );
    assert.equal(thisMinute.find((r) => r.caller === "(many)")!.count, 90);
    const afterCount = await node.context.db.kysely
      .selectFrom("axis_intake_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n) - Number(before.n), 61);
    // The next minute starts afresh.
    clock += MIN;
    await sdk({ systemId: "bot.next", secret: "x" }, "/getAgenciesList", clock);
    const next = await refusedRows();
    assert.ok(next.some((r) => r.caller === "bot.next"));
    const overview = await admin("GET", "/admin/api/overview");
    assert.ok(overview.json.refusedLast24h >= 151 + 40, String(overview.json.refusedLast24h));
  });

  it("records an unknown or missing mTLS client certificate on the native and federation APIs", async () => {
    clock = Date.parse("2025-03-07T02:20:00Z");
    const stranger = pki.issue("stranger");
    strangerFp = stranger.fingerprint;
    for (let i = 0; i < 3; i++) {
      const r = await tlsCall(node.url, stranger, pki.caPem, "GET", "/v1/inbox");
      assert.equal(r.json.code, "AXIS_AUTH_CERT_UNKNOWN");
    }
    const fed = await tlsCall(node.url, stranger, pki.caPem, "GET", "/v1/federation/directory?since=0");
    assert.equal(fed.json.code, "AXIS_AUTH_CERT_UNKNOWN");
    const none = await tlsCall(node.url, undefined, pki.caPem, "GET", "/v1/inbox");
    assert.equal(none.json.code, "AXIS_AUTH_CERT_MISSING");
    const rows = await refusedRows();
    const native = rows.find((r) => r.source === "native" && r.code === "AXIS_AUTH_CERT_UNKNOWN");
    assert.ok(native, JSON.stringify(rows.slice(0, 5)));
    assert.equal(native.caller, `cert:${stranger.fingerprint}`);
    assert.equal(native.count, 3);
    assert.equal(native.reason, "unknown-caller");
    assert.match(native.diagnostic!.vi, /chưa gắn với hệ thống hay nút kề nào/);
    assert.ok(rows.some((r) => r.source === "federation" && r.code === "AXIS_AUTH_CERT_UNKNOWN"));
    const missing = rows.find((r) => r.code === "AXIS_AUTH_CERT_MISSING");
    assert.ok(missing);
    assert.equal(missing.caller, null);
  });

  it("the console's federation health and certificate countdown still work on this node", async () => {
    clock = Date.parse("2025-03-07T03:00:00Z");
    const daysLeft = (pem: string) =>
      Math.floor((Date.parse(new X509Certificate(pem).validTo) - clock) / 86_400_000);
    let fed = await admin("GET", "/admin/api/federation");
    assert.equal(fed.status, 200, JSON.stringify(fed.json));
    assert.deepEqual(
      fed.json.links.map((l: any) => [l.nodeId, l.relation, l.health, l.pending, l.certificateDaysLeft]),
      [["lgsp-h41", "child", "idle", 0, null]],
    );
    // The child calls in with its pinned certificate: seen, so its countdown is known.
    const pulled = await tlsCall(node.url, child, pki.caPem, "GET", "/v1/federation/directory?since=0");
    assert.equal(pulled.status, 200, JSON.stringify(pulled.json));
    // A forwarding attempt that failed.
    await node.context.db.kysely
      .insertInto("axis_outbox")
      .values({
        package_id: "00000000-0000-4000-8000-000000000001",
        node_id: "lgsp-h41",
        state: "pending",
        attempts: 3,
        next_attempt_at: clock + 60_000,
        lease_until: 0,
        last_error: "connect ECONNREFUSED 127.0.0.1:9",
        created_at: clock - 60_000,
        sent_at: null,
      })
      .execute();
    fed = await admin("GET", "/admin/api/federation");
    const link = fed.json.links[0];
    assert.equal(link.health, "error");
    assert.equal(link.reason, "peer-unreachable");
    assert.equal(link.failing, 1);
    assert.equal(link.maxAttempts, 3);
    assert.equal(link.certificateDaysLeft, daysLeft(child.certPem));

    // A system bound to a certificate, seen on the native API.
    const office = pki.issue("office-h41");
    await node.connectSystem({
      systemId: "office.h41",
      certFingerprint: office.fingerprint,
      agencyCodes: ["H41.05"],
    });
    const inbox = await tlsCall(node.url, office, pki.caPem, "GET", "/v1/inbox");
    assert.equal(inbox.status, 200, JSON.stringify(inbox.json));
    const certs = await admin("GET", "/admin/api/certificates");
    assert.equal(certs.status, 200);
    const byRole = (role: string, boundTo: string) =>
      certs.json.items.find((c: any) => c.role === role && c.boundTo === boundTo);
    assert.equal(byRole("node", "national").daysLeft, daysLeft(own.certPem));
    assert.equal(byRole("ca", "trust").daysLeft, daysLeft(pki.caPem));
    const sys = byRole("system", "office.h41");
    assert.equal(sys.daysLeft, daysLeft(office.certPem));
    assert.equal(sys.lastSeenAt, new Date(clock).toISOString());
    assert.equal(byRole("neighbour", "lgsp-h41").daysLeft, daysLeft(child.certPem));
    const unbound = certs.json.items.find((c: any) => c.role === "unbound" && c.fingerprint === strangerFp);
    assert.ok(unbound, "the stranger's certificate is listed as bound to nothing");
  });
});
