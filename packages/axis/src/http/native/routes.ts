/**
 * The native REST API under /v1 (mutual TLS; the client certificate is bound to a connected
 * system and through it to agencies), and the federation API under /v1/federation (mutual
 * TLS with a pinned neighbour certificate). Routes: parse, authenticate, call a service, map.
 */
import type { TLSSocket } from "node:tls";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { MEDIAN_RESOLUTION } from "../../domain/elapsed-histogram.ts";
import { AxisError } from "../../errors.ts";
import { directoryChangesSince, listAgencies } from "../../repositories/directory-repository.ts";
import { listSent, statusTimeline } from "../../repositories/package-repository.ts";
import { acceptPackage } from "../../services/accept-package.ts";
import { acknowledgePackage } from "../../services/acknowledge-package.ts";
import { callerAgencies } from "../../services/caller-agencies.ts";
import { fetchPackage } from "../../services/fetch-package.ts";
import { childSealHeld, holdChildSeal } from "../../services/hold-child-seal.ts";
import { countReceived, listReceived } from "../../services/list-received.ts";
import type { NodeContext } from "../../services/ports.ts";
import { queryBacklog, queryStatusCompliance, queryTraffic } from "../../services/query-statistics.ts";
import { mapError } from "../error-map.ts";
import { agencyCaller, nodeCaller } from "../identify.ts";
import type { Metrics } from "../metrics.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";

const kindQuery = z.enum(["edoc", "status"]).optional();
const ackBody = z.object({
  status: z.enum(["done", "fail", "processing"]),
  note: z.string().max(2000).optional(),
});
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const periodQuery = z.object({
  from: z.string().regex(dayPattern),
  to: z.string().regex(dayPattern),
  groupBy: z.enum(["agency", "level", "parent"]).default("agency"),
  kind: kindQuery,
  recipient: z.string().optional(),
});

function parseJson(body: unknown): unknown {
  if (Buffer.isBuffer(body)) {
    try {
      return JSON.parse(body.toString("utf8"));
    } catch {
      throw new AxisError("AXIS_REQUEST_INVALID", { reason: "body is not JSON" });
    }
  }
  return body;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AxisError("AXIS_REQUEST_INVALID", {
      reason: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    });
  return r.data;
}

/** The request stream of a `streamBody` route, with its declared length when there is one. */
function streamedBody(request: FastifyRequest): { stream: AsyncIterable<Buffer>; length?: number } {
  const body = request.body as AsyncIterable<Buffer> | Buffer | undefined;
  if (body === undefined) return { stream: (async function* () {})(), length: 0 };
  if (Buffer.isBuffer(body))
    return {
      stream: (async function* () {
        yield body;
      })(),
      length: body.length,
    };
  const declared = Number(request.headers["content-length"]);
  return { stream: body, ...(Number.isFinite(declared) ? { length: declared } : {}) };
}

export function registerNativeRoutes(app: FastifyInstance, ctx: NodeContext, metrics: Metrics): void {
  const wrap =
    (op: string, fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const result = await fn(request, reply);
        metrics.inc("axis_native_requests_total", "Native API requests by operation and outcome", {
          op,
          outcome: "ok",
        });
        return result;
      } catch (error) {
        const mapped = mapError(error);
        metrics.inc("axis_native_requests_total", "Native API requests by operation and outcome", {
          op,
          outcome: mapped.code,
        });
        if (mapped.status >= 500) request.log.error({ err: error, op }, "request failed");
        reply.code(mapped.status);
        return {
          code: mapped.code,
          message: mapped.message,
          ...(mapped.details ? { details: mapped.details } : {}),
        };
      }
    };

  app.get("/v1/openapi.json", async () => OPENAPI_DOCUMENT);

  app.post(
    "/v1/packages",
    { config: { streamBody: true } },
    wrap("send", async (request, reply) => {
      const caller = await agencyCaller(ctx, request);
      const declared = parseWith(
        kindQuery,
        (request.headers["x-truc-message-type"] as string | undefined) ?? undefined,
      );
      const result = await acceptPackage(ctx, {
        body: streamedBody(request),
        caller,
        source: "native",
        ...(declared ? { declaredKind: declared } : {}),
      });
      metrics.inc("axis_packages_accepted_total", "Packages accepted", {
        source: "native",
        duplicate: String(result.duplicate),
      });
      reply.code(result.duplicate ? 200 : 201);
      return result;
    }),
  );

  app.get(
    "/v1/inbox",
    wrap("inbox", async (request) => {
      const caller = await agencyCaller(ctx, request);
      const q = parseWith(
        z.object({ type: kindQuery, limit: z.coerce.number().int().positive().max(5000).optional() }),
        request.query,
      );
      const items = await listReceived(ctx, {
        caller,
        ...(q.type ? { kind: q.type } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return {
        items: items.map((i) => ({
          docId: i.packageId,
          kind: i.kind,
          from: i.sender,
          to: i.recipient,
          createdAt: new Date(i.createdAt).toISOString(),
          redelivery: i.leaseUntil > 0,
          sha256: i.fwdSha256,
          size: i.fwdSize,
          subject: i.subject,
          notation: i.notation,
        })),
      };
    }),
  );

  app.get(
    "/v1/inbox/count",
    wrap("inboxCount", async (request) => {
      const caller = await agencyCaller(ctx, request);
      const q = parseWith(z.object({ type: kindQuery }), request.query);
      return { count: await countReceived(ctx, { caller, ...(q.type ? { kind: q.type } : {}) }) };
    }),
  );

  app.get(
    "/v1/packages/:docId",
    wrap("download", async (request, reply) => {
      const caller = await agencyCaller(ctx, request);
      const { docId } = parseWith(z.object({ docId: z.string().min(1).max(100) }), request.params);
      const pkg = await fetchPackage(ctx, { caller, packageId: docId });
      // Opened before the XML headers are set: if the bytes cannot be read, the error answer
      // is still JSON with its code.
      const body = await pkg.open();
      reply
        .header("content-type", "application/xml")
        .header("content-length", String(pkg.size))
        .header("x-truc-sha256", pkg.sha256)
        .header("x-truc-kind", pkg.kind);
      return reply.send(body);
    }),
  );

  app.post(
    "/v1/packages/:docId/ack",
    wrap("ack", async (request) => {
      const caller = await agencyCaller(ctx, request);
      const { docId } = parseWith(z.object({ docId: z.string().min(1).max(100) }), request.params);
      const body = parseWith(ackBody, parseJson(request.body));
      return acknowledgePackage(ctx, {
        caller,
        packageId: docId,
        status: body.status,
        ...(body.note ? { note: body.note } : {}),
      });
    }),
  );

  app.get(
    "/v1/sent",
    wrap("sent", async (request) => {
      const caller = await agencyCaller(ctx, request);
      const q = parseWith(z.object({ type: kindQuery, docId: z.string().optional() }), request.query);
      const senders = await callerAgencies(ctx, caller);
      return {
        items: await listSent(ctx.db.kysely, {
          senders,
          ...(q.type ? { kind: q.type } : {}),
          ...(q.docId ? { documentId: q.docId } : {}),
          limit: 1000,
        }),
      };
    }),
  );

  app.get(
    "/v1/documents/:documentId/statuses",
    wrap("statuses", async (request) => {
      const caller = await agencyCaller(ctx, request);
      const { documentId } = parseWith(z.object({ documentId: z.string().min(1).max(300) }), request.params);
      const own = new Set(await callerAgencies(ctx, caller));
      const rows = await statusTimeline(ctx.db.kysely, documentId);
      // Each party sees the timelines it is part of: the issuer all, a recipient its own.
      return {
        items: rows
          .filter((r) => own.has(r.document_issuer) || own.has(r.recipient))
          .map((r) => ({
            recipient: r.recipient,
            statusCode: r.status_code,
            statusTime: r.status_time,
            receivedAt: new Date(Number(r.received_at)).toISOString(),
            packageId: r.package_id,
          })),
      };
    }),
  );

  app.get(
    "/v1/directory",
    wrap("directory", async (request) => {
      await agencyCaller(ctx, request);
      const q = parseWith(
        z.object({ level: z.coerce.number().int().min(1).max(4).optional() }),
        request.query,
      );
      const rows = await listAgencies(ctx.db.kysely, q.level ? { level: q.level } : {});
      return {
        items: rows.map((a) => ({
          code: a.code,
          code102: a.code102,
          name: a.name,
          parent: a.parent_code,
          level: a.level,
          node: a.serving_node,
          state: a.state,
          email: a.email,
          maxBytes: a.max_bytes,
          signaturePolicy: a.signature_policy,
        })),
      };
    }),
  );

  app.get(
    "/v1/stats/traffic",
    wrap("statsTraffic", async (request) => {
      await agencyCaller(ctx, request);
      const q = parseWith(periodQuery, request.query);
      return queryTraffic(ctx, {
        fromDay: q.from,
        toDay: q.to,
        groupBy: q.groupBy,
        ...(q.kind ? { kind: q.kind } : {}),
      });
    }),
  );

  app.get(
    "/v1/stats/status-compliance",
    wrap("statsCompliance", async (request) => {
      await agencyCaller(ctx, request);
      const q = parseWith(periodQuery, request.query);
      return {
        items: await queryStatusCompliance(ctx, {
          fromDay: q.from,
          toDay: q.to,
          ...(q.recipient ? { recipient: q.recipient } : {}),
        }),
        medianResolution: MEDIAN_RESOLUTION,
      };
    }),
  );

  app.get(
    "/v1/stats/backlog",
    wrap("statsBacklog", async (request) => {
      await agencyCaller(ctx, request);
      return { items: await queryBacklog(ctx) };
    }),
  );

  // ---------------------------------------------------------------- federation

  app.post(
    "/v1/federation/packages",
    { config: { streamBody: true } },
    wrap("federationReceive", async (request, reply) => {
      const caller = await nodeCaller(ctx, request);
      const h = parseWith(
        z.object({
          "x-truc-package-id": z.string().uuid(),
          "x-truc-kind": z.enum(["edoc", "status"]),
          "x-truc-origin-signature": z.enum(["valid", "invalid", "absent", "unchecked"]).optional(),
        }),
        request.headers,
      );
      const result = await acceptPackage(ctx, {
        body: streamedBody(request),
        caller,
        source: caller.nodeId,
        declaredKind: h["x-truc-kind"],
        packageId: h["x-truc-package-id"],
        ...(h["x-truc-origin-signature"] ? { originSignature: h["x-truc-origin-signature"] } : {}),
      });
      metrics.inc("axis_packages_accepted_total", "Packages accepted", {
        source: caller.nodeId,
        duplicate: String(result.duplicate),
      });
      reply.code(result.duplicate ? 200 : 201);
      return result;
    }),
  );

  // A child's evidence seals, held here as the anchor it cannot rewrite (hold-child-seal.ts).
  app.post(
    "/v1/federation/evidence-seal",
    wrap("federationSealPublish", async (request, reply) => {
      const caller = await nodeCaller(ctx, request);
      const certificate = (request.raw.socket as TLSSocket).getPeerCertificate().raw;
      const result = await holdChildSeal(ctx, { caller, certificate, seal: parseJson(request.body) });
      reply.code(result.stored ? 201 : 200);
      return result;
    }),
  );

  app.get(
    "/v1/federation/evidence-seal",
    wrap("federationSealHeld", async (request) => childSealHeld(ctx, await nodeCaller(ctx, request))),
  );

  app.get(
    "/v1/federation/directory",
    wrap("federationDirectory", async (request) => {
      const caller = await nodeCaller(ctx, request);
      const q = parseWith(z.object({ since: z.coerce.number().int().min(0).default(0) }), request.query);
      const limit = 1000;
      const rows = await directoryChangesSince(ctx.db.kysely, q.since, caller.nodeId, limit + 1);
      const page = rows.slice(0, limit);
      // The cursor advances over rows filtered out for this neighbour too: versions are this node's.
      const cursor = page.length > 0 ? Number(page.at(-1)!.version) : q.since;
      return { rows: page, cursor, more: rows.length > limit };
    }),
  );
}
