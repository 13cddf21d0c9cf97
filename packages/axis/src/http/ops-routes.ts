import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { NodeContext } from "../services/ports.ts";
import type { Metrics } from "./metrics.ts";

export function registerOpsRoutes(
  app: FastifyInstance,
  ctx: NodeContext,
  metrics: Metrics,
  state: { ready(): boolean },
): void {
  app.get("/healthz", async () => ({ status: "ok", node: ctx.config.nodeId }));
  app.get("/readyz", async (_request, reply) => {
    if (!state.ready()) {
      reply.code(503);
      return { status: "not-ready" };
    }
    try {
      await sql`select 1`.execute(ctx.db.kysely);
      return { status: "ready" };
    } catch {
      reply.code(503);
      return { status: "database-unavailable" };
    }
  });
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", "text/plain; version=0.0.4");
    return metrics.render();
  });
}
