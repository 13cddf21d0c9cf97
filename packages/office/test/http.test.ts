import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import type { FastifyInstance } from "fastify";
import { base32Decode, totp } from "../src/auth/totp.ts";
import { buildOfficeApp } from "../src/http/app.ts";
import { SAMPLE_PDF } from "./support/fakes.ts";
import { makeWorld, PASSWORD, type World } from "./support/world.ts";

const ORIGIN = "https://vanban.example.gov.vn";

describeEachDialect("office HTTP API", (ctx) => {
  let w: World;
  let app: FastifyInstance;
  const usernames: Record<string, string> = {};
  before(async () => {
    w = await makeWorld(ctx);
    app = buildOfficeApp(w.deps, { origin: ORIGIN });
    const people = await w.deps.db.kysely.selectFrom("office_users").select(["id", "username"]).execute();
    for (const p of people) usernames[p.id as string] = p.username as string;
  });
  after(async () => {
    await app.close();
  });

  async function signIn(userId: string, extra: { totpCode?: string; cookie?: string } = {}) {
    const res = await app.inject({
      method: "POST",
      url: "/api/session",
      headers: { origin: ORIGIN, ...(extra.cookie ? { cookie: extra.cookie } : {}) },
      payload: {
        username: usernames[userId],
        password: PASSWORD,
        ...(extra.totpCode ? { totpCode: extra.totpCode } : {}),
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const setCookie = String(res.headers["set-cookie"]);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(";")[0]!;
    return { cookie, csrf: res.json().csrfToken as string, body: res.json() };
  }

  it("refuses a wrong password with a stable code and both languages", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/session",
      payload: { username: usernames[w.a.clerk.userId], password: "sai" },
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, "OFFICE_LOGIN_FAILED");
    assert.ok(res.json().message.vi.length > 0 && res.json().message.en.length > 0);
    const anon = await app.inject({ method: "GET", url: "/api/outgoing" });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().code, "OFFICE_SESSION_REQUIRED");
  });

  it("refuses state-changing calls without the CSRF token or from another origin", async () => {
    const s = await signIn(w.a.specialist.userId);
    const payload = { typeCode: "CV", subject: "Công văn thử", recipients: [] };
    const noToken = await app.inject({
      method: "POST",
      url: "/api/outgoing",
      headers: { cookie: s.cookie },
      payload,
    });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json().code, "OFFICE_CSRF_REJECTED");
    const wrongToken = await app.inject({
      method: "POST",
      url: "/api/outgoing",
      headers: { cookie: s.cookie, "x-csrf-token": `${s.csrf}x` },
      payload,
    });
    assert.equal(wrongToken.json().code, "OFFICE_CSRF_REJECTED");
    const foreign = await app.inject({
      method: "POST",
      url: "/api/outgoing",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf, origin: "https://evil.example" },
      payload,
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().code, "OFFICE_CSRF_REJECTED");
    const ok = await app.inject({
      method: "POST",
      url: "/api/outgoing",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf, origin: ORIGIN },
      payload,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().state, "draft");
    // Upload the file as a raw PDF body.
    const up = await app.inject({
      method: "PUT",
      url: `/api/outgoing/${ok.json().id}/file?fileName=du-thao.pdf`,
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf, "content-type": "application/pdf" },
      payload: SAMPLE_PDF,
    });
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json().fileVersion, 1);
    const file = await app.inject({
      method: "GET",
      url: `/api/outgoing/${ok.json().id}/file`,
      headers: { cookie: s.cookie },
    });
    assert.deepEqual(file.rawPayload, SAMPLE_PDF);
    // Another agency's user gets 404 for that id.
    const other = await signIn(w.b.clerk.userId);
    const cross = await app.inject({
      method: "GET",
      url: `/api/outgoing/${ok.json().id}`,
      headers: { cookie: other.cookie },
    });
    assert.equal(cross.statusCode, 404);
    assert.equal(cross.json().code, "OFFICE_NOT_FOUND");
  });

  it("rotates the session on login and ends it on logout", async () => {
    const first = await signIn(w.a.clerk.userId);
    const second = await signIn(w.a.clerk.userId, { cookie: first.cookie });
    assert.notEqual(first.cookie, second.cookie);
    const old = await app.inject({ method: "GET", url: "/api/session", headers: { cookie: first.cookie } });
    assert.equal(old.statusCode, 401);
    const current = await app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: second.cookie },
    });
    assert.equal(current.json().user.roles[0], "van_thu");
    const out = await app.inject({
      method: "DELETE",
      url: "/api/session",
      headers: { cookie: second.cookie, "x-csrf-token": second.csrf },
    });
    assert.equal(out.statusCode, 200);
    assert.equal(
      (await app.inject({ method: "GET", url: "/api/session", headers: { cookie: second.cookie } }))
        .statusCode,
      401,
    );
  });

  it("enables TOTP and then requires a valid code at login", async () => {
    const s = await signIn(w.b.leader.userId);
    const secret = await app.inject({
      method: "POST",
      url: "/api/session/totp/secret",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf },
    });
    const { secret: b32, uri } = secret.json();
    assert.match(uri, /^otpauth:\/\/totp\//);
    const code = totp(base32Decode(b32), w.clock.now());
    const bad = await app.inject({
      method: "POST",
      url: "/api/session/totp",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf },
      payload: { secret: b32, code: code === "000000" ? "111111" : "000000" },
    });
    assert.equal(bad.json().code, "OFFICE_TOTP_INVALID");
    const good = await app.inject({
      method: "POST",
      url: "/api/session/totp",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf },
      payload: { secret: b32, code },
    });
    assert.equal(good.statusCode, 200, good.body);
    const missing = await app.inject({
      method: "POST",
      url: "/api/session",
      payload: { username: usernames[w.b.leader.userId], password: PASSWORD },
    });
    assert.equal(missing.json().code, "OFFICE_TOTP_REQUIRED");
    const again = await signIn(w.b.leader.userId, { totpCode: totp(base32Decode(b32), w.clock.now()) });
    assert.equal(again.body.user.totpEnabled, true);
  });

  it("validates input with zod and maps it to OFFICE_INVALID_INPUT", async () => {
    const s = await signIn(w.a.specialist.userId);
    const res = await app.inject({
      method: "POST",
      url: "/api/outgoing",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf },
      payload: { typeCode: "CV", subject: "", recipients: [] },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, "OFFICE_INVALID_INPUT");
    const forbidden = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: { cookie: s.cookie, "x-csrf-token": s.csrf },
      payload: { username: "abc", fullName: "A", position: "B", password: "0123456789", roles: ["van_thu"] },
    });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, "OFFICE_FORBIDDEN");
  });

  it("serves an OpenAPI document listing the routes", async () => {
    const res = await app.inject({ method: "GET", url: "/api/openapi.json" });
    const doc = res.json();
    assert.equal(doc.openapi, "3.1.0");
    for (const path of [
      "/api/session",
      "/api/outgoing/{id}/issue",
      "/api/incoming/{id}/register",
      "/api/registers/{kind}",
      "/api/search",
    ])
      assert.ok(doc.paths[path], path);
    assert.ok(doc.paths["/api/outgoing"].post.requestBody);
  });
});
