/**
 * The operator console API under /admin/api (cookie session + CSRF, see auth.ts): directory
 * management, connected systems and their secrets, certificates, queues, failures explained,
 * federation health, evidence-log verification and the statistics dashboard. Routes parse,
 * authorise, call a service or a read-only query, and map the result.
 */
import { randomBytes, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { sdkCompatibility, utcOffset } from "../../config.ts";
import { isAgencyCode, normaliseAgencyCode } from "../../domain/agency.ts";
import { parseAnchorLine } from "../../domain/evidence-anchor.ts";
import { AxisError } from "../../errors.ts";
import {
  ADMIN_MIGRATIONS,
  type AdminDb,
  countOperators,
  countRefusedSince,
  evidenceCount,
  failedDeliveries,
  failingOutbox,
  filterAgencies,
  lastErrorPerNeighbour,
  listPeerCerts,
  listSystems,
  neighbourActivity,
  outboxByNeighbour,
} from "../../repositories/admin-repository.ts";
import { listChildSeals } from "../../repositories/child-seal-repository.ts";
import { findAgency, listNodes, upsertSystem } from "../../repositories/directory-repository.ts";
import { appendEvidence } from "../../repositories/evidence-repository.ts";
import { listIntake } from "../../repositories/intake-repository.ts";
import { mailboxBacklog } from "../../repositories/stats-repository.ts";
import type { PeerTransport } from "../../services/peer-transport.ts";
import type { NodeContext } from "../../services/ports.ts";
import type { RefusalLog } from "../../services/record-refusal.ts";
import { registerAgency } from "../../services/register-agency.ts";
import { encryptSecret } from "../../services/secrets.ts";
import { evidenceReportError } from "../../services/verify-evidence-log.ts";
import { verifyNodeEvidence } from "../../services/verify-node-evidence.ts";
import { mapError } from "../error-map.ts";
import { formatUtcOffset } from "../sdkvxp/auth.ts";
import { createOperator, RateLimiter, SessionManager } from "./auth.ts";
import { ADMIN_HTTP_STATUS, AdminError } from "./errors.ts";
import { explainFailure } from "./explain.ts";
import { observeClientCertificates } from "./observe.ts";
import { buildDashboard, dashboardCsv, defaultPeriod } from "./stats.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const agencyCode = z
  .string()
  .trim()
  .transform(normaliseAgencyCode)
  .refine(isAgencyCode, "agency identifier (QĐ 20 or QCVN 102 form)");

export const statsQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  province: agencyCode.optional(),
  agency: agencyCode.optional(),
});

export function parseJson(body: unknown): unknown {
  if (Buffer.isBuffer(body)) {
    try {
      return JSON.parse(body.toString("utf8"));
    } catch {
      throw new AxisError("AXIS_REQUEST_INVALID", { reason: "body is not JSON" });
    }
  }
  return body ?? {};
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AxisError("AXIS_REQUEST_INVALID", {
      reason: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    });
  return r.data;
}

/** Maps any error to the JSON error body of the console and public APIs. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (AdminError.is(error)) {
    reply.code(ADMIN_HTTP_STATUS[error.code]);
    if (error.code === "AXIS_ADMIN_RATE_LIMITED")
      reply.header("retry-after", String((error.details as { seconds: number }).seconds));
    return { code: error.code, message: { vi: error.messageVi, en: error.messageEn } };
  }
  const mapped = mapError(error);
  if (mapped.status >= 500) request.log.error({ err: error }, "console request failed");
  reply.code(mapped.status);
  return {
    code: mapped.code,
    message: mapped.message,
    ...(mapped.details ? { details: mapped.details } : {}),
  };
}

function certificateInfo(pem: string) {
  const cert = new X509Certificate(pem);
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    fingerprint: cert.fingerprint256.replace(/:/g, "").toLowerCase(),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
  };
}

const agencyJson = (a: {
  code: string;
  code102: string | null;
  name: string;
  parent_code: string | null;
  level: number;
  serving_node: string;
  state: string;
  email: string | null;
  phone: string | null;
  signature_policy: string | null;
  max_bytes: number | null;
  modified_at: number;
}) => ({
  code: a.code,
  code102: a.code102,
  name: a.name,
  parent: a.parent_code,
  level: Number(a.level),
  node: a.serving_node,
  state: a.state,
  email: a.email,
  phone: a.phone,
  signaturePolicy: a.signature_policy,
  maxBytes: a.max_bytes === null ? null : Number(a.max_bytes),
  modifiedAt: new Date(Number(a.modified_at)).toISOString(),
});

/** Folds case and Vietnamese diacritics: "Sở Y tế" and "so y te" match. */
export function foldText(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase();
}

export function registerAdminRoutes(
  app: FastifyInstance,
  ctx: NodeContext,
  options: { refusals?: RefusalLog; transport?: PeerTransport | undefined } = {},
): void {
  const db = ctx.db.kysely as unknown as AdminDb;
  const now = () => ctx.clock.now().getTime();
  let ready = false;
  const sessions = new SessionManager(db, now, Boolean(ctx.config.tls));
  const loginLimiter = new RateLimiter(20, 10 * 60_000, now);

  // The console's tables come with their own migration; the first start without any operator
  // writes a one-time password for "admin" into the data directory (mode 0600).
  app.addHook("onReady", async () => {
    const { migrate } = await import("@truc/store");
    await migrate(ctx.db, ADMIN_MIGRATIONS);
    if ((await countOperators(db)) === 0) {
      const password = randomBytes(18).toString("base64url");
      await createOperator(db, { username: "admin", password, displayName: "Quản trị nút", now: now() });
      const file = join(ctx.config.dataDir, "admin-initial-password.txt");
      writeFileSync(file, `admin\n${password}\n`, { mode: 0o600 });
      app.log.warn({ file }, "operator account 'admin' created; its password is in this file");
    }
    ready = true;
  });
  observeClientCertificates(app, () => (ready ? db : undefined), now);

  const route =
    (
      mutation: boolean,
      fn: (request: FastifyRequest, reply: FastifyReply, operator: { username: string }) => Promise<unknown>,
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header("cache-control", "no-store");
      try {
        const operator = await sessions.require(request, { mutation });
        return await fn(request, reply, operator);
      } catch (error) {
        return sendError(request, reply, error);
      }
    };

  // ---------------------------------------------------------------- session

  app.post("/admin/api/login", async (request, reply) => {
    reply.header("cache-control", "no-store");
    try {
      // JSON only: a cross-site form cannot post JSON without a CORS preflight.
      if (!String(request.headers["content-type"] ?? "").startsWith("application/json"))
        throw new AxisError("AXIS_REQUEST_INVALID", { reason: "content-type must be application/json" });
      loginLimiter.hit(request.ip);
      const body = parseWith(
        z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
        parseJson(request.body),
      );
      const operator = await sessions.login(body.username, body.password, reply);
      return {
        username: operator.username,
        displayName: operator.displayName,
        expiresAt: new Date(operator.expiresAt).toISOString(),
      };
    } catch (error) {
      return sendError(request, reply, error);
    }
  });

  app.post("/admin/api/logout", async (request, reply) => {
    try {
      await sessions.require(request, { mutation: true });
      await sessions.logout(request, reply);
      return { ok: true };
    } catch (error) {
      return sendError(request, reply, error);
    }
  });

  app.get(
    "/admin/api/me",
    route(false, async (request) => {
      const op = await sessions.require(request, { mutation: false });
      return {
        username: op.username,
        displayName: op.displayName,
        expiresAt: new Date(op.expiresAt).toISOString(),
      };
    }),
  );

  // ---------------------------------------------------------------- overview

  app.get(
    "/admin/api/overview",
    route(false, async () => {
      await options.refusals?.flush();
      const [agencies, systems, backlog, outbox, refused, evidence, nodes] = await Promise.all([
        filterAgencies(db, {}),
        listSystems(db),
        mailboxBacklog(ctx.db.kysely),
        outboxByNeighbour(db),
        countRefusedSince(db, now() - 86_400_000),
        evidenceCount(db),
        listNodes(ctx.db.kysely),
      ]);
      return {
        node: {
          nodeId: ctx.config.nodeId,
          role: ctx.config.role,
          organId: ctx.config.organId,
          tls: Boolean(ctx.config.tls),
          dialect: ctx.db.dialect,
        },
        agencies: {
          total: agencies.length,
          local: agencies.filter((a) => a.serving_node === ctx.config.nodeId).length,
          suspended: agencies.filter((a) => a.state === "suspended").length,
        },
        systems: systems.length,
        mailboxPending: backlog.reduce((a, b) => a + b.pending, 0),
        outboxPending: outbox.reduce((a, b) => a + b.pending, 0),
        refusedLast24h: refused,
        evidenceRecords: evidence,
        neighbours: nodes.filter((n) => n.relation !== "self").length,
      };
    }),
  );

  // ---------------------------------------------------------------- directory

  app.get(
    "/admin/api/agencies",
    route(false, async (request) => {
      const q = parseWith(
        z.object({
          q: z.string().max(200).optional(),
          level: z.coerce.number().int().min(1).max(4).optional(),
          parent: z.string().max(40).optional(),
          node: z.string().max(64).optional(),
          state: z.enum(["active", "suspended"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        request.query,
      );
      let rows = await filterAgencies(db, {
        ...(q.level ? { level: q.level } : {}),
        ...(q.parent ? { parent: normaliseAgencyCode(q.parent) } : {}),
        ...(q.node ? { node: q.node } : {}),
        ...(q.state ? { state: q.state } : {}),
      });
      if (q.q?.trim()) {
        const text = foldText(q.q.trim());
        const code = normaliseAgencyCode(q.q);
        rows = rows.filter(
          (a) =>
            a.code.startsWith(code) || (a.code102 ?? "").startsWith(code) || foldText(a.name).includes(text),
        );
      }
      return {
        total: rows.length,
        items: rows.slice(q.offset, q.offset + q.limit).map((a) => ({
          ...agencyJson(a),
          local: a.serving_node === ctx.config.nodeId,
        })),
      };
    }),
  );

  app.get(
    "/admin/api/agencies/:code",
    route(false, async (request) => {
      const { code } = parseWith(z.object({ code: z.string().min(1).max(40) }), request.params);
      const row = await findAgency(ctx.db.kysely, normaliseAgencyCode(code));
      if (!row || row.deleted === 1) throw new AxisError("AXIS_AGENCY_NOT_FOUND", { code });
      const [children, systems, backlog] = await Promise.all([
        filterAgencies(db, { parent: row.code }),
        listSystems(db),
        mailboxBacklog(ctx.db.kysely),
      ]);
      const codes = new Set([row.code, ...(row.code102 ? [row.code102] : [])]);
      return {
        agency: { ...agencyJson(row), local: row.serving_node === ctx.config.nodeId },
        children: children.map(agencyJson),
        systems: systems
          .filter((s) => (JSON.parse(s.agency_codes) as string[]).some((c) => codes.has(c)))
          .map((s) => ({
            systemId: s.system_id,
            certFingerprint: s.cert_fingerprint,
            hasSecret: !!s.secret_enc,
          })),
        backlog: backlog
          .filter((b) => codes.has(b.recipient))
          .map((b) => ({ kind: b.kind, pending: b.pending, oldest: new Date(b.oldest).toISOString() })),
      };
    }),
  );

  const agencyBody = z.object({
    code: agencyCode,
    code102: agencyCode.nullable().optional(),
    name: z.string().trim().min(2).max(300),
    parentCode: agencyCode.nullable().optional(),
    level: z.number().int().min(1).max(4).optional(),
    email: z.email().max(200).nullable().optional(),
    phone: z.string().max(40).nullable().optional(),
  });

  app.post(
    "/admin/api/agencies",
    route(true, async (request, reply, op) => {
      const body = parseWith(agencyBody, parseJson(request.body));
      if (body.parentCode) {
        const parent = await findAgency(ctx.db.kysely, body.parentCode);
        if (!parent || parent.deleted === 1)
          throw new AxisError("AXIS_AGENCY_NOT_FOUND", { code: body.parentCode });
      }
      const row = await registerAgency(ctx, {
        caller: { type: "operator", id: op.username },
        code: body.code,
        name: body.name,
        ...(body.code102 !== undefined ? { code102: body.code102 } : {}),
        ...(body.parentCode !== undefined ? { parentCode: body.parentCode } : {}),
        ...(body.level !== undefined ? { level: body.level } : {}),
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.phone !== undefined ? { phone: body.phone } : {}),
      });
      reply.code(201);
      return { agency: agencyJson(row) };
    }),
  );

  app.post(
    "/admin/api/agencies/:code/state",
    route(true, async (request, _reply, op) => {
      const { code } = parseWith(z.object({ code: z.string().min(1).max(40) }), request.params);
      const { state } = parseWith(
        z.object({ state: z.enum(["active", "suspended"]) }),
        parseJson(request.body),
      );
      const row = await findAgency(ctx.db.kysely, normaliseAgencyCode(code));
      if (!row || row.deleted === 1) throw new AxisError("AXIS_AGENCY_NOT_FOUND", { code });
      const updated = await registerAgency(ctx, {
        caller: { type: "operator", id: op.username },
        code: row.code,
        code102: row.code102,
        name: row.name,
        parentCode: row.parent_code,
        level: Number(row.level),
        email: row.email,
        phone: row.phone,
        fax: row.fax,
        state,
        signaturePolicy: row.signature_policy as "require" | "verify-if-present" | "off" | null,
        maxBytes: row.max_bytes === null ? null : Number(row.max_bytes),
      });
      return { agency: agencyJson(updated) };
    }),
  );

  // ---------------------------------------------------------------- systems

  app.get(
    "/admin/api/systems",
    route(false, async () => ({
      items: (await listSystems(db)).map((s) => ({
        systemId: s.system_id,
        agencyCodes: JSON.parse(s.agency_codes) as string[],
        certFingerprint: s.cert_fingerprint,
        hasSecret: !!s.secret_enc,
        createdAt: new Date(Number(s.created_at)).toISOString(),
        sdkCompatibility: s.sdk_compatibility,
        /** null: the node's default (`sdkvxp.timestampUtcOffset`). */
        timestampUtcOffset:
          s.timestamp_utc_offset_minutes === null
            ? null
            : formatUtcOffset(Number(s.timestamp_utc_offset_minutes)),
      })),
      defaults: {
        sdkCompatibility: "strict",
        timestampUtcOffset: formatUtcOffset(ctx.config.sdkvxp.timestampUtcOffset),
        maxSkewMs: ctx.config.sdkvxp.maxSkewMs,
        legacyMaxAgeMs: ctx.config.sdkvxp.legacyMaxAgeMs,
      },
    })),
  );

  app.post(
    "/admin/api/systems",
    route(true, async (request, reply, op) => {
      const body = parseWith(
        z.object({
          systemId: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/, "letters, digits, . _ -"),
          agencyCodes: z.array(agencyCode).min(1).max(1000),
          certFingerprint: z
            .string()
            .transform((s) => s.replace(/:/g, "").trim().toLowerCase())
            .pipe(z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 fingerprint: 64 hex digits"))
            .optional(),
          issueSecret: z.boolean().default(true),
          /** SDKVXP timestamp policy; unchanged when absent (new systems: "strict"). */
          sdkCompatibility: sdkCompatibility.optional(),
          /** "+07:00"; null: back to the node's default; unchanged when absent. */
          timestampUtcOffset: utcOffset.nullable().optional(),
        }),
        parseJson(request.body),
      );
      // Stored in the QĐ 20 form whichever form was typed, so lookups have one form to match.
      const agencyCodes: string[] = [];
      for (const code of body.agencyCodes) {
        const a = await findAgency(ctx.db.kysely, code);
        if (!a || a.deleted === 1) throw new AxisError("AXIS_AGENCY_NOT_FOUND", { code });
        if (a.serving_node !== ctx.config.nodeId) throw new AxisError("AXIS_AGENCY_NOT_LOCAL", { code });
        if (!agencyCodes.includes(a.code)) agencyCodes.push(a.code);
      }
      const existing = (await listSystems(db)).find((s) => s.system_id === body.systemId);
      // An update may keep the credentials it has (e.g. to change only the SDKVXP settings).
      if (!body.issueSecret && !body.certFingerprint && !existing?.secret_enc && !existing?.cert_fingerprint)
        throw new AdminError("AXIS_ADMIN_SYSTEM_INVALID", {
          reason: "a secret or a certificate fingerprint",
        });
      // Shown once, in this answer; only its encryption is stored.
      const secret = body.issueSecret ? randomBytes(24).toString("base64url") : undefined;
      const at = ctx.clock.now();
      await ctx.db.transaction(async (trx) => {
        await upsertSystem(trx, {
          system_id: body.systemId,
          secret_enc: secret
            ? encryptSecret(ctx.config.masterKey, body.systemId, secret)
            : (existing?.secret_enc ?? null),
          cert_fingerprint: body.certFingerprint ?? existing?.cert_fingerprint ?? null,
          agency_codes: JSON.stringify(agencyCodes),
          created_at: existing ? Number(existing.created_at) : at.getTime(),
          ...(body.sdkCompatibility !== undefined ? { sdk_compatibility: body.sdkCompatibility } : {}),
          ...(body.timestampUtcOffset !== undefined
            ? { timestamp_utc_offset_minutes: body.timestampUtcOffset }
            : {}),
        });
        await appendEvidence(trx, ctx.db.dialect, {
          at,
          kind: "directory",
          nodeId: ctx.config.nodeId,
          packageId: null,
          actor: op.username,
          details: {
            op: existing ? "system-update" : "system-create",
            systemId: body.systemId,
            agencyCodes,
            certFingerprint: body.certFingerprint ?? null,
            secretIssued: Boolean(secret),
            ...(body.sdkCompatibility !== undefined ? { sdkCompatibility: body.sdkCompatibility } : {}),
            ...(body.timestampUtcOffset !== undefined
              ? { timestampUtcOffsetMinutes: body.timestampUtcOffset }
              : {}),
          },
        });
      });
      reply.code(existing ? 200 : 201);
      const saved = (await listSystems(db)).find((s) => s.system_id === body.systemId);
      return {
        systemId: body.systemId,
        agencyCodes,
        sdkCompatibility: saved?.sdk_compatibility ?? "strict",
        timestampUtcOffset:
          saved?.timestamp_utc_offset_minutes == null
            ? null
            : formatUtcOffset(Number(saved.timestamp_utc_offset_minutes)),
        ...(secret ? { secret } : {}),
      };
    }),
  );

  // ---------------------------------------------------------------- certificates

  app.get(
    "/admin/api/certificates",
    route(false, async () => {
      const [seen, systems, nodes] = await Promise.all([
        listPeerCerts(db),
        listSystems(db),
        listNodes(ctx.db.kysely),
      ]);
      const at = now();
      const daysLeft = (validTo: string | number) =>
        Math.floor((new Date(validTo).getTime() - at) / 86_400_000);
      const items: {
        role: "node" | "ca" | "system" | "neighbour" | "unbound";
        boundTo: string;
        subject: string | null;
        issuer: string | null;
        fingerprint: string | null;
        validTo: string | null;
        daysLeft: number | null;
        lastSeenAt: string | null;
      }[] = [];
      if (ctx.config.tls) {
        const own = certificateInfo(ctx.config.tls.cert);
        items.push({
          role: "node",
          boundTo: ctx.config.nodeId,
          ...own,
          daysLeft: daysLeft(own.validTo),
          lastSeenAt: null,
        });
        for (const pem of ctx.config.tls.ca) {
          const ca = certificateInfo(pem);
          items.push({
            role: "ca",
            boundTo: "trust",
            ...ca,
            daysLeft: daysLeft(ca.validTo),
            lastSeenAt: null,
          });
        }
      }
      const seenBy = new Map(seen.map((c) => [c.fingerprint, c]));
      const pinned = [
        ...systems
          .filter((s) => s.cert_fingerprint)
          .map((s) => ({ role: "system" as const, boundTo: s.system_id, fp: s.cert_fingerprint as string })),
        ...nodes
          .filter((n) => n.relation !== "self" && n.fingerprint)
          .map((n) => ({ role: "neighbour" as const, boundTo: n.node_id, fp: n.fingerprint as string })),
      ];
      const bound = new Set<string>();
      for (const p of pinned) {
        bound.add(p.fp);
        const c = seenBy.get(p.fp);
        items.push({
          role: p.role,
          boundTo: p.boundTo,
          subject: c?.subject ?? null,
          issuer: c?.issuer ?? null,
          fingerprint: p.fp,
          validTo: c ? new Date(c.valid_to).toISOString() : null,
          daysLeft: c ? daysLeft(c.valid_to) : null,
          lastSeenAt: c ? new Date(c.last_seen_at).toISOString() : null,
        });
      }
      for (const c of seen) {
        if (bound.has(c.fingerprint)) continue;
        items.push({
          role: "unbound",
          boundTo: "",
          subject: c.subject,
          issuer: c.issuer,
          fingerprint: c.fingerprint,
          validTo: new Date(c.valid_to).toISOString(),
          daysLeft: daysLeft(c.valid_to),
          lastSeenAt: new Date(c.last_seen_at).toISOString(),
        });
      }
      return { items };
    }),
  );

  // ---------------------------------------------------------------- queues and failures

  app.get(
    "/admin/api/queues",
    route(false, async () => {
      const [mailbox, outbox, agencies] = await Promise.all([
        mailboxBacklog(ctx.db.kysely),
        outboxByNeighbour(db),
        filterAgencies(db, {}),
      ]);
      const names = new Map<string, string>();
      for (const a of agencies) {
        names.set(a.code, a.name);
        if (a.code102) names.set(a.code102, a.name);
      }
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      return {
        mailbox: mailbox
          .map((m) => ({
            agency: m.recipient,
            name: names.get(m.recipient) ?? null,
            kind: m.kind,
            pending: m.pending,
            oldest: iso(m.oldest),
          }))
          .sort((a, b) => b.pending - a.pending),
        outbox: outbox.map((o) => ({ ...o, nextAttemptAt: iso(o.nextAttemptAt), oldest: iso(o.oldest) })),
      };
    }),
  );

  app.get(
    "/admin/api/failures",
    route(false, async () => {
      // Identical pre-pipeline refusals are counted in memory for up to a second: write them first.
      await options.refusals?.flush();
      const [outbox, deliveries, events, systems] = await Promise.all([
        failingOutbox(db, 200),
        failedDeliveries(db, 200),
        listIntake(ctx.db.kysely, { limit: 200 }),
        listSystems(db),
      ]);
      const systemByCert = new Map(
        systems.filter((s) => s.cert_fingerprint).map((s) => [`cert:${s.cert_fingerprint}`, s.system_id]),
      );
      const peers = [...(ctx.config.parent ? [ctx.config.parent] : []), ...ctx.config.children];
      const nodeByCert = new Map(peers.map((p) => [`cert:${p.fingerprint}`, p.nodeId]));
      const who = (caller: string | null) =>
        caller === null
          ? null
          : systemByCert.get(caller)
            ? `system:${systemByCert.get(caller)}`
            : nodeByCert.get(caller)
              ? `node:${nodeByCert.get(caller)}`
              : caller;
      return {
        refused: events.map((e) => {
          const diagnostic = e.diagnostic
            ? (JSON.parse(e.diagnostic) as { code?: string; vi?: string; en?: string })
            : null;
          return {
            seq: Number(e.seq),
            at: new Date(Number(e.at)).toISOString(),
            source: e.source,
            outcome: e.outcome,
            caller: who(e.caller),
            sender: e.sender,
            documentId: e.document_id,
            /** Identical refusals within the same minute share one row. */
            count: e.count,
            code: e.code,
            message: { vi: e.message_vi, en: e.message_en },
            diagnostic,
            reason:
              e.outcome === "duplicate"
                ? "duplicate"
                : explainFailure(diagnostic?.code, e.code, e.message_en),
          };
        }),
        outbox: outbox.map((o) => ({
          ...o,
          nextAttemptAt: new Date(o.nextAttemptAt).toISOString(),
          createdAt: new Date(o.createdAt).toISOString(),
          reason: explainFailure(o.lastError),
        })),
        deliveries: deliveries.map((d) => {
          const r = explainFailure(d.note);
          return {
            ...d,
            ackedAt: d.ackedAt === null ? null : new Date(d.ackedAt).toISOString(),
            reason: r === "other" ? "recipient-failed" : r,
          };
        }),
      };
    }),
  );

  // ---------------------------------------------------------------- federation

  app.get(
    "/admin/api/federation",
    route(false, async () => {
      const [nodes, outbox, activity, errors, seen] = await Promise.all([
        listNodes(ctx.db.kysely),
        outboxByNeighbour(db),
        neighbourActivity(db),
        lastErrorPerNeighbour(db),
        listPeerCerts(db),
      ]);
      const at = now();
      const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());
      return {
        self: { nodeId: ctx.config.nodeId, role: ctx.config.role, organId: ctx.config.organId },
        links: nodes
          .filter((n) => n.relation !== "self")
          .sort((a, b) =>
            a.relation === b.relation ? (a.node_id < b.node_id ? -1 : 1) : a.relation === "parent" ? -1 : 1,
          )
          .map((n) => {
            const o = outbox.find((x) => x.nodeId === n.node_id);
            const lastSent = activity.lastSent.get(n.node_id) ?? null;
            const lastReceived = activity.lastReceived.get(n.node_id) ?? null;
            const lastError = errors.get(n.node_id) ?? null;
            const cert = seen.find((c) => c.fingerprint === n.fingerprint);
            const lastExchange = Math.max(lastSent ?? 0, lastReceived ?? 0) || null;
            return {
              nodeId: n.node_id,
              relation: n.relation,
              organId: n.organ_id,
              url: n.url,
              fingerprint: n.fingerprint,
              directoryCursor: Number(n.directory_cursor),
              lastSent: iso(lastSent),
              lastReceived: iso(lastReceived),
              lastExchange: iso(lastExchange),
              pending: o?.pending ?? 0,
              failing: o?.failing ?? 0,
              maxAttempts: o?.maxAttempts ?? 0,
              nextAttemptAt: iso(o?.nextAttemptAt),
              lastError,
              reason: lastError ? explainFailure(lastError) : null,
              certificateDaysLeft: cert ? Math.floor((cert.valid_to - at) / 86_400_000) : null,
              health: (o?.failing ?? 0) > 0 ? "error" : lastExchange === null ? "idle" : "ok",
            };
          }),
      };
    }),
  );

  // ---------------------------------------------------------------- evidence

  app.post(
    "/admin/api/evidence/verify",
    route(true, async () => {
      const started = Date.now();
      // Against the node's anchor file and the seal its parent holds (truncation of the tail).
      const report = await verifyNodeEvidence(ctx, { transport: options.transport });
      const error = evidenceReportError(report);
      return {
        ...report,
        ...(error
          ? { error: { code: error.code, message: { vi: error.messageVi, en: error.messageEn } } }
          : {}),
        checkedAt: new Date(now()).toISOString(),
        durationMs: Date.now() - started,
      };
    }),
  );

  /** Parent side: the latest seal each child node published here (their external anchors). */
  app.get(
    "/admin/api/evidence/children",
    route(false, async () => ({
      items: (await listChildSeals(ctx.db.kysely)).map((r) => ({
        nodeId: r.node_id,
        seq: r.seq,
        hash: r.hash,
        sealedAt: parseAnchorLine(r.anchor)?.at ?? null,
        receivedAt: new Date(r.received_at).toISOString(),
      })),
    })),
  );

  // ---------------------------------------------------------------- statistics

  const dashboardQuery = (request: FastifyRequest) => {
    const q = parseWith(statsQuery, request.query);
    const period = defaultPeriod(ctx.clock.now());
    return {
      fromDay: q.from ?? period.fromDay,
      toDay: q.to ?? period.toDay,
      ...(q.province ? { province: q.province } : {}),
      ...(q.agency ? { agency: q.agency } : {}),
    };
  };

  app.get(
    "/admin/api/stats",
    route(false, async (request) => buildDashboard(ctx, dashboardQuery(request), { detailed: true })),
  );

  app.get(
    "/admin/api/stats.csv",
    route(false, async (request, reply) => {
      const d = await buildDashboard(ctx, dashboardQuery(request), { detailed: true });
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
