/**
 * The node console API on a real node (both dialects): operator login (bootstrap password,
 * wrong password, CSRF, idle expiry, logout), directory management, systems with a secret
 * shown once and then usable on SDKVXP, refusals explained, queues, statistics with
 * drill-down and CSV, the public statistics (aggregates only, rate-limited), evidence
 * verification. Traffic goes through the SDKVXP facade signed exactly like the VPCP SDK.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { signSdkvxpHeaders } from "@truc/client";
import { describeEachDialect } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { PUBLIC_RATE_LIMIT } from "../src/http/public/routes.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import { edocXml, statusXml } from "./support/packages.ts";
import { makeTestPki } from "./support/pki.ts";

class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.cookies.size
          ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ") }
          : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(";");
      const [name, value] = pair!.split("=");
      if (/Max-Age=0/.test(c)) this.cookies.delete(name!);
      else this.cookies.set(name!, decodeURIComponent(value!));
    }
    // Keep a leading BOM (the CSV export has one): res.text() would strip it.
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers, setCookies };
  }
  /** A state-changing call the way the web UI makes it: CSRF header from the cookie. */
  mutate(method: string, path: string, body?: unknown) {
    return this.call(method, path, body, { "x-csrf-token": this.cookies.get("truc_csrf") ?? "" });
  }
}

const S1 = { systemId: "qlvb.snv.h29", secret: "bí-mật-h29-0001" };
const S2 = { systemId: "qlvb.stp.h41", secret: "secret-h41-0002" };

describeEachDialect("axis: node console API", (ctx) => {
  let node: RunningNode;
  let clock = Date.parse("2025-03-05T03:00:00Z");
  const advance = (ms: number) => {
    clock += ms;
  };

  const sdk = async (
    who: { systemId: string; secret: string },
    op: string,
    params: Record<string, string>,
    file?: Buffer,
  ) => {
    const signed = signSdkvxpHeaders({
      systemId: who.systemId,
      secret: who.secret,
      params,
      contentType: file ? "application/octet-stream" : "application/json",
      now: new Date(clock),
      ...(file ? { file } : {}),
    });
    const res = await fetch(new URL(op, node.url), {
      method: "POST",
      headers: Object.fromEntries(signed.headers),
      ...(signed.body ? { body: signed.body } : {}),
    });
    return (await res.json()) as any;
  };
  const send = (who: typeof S1, from: string, file: Buffer, messagetype = "edoc") =>
    sdk(who, "/sendEdoc", { from, servicetype: "eDoc", messagetype }, file);

  before(async () => {
    const config = ctx.config();
    const pkiDir = join(ctx.dataDir(), "pki");
    mkdirSync(pkiDir, { recursive: true });
    const key = makeTestPki(pkiDir).issue("national");
    node = await startNode(
      parseNodeConfig(
        {
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
          dataDir: join(ctx.dataDir(), "node"),
          ...(config.kind === "postgres" ? { databaseUrl: config.url } : {}),
          masterKey: "33".repeat(32),
          logLevel: "silent",
        },
        { env: {} },
      ),
      // The node key seals the evidence log (no TLS needed for the console API).
      {
        workers: false,
        clock: { now: () => new Date(clock) },
        signer: createPemSigner(key.keyPem, key.certPem),
      },
    );
    await node.registerAgency({ code: "H29", code102: "000.00.00.H29", name: "UBND Thành phố Hồ Chí Minh" });
    await node.registerAgency({
      code: "H29.12",
      code102: "000.00.12.H29",
      name: "Sở Nội vụ",
      parentCode: "H29",
    });
    await node.registerAgency({ code: "H41", code102: "000.00.00.H41", name: "UBND tỉnh Nghệ An" });
    await node.registerAgency({
      code: "H41.05",
      code102: "000.00.05.H41",
      name: "Sở Tư pháp",
      parentCode: "H41",
    });
    await node.registerAgency({
      code: "H41.06",
      code102: "000.00.06.H41",
      name: "Sở Y tế",
      parentCode: "H41",
    });
    await node.connectSystem({ ...S1, agencyCodes: ["H29.12"] });
  });
  after(async () => {
    await node?.close();
  });

  let op: Browser;

  it("creates an 'admin' operator on first start and writes its password to the data directory", async () => {
    const [username, password] = readFileSync(join(node.config.dataDir, "admin-initial-password.txt"), "utf8")
      .trim()
      .split("\n");
    assert.equal(username, "admin");
    op = new Browser(node.url);
    const res = await op.call("POST", "/admin/api/login", { username, password });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.username, "admin");
    const session = res.setCookies.find((c) => c.startsWith("truc_axis_session="))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    assert.match(session, /Path=\/admin/);
    const csrf = res.setCookies.find((c) => c.startsWith("truc_csrf="))!;
    assert.doesNotMatch(csrf, /HttpOnly/, "the UI reads the CSRF cookie");
    assert.equal((await op.call("GET", "/admin/api/me")).json.username, "admin");
  });

  it("refuses a wrong password and an unknown operator with the same code", async () => {
    const stranger = new Browser(node.url);
    for (const body of [
      { username: "admin", password: "not-the-password" },
      { username: "nobody", password: "not-the-password" },
    ]) {
      const res = await stranger.call("POST", "/admin/api/login", body);
      assert.equal(res.status, 401);
      assert.equal(res.json.code, "AXIS_ADMIN_LOGIN_FAILED");
      assert.ok(res.json.message.vi.includes("mật khẩu"), res.json.message.vi);
    }
    assert.equal(stranger.cookies.size, 0);
    const none = await stranger.call("GET", "/admin/api/overview");
    assert.equal(none.status, 401);
    assert.equal(none.json.code, "AXIS_ADMIN_SESSION_REQUIRED");
    // A login posted as a form (cross-site form) is refused before any password check.
    const form = await stranger.call("POST", "/admin/api/login", undefined, {
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(form.status, 400);
  });

  it("refuses state-changing calls without the CSRF header or with a wrong one", async () => {
    const body = { code: "H29.12.01", name: "Phòng Tổ chức", parentCode: "H29.12" };
    const missing = await op.call("POST", "/admin/api/agencies", body);
    assert.equal(missing.status, 403);
    assert.equal(missing.json.code, "AXIS_ADMIN_CSRF");
    const wrong = await op.call("POST", "/admin/api/agencies", body, { "x-csrf-token": "forged" });
    assert.equal(wrong.json.code, "AXIS_ADMIN_CSRF");
    // Header equal to a cookie the attacker planted, but not the session's token.
    const planted = new Browser(node.url);
    planted.cookies.set("truc_axis_session", op.cookies.get("truc_axis_session")!);
    planted.cookies.set("truc_csrf", "planted");
    assert.equal((await planted.mutate("POST", "/admin/api/agencies", body)).json.code, "AXIS_ADMIN_CSRF");
    const ok = await op.mutate("POST", "/admin/api/agencies", body);
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.agency.parent, "H29.12");
    assert.equal(ok.json.agency.level, 3);
  });

  it("searches the directory by name without diacritics, by either identifier form, by level and parent", async () => {
    const names = async (query: string) =>
      (await op.call("GET", `/admin/api/agencies?${query}`)).json.items.map((a: { code: string }) => a.code);
    assert.deepEqual(await names("q=so%20y%20te"), ["H41.06"]);
    assert.deepEqual(await names("q=000.00.05"), ["H41.05"]);
    assert.deepEqual(await names("q=h41.0"), ["H41.05", "H41.06"]);
    assert.deepEqual(await names("level=1"), ["H29", "H41"]);
    assert.deepEqual(await names("parent=H41"), ["H41.05", "H41.06"]);
    const detail = await op.call("GET", "/admin/api/agencies/000.00.12.H29");
    assert.equal(detail.json.agency.code, "H29.12");
    assert.deepEqual(
      detail.json.children.map((c: { code: string }) => c.code),
      ["H29.12.01"],
    );
    assert.deepEqual(
      detail.json.systems.map((s: { systemId: string }) => s.systemId),
      [S1.systemId],
    );
  });

  it("creates a system whose secret is shown once and works on SDKVXP", async () => {
    const created = await op.mutate("POST", "/admin/api/systems", {
      systemId: S2.systemId,
      agencyCodes: ["H41.05", "000.00.06.H41"],
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.json.secret, /^[A-Za-z0-9_-]{32}$/);
    S2.secret = created.json.secret;
    const list = await op.call("GET", "/admin/api/systems");
    assert.ok(!list.text.includes(S2.secret), "the secret is never listed");
    const entry = list.json.items.find((s: { systemId: string }) => s.systemId === S2.systemId);
    assert.deepEqual(entry.agencyCodes, ["H41.05", "H41.06"]);
    assert.equal(entry.hasSecret, true);
    const count = await sdk(S2, "/countReceiveEdoc", { servicetype: "eDoc", messagetype: "edoc" });
    assert.equal(count.status, "OK", JSON.stringify(count));
    const remote = await op.mutate("POST", "/admin/api/systems", { systemId: "x.y", agencyCodes: ["G99"] });
    assert.equal(remote.json.code, "AXIS_AGENCY_NOT_FOUND");
  });

  it("carries traffic, then explains refusals and duplicates in plain words", async () => {
    const doc1 = "H29.12,2025/03/05,11/SNV-VP";
    const doc2 = "H29.12,2025/03/05,12/SNV-VP";
    const file1 = edocXml({ from: "H29.12", to: ["H41.05", "000.00.06.H41"], documentId: doc1 });
    assert.equal((await send(S1, "H29.12", file1)).status, "OK");
    assert.equal(
      (await send(S1, "H29.12", edocXml({ from: "H29.12", to: ["H41.05"], documentId: doc2 }))).status,
      "OK",
    );
    advance(5 * 60_000);
    for (const code of ["01", "03"]) {
      const r = await send(
        S2,
        "H41.05",
        statusXml({ from: "H41.05", responseFor: "H29.12", documentId: doc1, code }),
        "status",
      );
      assert.equal(r.status, "OK", JSON.stringify(r));
      advance(60_000);
    }
    // Refused: S1 may only send for H29.12, and the package says it comes from H41.05.
    const wrong = await send(
      S1,
      "H29.12",
      edocXml({ from: "H41.05", to: ["H29.12"], documentId: "H41.05,2025/03/05,1/STP" }),
    );
    assert.equal(wrong.ErrorCode, "AXIS_SENDER_MISMATCH");
    // Duplicate: the same bytes again.
    assert.equal((await send(S1, "H29.12", file1)).duplicate, true);

    const failures = await op.call("GET", "/admin/api/failures");
    assert.equal(failures.status, 200);
    const reasons = failures.json.refused.map(
      (r: { reason: string; outcome: string }) => `${r.outcome}:${r.reason}`,
    );
    assert.ok(reasons.includes("refused:wrong-sender"), JSON.stringify(failures.json.refused));
    assert.ok(reasons.includes("duplicate:duplicate"), JSON.stringify(reasons));
    const overview = await op.call("GET", "/admin/api/overview");
    assert.equal(overview.json.refusedLast24h, 1);
    assert.equal(overview.json.agencies.total, 6);
  });

  it("shows mailbox backlog per agency", async () => {
    const q = await op.call("GET", "/admin/api/queues");
    const h4105 = q.json.mailbox.find(
      (m: { agency: string; kind: string }) => m.agency === "H41.05" && m.kind === "edoc",
    );
    assert.equal(h4105.pending, 2);
    assert.equal(h4105.name, "Sở Tư pháp");
    assert.deepEqual(q.json.outbox, []);
  });

  it("computes the dashboard with drill-down from the node to a province to an agency, and CSV", async () => {
    const country = (await op.call("GET", "/admin/api/stats")).json;
    assert.equal(country.scope.level, "node");
    assert.equal(country.totals.sent, 2);
    assert.equal(country.totals.received, 3);
    assert.equal(country.totals.pending, 3);
    assert.deepEqual(
      country.byProvince.map((p: { code: string; sent: number; received: number }) => [
        p.code,
        p.sent,
        p.received,
      ]),
      [
        ["H29", 2, 0],
        ["H41", 0, 3],
      ],
    );
    assert.equal(country.byMonth[0].month, "2025-03");

    const province = (await op.call("GET", "/admin/api/stats?province=H41")).json;
    assert.equal(province.scope.name, "UBND tỉnh Nghệ An");
    assert.deepEqual(
      province.agencies.map((a: { code: string }) => a.code),
      ["H41.05", "H41.06"],
    );
    assert.equal(province.totals.sent, 0);

    const agency = (await op.call("GET", "/admin/api/stats?agency=H41.05")).json;
    assert.equal(agency.scope.provinceName, "UBND tỉnh Nghệ An");
    const row = agency.agencies[0];
    assert.equal(row.received, 2);
    assert.deepEqual(row.statuses, { "01": 1, "03": 1 });
    assert.equal(row.medianMs["01"], 5 * 60_000);
    assert.equal(row.medianMs["03"], 6 * 60_000);
    assert.equal(row.returnsAll, false);
    assert.equal(row.pending, 2);

    const csv = await op.call("GET", "/admin/api/stats.csv?province=H41");
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    assert.ok(csv.text.startsWith("\uFEFFma_co_quan,"), JSON.stringify(csv.text.slice(0, 20)));
    assert.ok(csv.text.includes("H41.05,Sở Tư pháp,2,H41,0,2,,1,0,1,0,0,0,5.0,6.0,"), csv.text);
  });

  it("publishes aggregates only, without login, and rate-limits them", async () => {
    const anon = new Browser(node.url);
    const pub = await anon.call("GET", "/public/stats?agency=H41.05");
    assert.equal(pub.status, 200);
    assert.equal(pub.json.agencies[0].received, 2);
    assert.equal(pub.json.agencies[0].pending, undefined, "no per-agency queue on the public page");
    for (const secretish of ["SNV-VP", S1.systemId, "packageId", "subject"])
      assert.ok(!pub.text.includes(secretish), `${secretish} must not be public`);
    const csv = await anon.call("GET", "/public/stats.csv");
    assert.ok(csv.text.includes("H41.06,Sở Y tế"), csv.text);
    let limited: Awaited<ReturnType<Browser["call"]>> | undefined;
    for (let i = 0; i < PUBLIC_RATE_LIMIT + 2 && !limited; i++) {
      const r = await anon.call("GET", "/public/stats");
      if (r.status === 429) limited = r;
    }
    assert.ok(limited, "rate limit reached");
    assert.equal(limited.json.code, "AXIS_ADMIN_RATE_LIMITED");
    assert.ok(Number(limited.headers.get("retry-after")) > 0, "retry-after");
  });

  it("suspends and reactivates a local agency; a suspended recipient is refused", async () => {
    const suspended = await op.mutate("POST", "/admin/api/agencies/H41.06/state", { state: "suspended" });
    assert.equal(suspended.json.agency.state, "suspended");
    const r = await send(
      S1,
      "H29.12",
      edocXml({ from: "H29.12", to: ["H41.06"], documentId: "H29.12,2025/03/05,13/SNV-VP" }),
    );
    assert.equal(r.ErrorCode, "AXIS_RECIPIENT_SUSPENDED");
    const failures = await op.call("GET", "/admin/api/failures");
    assert.equal(failures.json.refused[0].reason, "recipient-suspended");
    const active = await op.mutate("POST", "/admin/api/agencies/H41.06/state", { state: "active" });
    assert.equal(active.json.agency.state, "active");
  });

  it("verifies the evidence log", async () => {
    await node.sealEvidenceNow();
    const r = await op.mutate("POST", "/admin/api/evidence/verify");
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    assert.ok(r.json.records >= 10, String(r.json.records));
    // Against the node's own anchor file (every seal is copied there).
    const file = r.json.anchors.find((a: { source: string }) => a.source === node.config.evidence.anchorFile);
    assert.ok(file?.accepted >= 1, JSON.stringify(r.json.anchors));

    // Cutting off the last seal is reported with its code and words.
    const db = node.context.db.kysely;
    const last = await db
      .selectFrom("axis_evidence")
      .selectAll()
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.equal(last.kind, "seal");
    await db.deleteFrom("axis_evidence").where("seq", "=", last.seq).execute();
    try {
      const cut = await op.mutate("POST", "/admin/api/evidence/verify");
      assert.equal(cut.status, 200, cut.text);
      assert.equal(cut.json.ok, false);
      assert.equal(cut.json.problem.reason, "truncated");
      assert.equal(cut.json.error.code, "AXIS_EVIDENCE_TRUNCATED");
      assert.match(cut.json.error.message.vi, /bị cắt mất phần cuối/);
    } finally {
      await db.insertInto("axis_evidence").values(last).execute();
    }
    assert.equal((await op.mutate("POST", "/admin/api/evidence/verify")).json.ok, true);
  });

  it("ends a session after 30 idle minutes, and on logout", async () => {
    advance(29 * 60_000);
    assert.equal((await op.call("GET", "/admin/api/me")).status, 200, "still within the idle window");
    advance(31 * 60_000);
    const expired = await op.call("GET", "/admin/api/me");
    assert.equal(expired.status, 401);
    assert.equal(expired.json.code, "AXIS_ADMIN_SESSION_REQUIRED");

    const [username, password] = readFileSync(join(node.config.dataDir, "admin-initial-password.txt"), "utf8")
      .trim()
      .split("\n");
    const again = new Browser(node.url);
    assert.equal((await again.call("POST", "/admin/api/login", { username, password })).status, 200);
    const token = again.cookies.get("truc_axis_session")!;
    assert.equal((await again.mutate("POST", "/admin/api/logout")).status, 200);
    const replay = new Browser(node.url);
    replay.cookies.set("truc_axis_session", token);
    assert.equal((await replay.call("GET", "/admin/api/me")).status, 401, "a logged-out token is dead");
  });
});
