/**
 * Relays the axis node's public, read-only statistics (`/public/stats`, `/public/stats.csv`)
 * through the office, so that the statistics page of the web UI works on the office's own
 * address: agency staff and citizens reach the office, while nodes sit on the government
 * network behind mutual TLS. Only those two GET paths are relayed, with their query string;
 * the node applies its own rate limit and reveals only aggregates.
 */
import { type Agent as HttpAgent, get as httpGet } from "node:http";
import { type Agent as HttpsAgent, get as httpsGet } from "node:https";
import type { FastifyInstance } from "fastify";

export interface PublicStatsRelayOptions {
  /** Base URL of the axis node, e.g. `https://lgsp.example.gov.vn`. */
  nodeUrl: string;
  /** Agent trusting the node's CA (and presenting the office's certificate if the node asks). */
  agent?: HttpAgent | HttpsAgent;
  timeoutMs?: number;
  maxBytes?: number;
}

const RELAYED = ["/public/stats", "/public/stats.csv"] as const;

export function registerPublicStatsRelay(app: FastifyInstance, options: PublicStatsRelayOptions): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  for (const path of RELAYED) {
    app.get(path, (request, reply) => {
      const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
      const target = new URL(path + query, options.nodeUrl);
      const get = target.protocol === "https:" ? httpsGet : httpGet;
      return new Promise<void>((resolve) => {
        const fail = (status: number, code: string, vi: string, en: string) => {
          if (!reply.sent) void reply.code(status).send({ code, message: { vi, en } });
          resolve();
        };
        const upstream = get(target, { agent: options.agent as HttpsAgent, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) res.destroy(new Error("too large"));
            else chunks.push(chunk);
          });
          res.on("error", () =>
            fail(
              502,
              "OFFICE_STATS_UNAVAILABLE",
              "Không lấy được số liệu thống kê",
              "Statistics unavailable",
            ),
          );
          res.on("end", () => {
            const type = res.headers["content-type"];
            const disposition = res.headers["content-disposition"];
            if (type) void reply.header("content-type", type);
            if (disposition) void reply.header("content-disposition", disposition);
            void reply
              .header("cache-control", "no-cache")
              .code(res.statusCode ?? 502)
              .send(Buffer.concat(chunks));
            resolve();
          });
        });
        upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
        upstream.on("error", () =>
          fail(
            502,
            "OFFICE_STATS_UNAVAILABLE",
            "Không kết nối được nút trục để lấy số liệu thống kê",
            "The axis node's statistics are unreachable",
          ),
        );
      });
    });
  }
}
