/**
 * Serves the built web UI (`packages/web/dist`) from the office server, with SPA fallback: a
 * GET for a page path that no API route answers gets `index.html`. Registered as a wildcard
 * GET route, so every declared route wins over it; `/api/…` paths never fall back (they get the
 * office's JSON 404), and neither do missing `/assets/…` files. When the UI is not built, page
 * paths answer with a short explanation and the API keeps working.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { webContentType, webDistDir } from "@truc/web";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * Mantine sets CSS variables through a style element, hence 'unsafe-inline' for styles only;
 * documents are shown in the browser's PDF viewer from blob: URLs (object/frame).
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>truc</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Giao diện web chưa được xây dựng</h1>
<p>Máy chủ văn phòng điện tử đang chạy, nhưng thư mục <code>packages/web/dist</code> chưa có. Chạy
<code>npm run build -w @truc/web</code> rồi tải lại trang. API (<code>/api</code>) vẫn hoạt động.</p>
<p lang="en">The office server is running but the web UI is not built (<code>packages/web/dist</code> is
missing). Run <code>npm run build -w @truc/web</code> and reload. The API keeps working.</p></body></html>`;

/** `TRUC_WEB_DIST` points at another build of the UI (browser tests build into their own directory). */
export function registerStaticUi(
  app: FastifyInstance,
  distDir: string = process.env.TRUC_WEB_DIST ?? webDistDir,
): void {
  const root = normalize(distDir + sep);

  const sendFile = (reply: FastifyReply, file: string, immutable: boolean) => {
    reply
      .header("content-type", webContentType(file))
      .header("content-length", String(statSync(file).size))
      .header("x-content-type-options", "nosniff")
      .header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (file.endsWith(".html"))
      reply
        .header("content-security-policy", CSP)
        .header("referrer-policy", "no-referrer")
        .header("x-frame-options", "DENY");
    return reply.send(createReadStream(file));
  };

  app.get("/*", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    if (path === "/api" || path.startsWith("/api/")) return reply.callNotFound();
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return reply.callNotFound();
    }
    const file = normalize(join(root, decoded));
    if (file.startsWith(root) && extname(file) && existsSync(file) && statSync(file).isFile())
      return sendFile(reply, file, decoded.startsWith("/assets/"));
    if (decoded.startsWith("/assets/")) return reply.callNotFound();
    const index = join(root, "index.html");
    if (!existsSync(index))
      return reply
        .code(503)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(NOT_BUILT);
    return sendFile(reply, index, false);
  });
}
