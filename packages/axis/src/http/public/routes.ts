/**
 * The public, read-only statistics of this node (no account): the counters the Government
 * portal publishes, per province/ministry and per agency, as JSON and CSV. Only aggregates:
 * no package, subject, document number or caller is ever named. Rate-limited per client
 * address; answers are cached for a few seconds so a crowd costs one query set.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NodeContext } from "../../services/ports.ts";
import { RateLimiter } from "../admin/auth.ts";
import { parseWith, sendError, statsQuery } from "../admin/routes.ts";
import { buildDashboard, type Dashboard, dashboardCsv, defaultPeriod } from "../admin/stats.ts";

/** Requests per minute and client address. */
export const PUBLIC_RATE_LIMIT = 60;
const CACHE_MS = 10_000;

export function registerPublicRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const limiter = new RateLimiter(PUBLIC_RATE_LIMIT, 60_000);
  const cache = new Map<string, { at: number; value: Promise<Dashboard> }>();

  const load = (request: FastifyRequest) => {
    const q = parseWith(statsQuery, request.query);
    const period = defaultPeriod(ctx.clock.now());
    const query = {
      fromDay: q.from ?? period.fromDay,
      toDay: q.to ?? period.toDay,
      ...(q.province ? { province: q.province } : {}),
      ...(q.agency ? { agency: q.agency } : {}),
    };
    const key = JSON.stringify(query);
    const hit = cache.get(key);
    const at = Date.now();
    if (hit && at - hit.at < CACHE_MS) return hit.value;
    if (cache.size > 200) cache.clear();
    const value = buildDashboard(ctx, query, { detailed: false });
    value.catch(() => cache.delete(key));
    cache.set(key, { at, value });
    return value;
  };

  const handle =
    (fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        limiter.hit(request.ip);
        reply.header("cache-control", "public, max-age=10").header("access-control-allow-origin", "*");
        return await fn(request, reply);
      } catch (error) {
        reply.header("cache-control", "no-store");
        return sendError(request, reply, error);
      }
    };

  app.get(
    "/public/stats",
    handle(async (request) => load(request)),
  );

  app.get(
    "/public/stats.csv",
    handle(async (request, reply) => {
      const d = await load(request);
      reply
        .header("content-type", "text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="thong-ke-${d.node.nodeId}-${d.period.from}-${d.period.to}.csv"`,
        );
      return dashboardCsv(d);
    }),
  );
}
