/**
 * Serving the web UI from the node: files and SPA fallback for page paths, never for API
 * paths, no escape from the UI directory, and a clear page when the UI is not built.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Fastify from "fastify";
import { registerWebUi } from "../src/http/public/static-ui.ts";

describe("axis: web UI serving", () => {
  const dir = mkdtempSync(join(tmpdir(), "truc-ui-"));
  const built = join(dir, "dist");
  mkdirSync(join(built, "assets"), { recursive: true });
  writeFileSync(join(built, "index.html"), "<!doctype html><title>truc</title><div id=root></div>");
  writeFileSync(join(built, "assets", "app-1234.js"), "console.log(1)");
  writeFileSync(join(dir, "secret.txt"), "outside");
  after(() => rmSync(dir, { recursive: true, force: true }));

  const app = (distDir: string) => {
    const a = Fastify();
    a.get("/v1/directory", async () => ({ items: [] }));
    a.get("/admin/api/me", async () => ({ username: "x" }));
    registerWebUi(a, distDir);
    return a;
  };

  it("serves files, falls back to index.html for pages, and leaves API routes alone", async () => {
    const a = app(built);
    const page = await a.inject({ url: "/admin/agencies/H29.12?x=1" });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers["content-type"] as string, /text\/html/);
    assert.match(page.body, /id=root/);
    assert.match(page.headers["content-security-policy"] as string, /script-src 'self'/);
    assert.equal((await a.inject({ url: "/thong-ke" })).statusCode, 200);
    const js = await a.inject({ url: "/assets/app-1234.js" });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers["cache-control"] as string, /immutable/);
    assert.equal(js.body, "console.log(1)");
    assert.equal((await a.inject({ url: "/v1/directory" })).json().items.length, 0, "route wins");
    assert.equal((await a.inject({ url: "/admin/api/me" })).json().username, "x", "route wins");
    for (const url of ["/v1/nothing", "/admin/api/nothing", "/public/nothing", "/assets/missing.js"]) {
      const r = await a.inject({ url });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().code, "AXIS_ADMIN_NOT_FOUND", url);
    }
    assert.equal((await a.inject({ method: "POST", url: "/admin" })).statusCode, 404);
    const outside = await a.inject({ url: "/..%2Fsecret.txt" });
    assert.ok(!outside.body.includes("outside"), "no file outside the UI directory");
  });

  it("explains when the UI is not built", async () => {
    const a = app(join(dir, "missing"));
    const r = await a.inject({ url: "/admin" });
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build -w @truc\/web/);
    assert.match(r.body, /Giao diện web chưa được xây dựng/);
    assert.equal((await a.inject({ url: "/v1/directory" })).statusCode, 200);
  });
});
