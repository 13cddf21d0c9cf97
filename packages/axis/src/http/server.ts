/**
 * Builds the Fastify application: one listener for the SDKVXP facade (HMAC), the native API
 * and federation (mutual TLS: client certificates are requested but optional at the
 * handshake, and each route decides), and the operations endpoints.
 */
import { isStorageFull, STORE_ERRORS } from "@truc/store";
import Fastify, { type FastifyInstance } from "fastify";
import type { PeerTransport } from "../services/peer-transport.ts";
import type { NodeContext } from "../services/ports.ts";
import { createRefusalLog, type RefusalLog } from "../services/record-refusal.ts";
import { registerAdminRoutes } from "./admin/routes.ts";
import { clientFingerprint, refuseRenegotiation } from "./identify.ts";
import type { Metrics } from "./metrics.ts";
import { registerNativeRoutes } from "./native/routes.ts";
import { registerOpsRoutes } from "./ops-routes.ts";
import { registerPublicRoutes } from "./public/routes.ts";
import { registerWebUi } from "./public/static-ui.ts";
import { describeCertificateRefusal } from "./sdkvxp/refusal.ts";
import { registerSdkvxpRoutes } from "./sdkvxp/routes.ts";

function tooLarge(): Error {
  return Object.assign(new Error("request body too large"), {
    code: "FST_ERR_CTP_BODY_TOO_LARGE",
    statusCode: 413,
  });
}

export function buildServer(
  ctx: NodeContext,
  metrics: Metrics,
  state: { ready(): boolean; transport?: PeerTransport | undefined },
): FastifyInstance {
  const { config } = ctx;
  const app = Fastify({
    ...(config.tls
      ? {
          https: {
            cert: config.tls.cert,
            key: config.tls.key,
            ...(config.tls.ca.length > 0 ? { ca: [...config.tls.ca] } : {}),
            requestCert: true,
            rejectUnauthorized: false,
          },
        }
      : {}),
    logger:
      config.logLevel === "silent"
        ? false
        : {
            level: config.logLevel,
            // Never log authentication material.
            redact: [
              "req.headers.authorization",
              'req.headers["xroadvnpt-hash-header"]',
              'req.headers["xroadvnpt-sign-header"]',
            ],
          },
    bodyLimit: config.limits.sdkvxpMaxBytes + 4096,
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.requestTimeoutMs,
    // On close: drop idle keep-alive connections, wait for requests in flight.
    forceCloseConnections: "idle",
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  if (config.tls) app.server.on("secureConnection", refuseRenegotiation);

  // Every body is taken as bytes: packages are hashed and verified over the exact bytes
  // received, and the few JSON bodies are parsed by their routes. Routes marked
  // `config.streamBody` (native upload, federation) get the request stream itself, so a large
  // package is never buffered; every other body is read up to the route's `bodyLimit`.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, payload, done) => {
    const routeConfig = request.routeOptions.config as { streamBody?: boolean } | undefined;
    if (routeConfig?.streamBody) {
      done(null, payload);
      return;
    }
    const limit = request.routeOptions.bodyLimit ?? config.limits.sdkvxpMaxBytes;
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (declared > limit) {
      done(tooLarge(), undefined);
      payload.resume();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let finished = false;
    payload.on("data", (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > limit) {
        finished = true;
        done(tooLarge(), undefined);
        return;
      }
      parts.push(chunk);
    });
    payload.on("end", () => {
      if (finished) return;
      finished = true;
      done(null, Buffer.concat(parts));
    });
    payload.on("error", (error) => {
      if (finished) return;
      finished = true;
      done(error, undefined);
    });
  });

  app.setErrorHandler(async (error, request, reply) => {
    const code = (error as { code?: string }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      reply.code(413);
      return {
        status: "FAIL",
        ErrorCode: "AXIS_PACKAGE_TOO_LARGE",
        code: "AXIS_PACKAGE_TOO_LARGE",
        message: { vi: "Gói tin vượt quá kích thước cho phép.", en: "The package exceeds the size limit." },
      };
    }
    if (isStorageFull(error)) {
      request.log.error({ err: error }, "storage full");
      reply.code(507);
      return {
        status: "FAIL",
        ErrorCode: "STORE_FULL",
        code: "STORE_FULL",
        message: { ...STORE_ERRORS.STORE_FULL },
      };
    }
    request.log.error({ err: error }, "unhandled error");
    reply.code((error as { statusCode?: number }).statusCode ?? 500);
    return { status: "FAIL", ErrorCode: "AXIS_INTERNAL", code: "AXIS_INTERNAL" };
  });

  const refusals = createRefusalLog(ctx);
  app.addHook("onClose", async () => refusals.flush());
  logCertificateRefusals(app, refusals);

  registerOpsRoutes(app, ctx, metrics, state);
  registerSdkvxpRoutes(app, ctx, metrics, refusals);
  registerNativeRoutes(app, ctx, metrics);
  registerAdminRoutes(app, ctx, { refusals, transport: state.transport });
  registerPublicRoutes(app, ctx);
  registerWebUi(app);
  return app;
}

const CERTIFICATE_REFUSALS = new Set([
  "AXIS_AUTH_CERT_MISSING",
  "AXIS_AUTH_CERT_UNKNOWN",
  "AXIS_AUTH_CERT_UNTRUSTED",
  "AXIS_AUTH_CERT_EXPIRED",
  "AXIS_AUTH_CERT_REVOKED",
  "AXIS_AUTH_CERT_REVOCATION_UNKNOWN",
  "AXIS_AUTH_CERT_KIND",
  "AXIS_PEER_UNKNOWN",
]);

/**
 * Native and federation calls refused because the client certificate is missing, bound to
 * nobody or not trusted never reach the pipeline: record them for the console. The routes answer
 * `{code, message}`; only small 401/403 answers under /v1/ are looked at.
 */
function logCertificateRefusals(app: FastifyInstance, refusals: RefusalLog): void {
  app.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode !== 401 && reply.statusCode !== 403) return payload;
    if (!request.url.startsWith("/v1/") || typeof payload !== "string" || payload.length > 4096)
      return payload;
    let code: unknown;
    try {
      code = (JSON.parse(payload) as { code?: unknown }).code;
    } catch {
      return payload;
    }
    if (typeof code !== "string" || !CERTIFICATE_REFUSALS.has(code)) return payload;
    const fingerprint = clientFingerprint(request) ?? null;
    const text = describeCertificateRefusal(code, fingerprint);
    const message = (JSON.parse(payload) as { message?: { vi?: string; en?: string } }).message;
    await refusals.record({
      source: request.url.startsWith("/v1/federation/") ? "federation" : "native",
      caller: fingerprint ? `cert:${fingerprint}` : null,
      sender: null,
      code,
      message: { vi: message?.vi ?? code, en: message?.en ?? code },
      ...(text ? { diagnostic: { code, ...text } } : {}),
    });
    return payload;
  });
}
