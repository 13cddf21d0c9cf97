/**
 * The office server serves the built UI: page paths fall back to index.html (with a CSP that
 * lets the PDF viewer show blob: URLs), assets are served as files, and API paths are never
 * shadowed by the fallback.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildOfficeApp, type OfficeDeps } from "@truc/office";
import type { FastifyInstance } from "fastify";

describe("office server: static UI with SPA fallback", () => {
  let dir: string;
  let app: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-web-static-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>truc</title><div id=root></div>");
    await writeFile(join(dir, "assets", "app-1.js"), "console.log(1)");
    process.env.TRUC_WEB_DIST = dir;
    // No route below touches the database: the deps are never used.
    app = buildOfficeApp({} as OfficeDeps);
  });
  after(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers page paths with index.html and a CSP allowing blob: documents", async () => {
    for (const url of ["/", "/office/inbox", "/office/outgoing/6f1c2a9e-0000-4000-8000-000000000000?x=1"]) {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers["content-type"]), /text\/html/);
      assert.match(res.body, /<div id=root>/);
      assert.match(String(res.headers["content-security-policy"]), /object-src 'self' blob:/);
      assert.equal(res.headers["cache-control"], "no-cache");
    }
  });

  it("serves assets as immutable files and 404s a missing one", async () => {
    const js = await app.inject({ method: "GET", url: "/assets/app-1.js" });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers["content-type"]), /text\/javascript/);
    assert.match(String(js.headers["cache-control"]), /immutable/);
    const missing = await app.inject({ method: "GET", url: "/assets/gone.js" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, "OFFICE_NOT_FOUND");
  });

  it("never shadows the API or leaves the build directory", async () => {
    const unknown = await app.inject({ method: "GET", url: "/api/no-such-route" });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, "OFFICE_NOT_FOUND");
    const openapi = await app.inject({ method: "GET", url: "/api/openapi.json" });
    assert.equal(openapi.json().openapi, "3.1.0");
    const session = await app.inject({ method: "GET", url: "/api/session" });
    assert.equal(session.statusCode, 401);
    const post = await app.inject({ method: "POST", url: "/office/inbox" });
    assert.equal(post.statusCode, 404);
    const traversal = await app.inject({ method: "GET", url: "/..%2f..%2fetc%2fpasswd" });
    assert.doesNotMatch(traversal.body, /root:/);
  });
});
