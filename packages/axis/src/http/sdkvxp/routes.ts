/**
 * The SDKVXP-compatible API (spec §4.3): the paths, header parameters and JSON envelopes the
 * official VPCP SDK uses, so existing vendor systems connect unchanged. Every request is
 * authenticated by `verifySdkvxpRequest` (HMAC headers, §4.2); routes stay thin.
 */
import { toVietnamIso } from "@truc/common";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AxisError } from "../../errors.ts";
import { findSystem, listAgencies } from "../../repositories/directory-repository.ts";
import { listSent } from "../../repositories/package-repository.ts";
import { acceptPackage } from "../../services/accept-package.ts";
import { acknowledgePackage } from "../../services/acknowledge-package.ts";
import { callerAgencies } from "../../services/caller-agencies.ts";
import { fetchPackage } from "../../services/fetch-package.ts";
import { countReceived, listReceived } from "../../services/list-received.ts";
import type { Caller, NodeContext } from "../../services/ports.ts";
import type { RefusalLog } from "../../services/record-refusal.ts";
import { deleteAgency, registerAgency } from "../../services/register-agency.ts";
import { decryptSecret } from "../../services/secrets.ts";
import { mapError } from "../error-map.ts";
import type { Metrics } from "../metrics.ts";
import {
  createReplayCache,
  SDKVXP_CALL_KINDS,
  type SdkCompatibility,
  type SdkvxpOperation,
  type VerifiedSdkvxpRequest,
  verifySdkvxpRequest,
} from "./auth.ts";
import { AxisAuthError } from "./errors.ts";
import { describeSdkvxpRefusal } from "./refusal.ts";

type Verified = VerifiedSdkvxpRequest & { caller: Caller };

const ok = (extra: Record<string, unknown> = {}) => ({
  status: "OK",
  ErrorCode: "0",
  ErrorDesc: "",
  ...extra,
});

function messageType(value: string | undefined): "edoc" | "status" | undefined {
  if (value === undefined || value === "") return undefined;
  const v = value.toLowerCase();
  if (v === "edoc" || v === "status") return v;
  throw new AxisError("AXIS_REQUEST_INVALID", { reason: `messagetype ${value}` });
}

/** Dates from vendor clients: dd/MM/yyyy[ HH:mm:ss], yyyy/MM/dd, yyyy-MM-dd or ISO; Vietnam time. */
export function parseSdkDate(text: string | undefined, endOfDay = false): Date | undefined {
  if (!text) return undefined;
  const t = text.trim();
  let m = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  let parts: number[] | undefined;
  if (m)
    parts = [
      Number(m[3]),
      Number(m[2]),
      Number(m[1]),
      ...(m[4] ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : []),
    ];
  m = parts ? null : /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (m)
    parts = [
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      ...(m[4] ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : []),
    ];
  if (!parts) {
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) throw new AxisError("AXIS_REQUEST_INVALID", { reason: `date ${text}` });
    return d;
  }
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number?, number?, number?];
  const hasTime = h !== undefined;
  return new Date(
    Date.UTC(
      y,
      mo - 1,
      d,
      hasTime ? h : endOfDay ? 23 : 0,
      hasTime ? mi! : endOfDay ? 59 : 0,
      hasTime ? s! : endOfDay ? 59 : 0,
    ) -
      7 * 3600_000,
  );
}

const registerBody = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  pcode: z.string().optional().nullable(),
  code: z.string().min(1),
  code102: z.string().optional().nullable(),
  name: z.string().min(1).max(500),
  mail: z.string().max(200).optional().nullable(),
  mobile: z.string().max(50).optional().nullable(),
  fax: z.string().max(50).optional().nullable(),
});

interface SystemSettings {
  secret: string;
  agencyCodes: string[];
  sdkCompatibility: SdkCompatibility;
  timestampUtcOffsetMinutes?: number;
}

/** A header as a string for the operator's log (first value; unverified). */
function claimedHeader(request: FastifyRequest, name: string): string | null {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? null : s;
}

export function registerSdkvxpRoutes(
  app: FastifyInstance,
  ctx: NodeContext,
  metrics: Metrics,
  refusals?: RefusalLog,
): void {
  const replay = createReplayCache();
  const sdk = ctx.config.sdkvxp;
  const lookup = async (systemId: string): Promise<SystemSettings | undefined> => {
    const row = await findSystem(ctx.db.kysely, systemId);
    if (!row?.secret_enc) return undefined;
    return {
      secret: decryptSecret(ctx.config.masterKey, row.system_id, row.secret_enc),
      agencyCodes: JSON.parse(row.agency_codes) as string[],
      sdkCompatibility: row.sdk_compatibility === "legacy-sdk" ? "legacy-sdk" : "strict",
      ...(row.timestamp_utc_offset_minutes !== null
        ? { timestampUtcOffsetMinutes: Number(row.timestamp_utc_offset_minutes) }
        : {}),
    };
  };

  const authenticate = async (
    request: FastifyRequest,
    op: SdkvxpOperation,
    withBody: boolean,
    seen: { settings?: SystemSettings },
  ): Promise<Verified> => {
    const verified = await verifySdkvxpRequest({
      headers: request.headers,
      ...(withBody ? { body: (request.body as Buffer | undefined) ?? Buffer.alloc(0) } : {}),
      now: ctx.clock.now(),
      lookup: async (systemId) => {
        const settings = await lookup(systemId);
        if (settings) seen.settings = settings;
        return settings;
      },
      replay,
      callKind: SDKVXP_CALL_KINDS[op],
      maxSkewMs: sdk.maxSkewMs,
      legacyMaxAgeMs: sdk.legacyMaxAgeMs,
      timestampUtcOffsetMinutes: sdk.timestampUtcOffset,
    });
    return {
      ...verified,
      caller: { type: "agency", id: verified.systemId, agencyCodes: verified.agencyCodes },
    };
  };

  /** Authentication refusals never reach the pipeline's intake log: record them here. */
  const logRefusal = async (
    request: FastifyRequest,
    error: unknown,
    settings: SystemSettings | undefined,
  ) => {
    if (!refusals || !AxisAuthError.is(error)) return;
    const claimed = {
      systemId: claimedHeader(request, "xroadvnpt-systemid"),
      from: claimedHeader(request, "xroadvnpt-from"),
    };
    const text = describeSdkvxpRefusal(
      error.code,
      (error.details ?? {}) as Record<string, unknown>,
      claimed,
      {
        maxSkewMs: sdk.maxSkewMs,
        offsetMinutes: settings?.timestampUtcOffsetMinutes ?? sdk.timestampUtcOffset,
        ...(settings ? { agencyCodes: settings.agencyCodes } : {}),
      },
    );
    await refusals.record({
      source: "sdkvxp",
      caller: claimed.systemId,
      sender: claimed.from,
      code: error.code,
      message: { vi: error.messageVi, en: error.messageEn },
      ...(text ? { diagnostic: { code: error.code, ...text } } : {}),
    });
  };

  const handle =
    (
      op: SdkvxpOperation,
      withBody: boolean,
      fn: (v: Verified, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const seen: { settings?: SystemSettings } = {};
      try {
        let v: Verified;
        try {
          v = await authenticate(request, op, withBody, seen);
        } catch (error) {
          await logRefusal(request, error, seen.settings);
          throw error;
        }
        const result = await fn(v, request, reply);
        metrics.inc("axis_sdkvxp_requests_total", "SDKVXP requests by operation and outcome", {
          op,
          outcome: "ok",
        });
        return result;
      } catch (error) {
        const mapped = mapError(error);
        metrics.inc("axis_sdkvxp_requests_total", "SDKVXP requests by operation and outcome", {
          op,
          outcome: mapped.code,
        });
        if (mapped.status >= 500) request.log.error({ err: error, op }, "sdkvxp request failed");
        // The SDK reads the envelope; the HTTP status says the same thing for proxies and logs.
        reply.code(mapped.status);
        const diagnostic = (mapped.details as { diagnostic?: unknown } | undefined)?.diagnostic;
        return {
          status: "FAIL",
          ErrorCode: mapped.code,
          ErrorDesc: mapped.message.vi,
          ErrorDescEn: mapped.message.en,
          ...(diagnostic ? { Diagnostic: diagnostic } : {}),
        };
      }
    };

  app.post(
    "/sendEdoc",
    // The SDK sends the whole file in one body: it is buffered, so its size is bounded here.
    { bodyLimit: ctx.config.limits.sdkvxpMaxBytes },
    handle("sendEdoc", true, async (v) => {
      let to: unknown;
      try {
        to = v.params.to ? (JSON.parse(v.params.to) as unknown) : undefined;
      } catch {
        throw new AxisError("AXIS_REQUEST_INVALID", { reason: "to is not a JSON array" });
      }
      const extraRecipients = Array.isArray(to) ? to.filter((x): x is string => typeof x === "string") : [];
      const result = await acceptPackage(ctx, {
        body: v.packageBytes ?? Buffer.alloc(0),
        source: "sdkvxp",
        caller: v.caller,
        declaredKind: messageType(v.params.messagetype) ?? "edoc",
        extraRecipients,
      });
      return ok({ DocId: result.packageId, duplicate: result.duplicate });
    }),
  );

  app.post(
    "/getReceivedEdocList",
    handle("getReceivedEdocList", false, async (v) => {
      const kind = messageType(v.params.messagetype);
      const from = parseSdkDate(v.params.fromDate);
      const to = parseSdkDate(v.params.toDate, true);
      const items = await listReceived(ctx, {
        caller: v.caller,
        ...(kind ? { kind } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      return ok({
        data: items.map((i) => ({
          docId: i.packageId,
          serviceType: "eDoc",
          messageType: i.kind,
          created_time: toVietnamIso(new Date(i.createdAt)),
          updated_time: toVietnamIso(new Date(i.createdAt)),
          from: i.sender,
          to: i.recipient,
          status: "initial",
          status_desc: i.leaseUntil > 0 ? "offered again (lease expired)" : "new",
          contentSha256: i.fwdSha256,
          contentLength: i.fwdSize,
        })),
      });
    }),
  );

  app.post(
    "/getEdoc",
    handle("getEdoc", false, async (v) => {
      const docId = v.params.docId;
      if (!docId) throw new AxisError("AXIS_REQUEST_INVALID", { reason: "docId" });
      const pkg = await fetchPackage(ctx, { caller: v.caller, packageId: docId });
      return ok({ data: (await pkg.read()).toString("base64") });
    }),
  );

  app.get(
    "/downloadEdoc",
    handle("downloadEdoc", false, async (v, _request, reply) => {
      const docId = v.params.docId;
      if (!docId) throw new AxisError("AXIS_REQUEST_INVALID", { reason: "docId" });
      const pkg = await fetchPackage(ctx, { caller: v.caller, packageId: docId });
      reply
        .header("content-type", "application/octet-stream")
        .header("content-length", String(pkg.size))
        .header("content-disposition", `attachment; filename="${pkg.packageId}.edxml"`);
      return reply.send(await pkg.open());
    }),
  );

  app.post(
    "/updateStatus",
    handle("updateStatus", false, async (v) => {
      const docId = v.params.docId;
      if (!docId) throw new AxisError("AXIS_REQUEST_INVALID", { reason: "docId" });
      await acknowledgePackage(ctx, {
        caller: v.caller,
        packageId: docId,
        status: (v.params.status ?? "").toLowerCase(),
        ...(v.params.description ? { note: v.params.description } : {}),
      });
      return ok();
    }),
  );

  app.post(
    "/getSentEdocList",
    handle("getSentEdocList", false, async (v) => {
      const senders = await callerAgencies(ctx, v.caller);
      const kind = messageType(v.params.messagetype);
      const from = parseSdkDate(v.params.fromDate);
      const to = parseSdkDate(v.params.toDate, true);
      const rows = await listSent(ctx.db.kysely, {
        senders,
        ...(kind ? { kind } : {}),
        ...(v.params.docId ? { documentId: v.params.docId } : {}),
        ...(from ? { from: from.getTime() } : {}),
        ...(to ? { to: to.getTime() } : {}),
        limit: 1000,
      });
      return ok({
        data: rows.map((r) => {
          const receive =
            r.hop === "local"
              ? (r.deliveryState ?? "pending")
              : r.outboxState === "sent"
                ? "forwarded"
                : "pending";
          return {
            serviceType: "eDoc",
            senderDocId: r.documentId,
            receiverDocId: r.id,
            fromCode: r.sender,
            toCode: r.recipient,
            title: r.subject,
            notation: r.notation,
            messageType: r.kind,
            sentTime: toVietnamIso(new Date(Number(r.receivedAt))),
            receivedTime: r.ackedAt ? toVietnamIso(new Date(Number(r.ackedAt))) : null,
            sendStatus: "done",
            sendStatusDesc: "accepted",
            receiveStatus: receive,
            receiveStatusDesc: r.hop === "local" ? "local mailbox" : `via ${r.hop}`,
          };
        }),
      });
    }),
  );

  for (const [path, kind] of [
    ["/countReceiveEdoc", "edoc"],
    ["/countReceiveStatus", "status"],
  ] as const) {
    const handler = handle(path.slice(1) as SdkvxpOperation, false, async (v) => ({
      ...ok(),
      count: await countReceived(ctx, { caller: v.caller, kind }),
    }));
    app.get(path, handler);
    app.post(path, handler);
  }

  app.post(
    "/getAgenciesList",
    handle("getAgenciesList", false, async () => {
      const rows = await listAgencies(ctx.db.kysely);
      return ok({
        data: rows.map((a) => ({
          id: a.code,
          code: a.code,
          name: a.name,
          mail: a.email,
          pid: a.parent_code,
          oldCode: a.code102,
        })),
      });
    }),
  );

  app.post(
    "/getAgenciesListQD20",
    handle("getAgenciesListQD20", false, async (v) => {
      const level = v.params.level ? Number(v.params.level) : undefined;
      const rows = await listAgencies(
        ctx.db.kysely,
        level !== undefined && Number.isInteger(level) ? { level } : {},
      );
      return ok({
        data: rows.map((a) => ({
          id: a.code,
          code: a.code,
          name: a.name,
          mail: a.email,
          code102: a.code102,
        })),
      });
    }),
  );

  app.post(
    "/getSynchronizeUnit",
    handle("getSynchronizeUnit", false, async () => {
      const rows = await listAgencies(ctx.db.kysely, { includeDeleted: true });
      return ok({
        data: rows.map((a) => ({
          id: a.code,
          pid: a.parent_code,
          code: a.code,
          name: a.name,
          mail: a.email,
          centerCode: a.serving_node,
          version: a.version,
          deleted: a.deleted === 1,
          modifyDate: toVietnamIso(new Date(Number(a.modified_at))),
          isAgency: true,
        })),
      });
    }),
  );

  app.post(
    "/registerAgency",
    handle("registerAgency", false, async (v, request) => {
      const text = (request.body as Buffer | undefined)?.toString("utf8") ?? "";
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AxisError("AXIS_REQUEST_INVALID", { reason: "body is not JSON" });
      }
      const parsed = registerBody.safeParse(json);
      if (!parsed.success)
        throw new AxisError("AXIS_REQUEST_INVALID", {
          reason: parsed.error.issues.map((i) => i.path.join(".")).join(", "),
        });
      const b = parsed.data;
      const row = await registerAgency(ctx, {
        caller: v.caller,
        code: b.code,
        code102: b.code102 ?? null,
        name: b.name,
        parentCode: b.pcode ?? null,
        email: b.mail ?? null,
        phone: b.mobile ?? null,
        fax: b.fax ?? null,
      });
      return ok({ data: { id: row.code, code: row.code, version: row.version } });
    }),
  );

  app.post(
    "/deleteAgency",
    handle("deleteAgency", false, async (v) => {
      const code = v.params.AgencyCode ?? v.params.agencyCode;
      if (!code) throw new AxisError("AXIS_REQUEST_INVALID", { reason: "AgencyCode" });
      await deleteAgency(ctx, { caller: v.caller, code });
      return ok();
    }),
  );
}
