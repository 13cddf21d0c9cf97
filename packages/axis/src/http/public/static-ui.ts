/**
 * Serves the built web UI (`packages/web/dist`) from the node, with SPA fallback: any GET for
 * a page path that no route answers gets `index.html`. API paths never fall back (an unknown
 * API path is a JSON 404), and every route registered by the node wins over the UI because
 * this only runs in the not-found handler. When the UI is not built, page paths answer with
 * a short explanation instead.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { webContentType, webDistDir } from "@truc/web";
import type { FastifyInstance, FastifyReply } from "fastify";

const API_PREFIXES = ["/v1/", "/admin/api/", "/public/", "/healthz", "/readyz", "/metrics"];
/** Mantine sets CSS variables through a style element, hence 'unsafe-inline' for styles only. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>truc</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Giao diện web chưa được xây dựng</h1>
<p>Nút liên thông đang chạy, nhưng thư mục <code>packages/web/dist</code> chưa có. Chạy
<code>npm run build -w @truc/web</code> rồi tải lại trang. Các API (<code>/v1</code>,
<code>/admin/api</code>, <code>/public/stats</code>) vẫn hoạt động.</p>
<p lang="en">The node is running but the web UI is not built (<code>packages/web/dist</code> is missing).
Run <code>npm run build -w @truc/web</code> and reload. The APIs keep working.</p></body></html>`;

/** `TRUC_WEB_DIST` overrides the directory (tests build into their own, as the office does). */
export function registerWebUi(
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

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isApi = API_PREFIXES.some((p) => path === p.replace(/\/$/, "") || path.startsWith(p));
    if ((request.method !== "GET" && request.method !== "HEAD") || isApi) {
      reply.code(404);
      return {
        code: "AXIS_ADMIN_NOT_FOUND",
        message: { vi: `Không tìm thấy địa chỉ ${path}.`, en: `Nothing at ${path}.` },
      };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      reply.code(400);
      return { code: "AXIS_REQUEST_INVALID", message: { vi: "Đường dẫn không hợp lệ.", en: "Bad path." } };
    }
    const file = normalize(join(root, decoded));
    if (file.startsWith(root) && extname(file) && existsSync(file) && statSync(file).isFile())
      return sendFile(reply, file, decoded.startsWith("/assets/"));
    if (extname(decoded) && decoded.startsWith("/assets/")) {
      reply.code(404);
      return { code: "AXIS_ADMIN_NOT_FOUND", message: { vi: "Không tìm thấy tệp.", en: "No such file." } };
    }
    const index = join(root, "index.html");
    if (!existsSync(index)) {
      reply.code(503).header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
      return NOT_BUILT;
    }
    return sendFile(reply, index, false);
  });
}
