/**
 * The office HTTP API (Fastify). Routes are thin: parse with zod, resolve the session, call a
 * service, map the result. Every route is declared once in a table that also produces the
 * OpenAPI document served at /api/openapi.json.
 *
 * Session: HttpOnly cookie `truc_session` (SameSite=Strict). CSRF: every state-changing call
 * of a signed-in user must send the session's CSRF token in `X-CSRF-Token` (returned by login
 * and GET /api/session), and a present `Origin` header must equal the configured origin.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { registerXlsx } from "../adapters/register-xlsx.ts";
import { sameSecret } from "../auth/tokens.ts";
import { COMPETENCE_PREFIXES, ROLES } from "../domain/access.ts";
import { DOCUMENT_TYPES, URGENCIES } from "../domain/document-types.ts";
import { INCOMING_STATES } from "../domain/incoming.ts";
import { OUTGOING_STATES } from "../domain/outgoing.ts";
import { OfficeError } from "../errors.ts";
import { addToCaseFile } from "../services/add-to-case-file.ts";
import { requestTakeBack, revokeOutgoing, sendUpdate } from "../services/after-issue.ts";
import { answerRequest } from "../services/answer-request.ts";
import { assignIncoming } from "../services/assign-incoming.ts";
import { assignNumber } from "../services/assign-number.ts";
import { getCaseFile, listCaseFilesView, listExpiredRetention } from "../services/case-file-queries.ts";
import { closeCaseFile } from "../services/close-case-file.ts";
import { completeIncoming } from "../services/complete-incoming.ts";
import type { Actor, OfficeDeps } from "../services/context.ts";
import { createCaseFile } from "../services/create-case-file.ts";
import { createDraft } from "../services/create-draft.ts";
import { exportCaseFileArchive, exportDocumentArchive } from "../services/export-archive.ts";
import { REGISTER_TITLES, REGISTER_WIDTHS, registerRows, toCsv } from "../services/export-register.ts";
import { flushOutbox } from "../services/flush-outbox.ts";
import { issueDocument } from "../services/issue-document.ts";
import { addDelegation, createUnit, createUser } from "../services/manage-people.ts";
import { printCopy } from "../services/print-copy.ts";
import { processIncoming } from "../services/process-incoming.ts";
import {
  auditTrail,
  documentHistory,
  getIncoming,
  getIncomingFile,
  getIncomingPackage,
  getOutgoing,
  getOutgoingFile,
  listIncomingByState,
  listOutgoingByState,
  listOverdue,
  listPeople,
  listReminders,
  searchDocuments,
} from "../services/queries.ts";
import { receiveAll } from "../services/receive-messages.ts";
import { registerIncoming } from "../services/register-incoming.ts";
import { registerScan } from "../services/register-scan.ts";
import { rejectIncoming } from "../services/reject-incoming.ts";
import { removeFromCaseFile } from "../services/remove-from-case-file.ts";
import { reviewDraft, submitForReview } from "../services/review-draft.ts";
import { getScan, getScanFile, MAX_SCAN_BYTES, uploadScan } from "../services/scan-jobs.ts";
import { sealDocument } from "../services/seal-document.ts";
import {
  describeSession,
  enableTotp,
  login,
  logout,
  newTotpSecret,
  type ResolvedSession,
  resolveSession,
  SESSION_TTL_MS,
} from "../services/sessions.ts";
import { signDocument } from "../services/sign-document.ts";
import { MAX_UPLOAD_BYTES, uploadVersion } from "../services/upload-version.ts";
import { validateOutgoing } from "../services/validate-outgoing.ts";
import {
  PUBLIC_MAX_BYTES,
  printCodeOriginal,
  verifyPrintCode,
  verifyPublic,
} from "../services/verify-public.ts";
import { toHttpError } from "./errors.ts";
import { type PublicStatsRelayOptions, registerPublicStatsRelay } from "./public-stats.ts";
import { registerStaticUi } from "./static-ui.ts";

export interface HttpOptions {
  /** Public origin of the web UI, e.g. "https://vanban.example.gov.vn"; Origin headers must match it. */
  origin?: string;
  /** Send the cookie with `Secure` (on behind HTTPS). */
  secureCookie?: boolean;
  /** Send queued packages right after each change (default true). */
  flushAfterChange?: boolean;
  /**
   * Public address of the office (web UI), printed in the QR code of paper copies
   * (`<publicUrl>/kiem-tra/<code>`). Default: `origin`, else the request's own host.
   */
  publicUrl?: string;
  /** Requests per client IP and window on the public verification routes (default 30 per minute). */
  publicRateLimit?: { max: number; windowMs: number };
  /** The axis node whose public statistics the office relays at `/public/stats` (optional). */
  statistics?: PublicStatsRelayOptions;
}

export const SESSION_COOKIE = "truc_session";

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  /** false: no session needed (login, OpenAPI). */
  auth?: boolean;
  /** Open to anyone (no session, no Origin check), rate-limited per IP, bodies up to `maxBytes`. */
  public?: { maxBytes: number };
  params?: P;
  query?: Q;
  body?: B;
  /** Raw binary body (file upload) instead of JSON. */
  rawBody?: string[];
  handler: (ctx: {
    actor: Actor;
    session: ResolvedSession;
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    raw: Buffer;
    request: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

const id = z.object({ id: z.uuid() });
const empty = z.object({}).strict();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const reason = z.object({ reason: z.string().min(1).max(500) });
const searchQuery = z.object({
  q: z.string().max(200).optional(),
  direction: z.enum(["incoming", "outgoing"]).optional(),
  typeName: z.string().max(100).optional(),
  issuer: z.string().max(13).optional(),
  state: z.string().max(30).optional(),
  urgency: z.enum(URGENCIES).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const incomingListQuery = searchQuery.extend({
  /** Only documents assigned to the signed-in user. */
  assignedToMe: flag.optional(),
  /** Only documents with a sender's take-back or update request waiting for an answer. */
  pendingRequest: flag.optional(),
});

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function buildOfficeApp(deps: OfficeDeps, options: HttpOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, requestTimeout: 120_000 });
  const routes: RouteSpec<z.ZodType, z.ZodType, z.ZodType>[] = [];
  const flush = async () => {
    if (options.flushAfterChange === false) return;
    await flushOutbox(deps).catch(() => undefined);
  };

  app.addContentTypeParser(
    [
      "application/pdf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/octet-stream",
    ],
    { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    ["image/png", "image/jpeg", "image/tiff"],
    { parseAs: "buffer", bodyLimit: MAX_SCAN_BYTES },
    (_req, body, done) => done(null, body),
  );
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = toHttpError(error);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(new OfficeError("OFFICE_NOT_FOUND", { entity: "route" }).toJSON());
  });

  const cookie = (token: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${options.secureCookie ? "; Secure" : ""}`;

  const checkOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (origin !== undefined && options.origin && origin !== options.origin)
      throw new OfficeError("OFFICE_CSRF_REJECTED");
  };

  // Fixed window per client IP; entries expire with their window (bounded by the clients seen in one window).
  const limit = options.publicRateLimit ?? { max: 30, windowMs: 60_000 };
  const windows = new Map<string, { start: number; count: number }>();
  const rateLimit = (ip: string) => {
    const now = Date.now();
    if (windows.size > 10_000)
      for (const [key, w] of windows) if (now - w.start >= limit.windowMs) windows.delete(key);
    const w = windows.get(ip);
    if (!w || now - w.start >= limit.windowMs) {
      windows.set(ip, { start: now, count: 1 });
      return;
    }
    if (++w.count > limit.max)
      throw new OfficeError("OFFICE_RATE_LIMITED", {
        seconds: Math.ceil((w.start + limit.windowMs - now) / 1000),
      });
  };

  function route<
    P extends z.ZodType = typeof empty,
    Q extends z.ZodType = typeof empty,
    B extends z.ZodType = typeof empty,
  >(spec: RouteSpec<P, Q, B>) {
    routes.push(spec as unknown as RouteSpec<z.ZodType, z.ZodType, z.ZodType>);
    const open = spec.public;
    app.route({
      method: spec.method,
      url: spec.url,
      // Public routes: refuse before the body is read.
      ...(open
        ? {
            onRequest: async (request: FastifyRequest) => {
              rateLimit(request.ip);
              const length = Number(request.headers["content-length"] ?? 0);
              if (length > open.maxBytes) throw new OfficeError("OFFICE_PAYLOAD_TOO_LARGE");
            },
          }
        : {}),
      handler: async (request, reply) => {
        const changing = spec.method !== "GET";
        if (changing && !open) checkOrigin(request);
        let session: ResolvedSession | null = null;
        if (spec.auth !== false && !open) {
          session = await resolveSession(deps, parseCookies(request.headers.cookie)[SESSION_COOKIE]);
          if (!session) throw new OfficeError("OFFICE_SESSION_REQUIRED");
          if (changing) {
            const header = request.headers["x-csrf-token"];
            if (typeof header !== "string" || !sameSecret(header, session.csrfToken))
              throw new OfficeError("OFFICE_CSRF_REJECTED");
          }
        }
        const params = (spec.params ?? empty).parse(request.params ?? {}) as z.infer<P>;
        const query = (spec.query ?? empty).parse(request.query ?? {}) as z.infer<Q>;
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (open && raw.length > open.maxBytes) throw new OfficeError("OFFICE_PAYLOAD_TOO_LARGE");
        const body = (spec.rawBody ? {} : (spec.body ?? empty).parse(request.body ?? {})) as z.infer<B>;
        const result = await spec.handler({
          actor: session?.actor as Actor,
          session: session as ResolvedSession,
          params,
          query,
          body,
          raw,
          request,
          reply,
        });
        if (changing && spec.auth !== false && !open) await flush();
        if (reply.sent) return reply;
        return result ?? { ok: true };
      },
    });
  }

  const sendFile = (reply: FastifyReply, file: { bytes: Buffer; fileName: string; contentType: string }) =>
    reply
      .header("content-type", file.contentType)
      .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
      .header("x-content-type-options", "nosniff")
      .send(file.bytes);

  // ------------------------------------------------------------------ session
  route({
    method: "POST",
    url: "/api/session",
    tag: "session",
    summary:
      "Log in (password, then TOTP code when enabled). Sets the session cookie; returns the CSRF token.",
    auth: false,
    body: z.object({
      username: z.string().min(1).max(100),
      password: z.string().min(1).max(1024),
      totpCode: z.string().max(10).optional(),
    }),
    handler: async ({ body, request, reply }) => {
      const previousToken = parseCookies(request.headers.cookie)[SESSION_COOKIE];
      const result = await login(deps, { ...body, ...(previousToken ? { previousToken } : {}) });
      const { token, ...view } = result;
      void reply.header("set-cookie", cookie(token, SESSION_TTL_MS / 1000));
      return view;
    },
  });
  route({
    method: "GET",
    url: "/api/session",
    tag: "session",
    summary: "The signed-in user, agency, roles and CSRF token.",
    handler: async ({ session }) => describeSession(deps, session),
  });
  route({
    method: "DELETE",
    url: "/api/session",
    tag: "session",
    summary: "Log out.",
    handler: async ({ actor, request, reply }) => {
      await logout(deps, actor, parseCookies(request.headers.cookie)[SESSION_COOKIE] ?? "");
      void reply.header("set-cookie", cookie("", 0));
      return { ok: true };
    },
  });
  route({
    method: "POST",
    url: "/api/session/totp/secret",
    tag: "session",
    summary: "A new TOTP secret and otpauth:// URI (not stored until confirmed).",
    handler: async ({ session }) => {
      const view = await describeSession(deps, session);
      return newTotpSecret({ issuer: `truc ${view.agency.code}`, account: view.user.username });
    },
  });
  route({
    method: "POST",
    url: "/api/session/totp",
    tag: "session",
    summary: "Enable TOTP by confirming a code for the secret.",
    body: z.object({ secret: z.string().min(16).max(128), code: z.string().regex(/^\d{6}$/) }),
    handler: async ({ actor, body }) => enableTotp(deps, actor, body),
  });

  // ------------------------------------------------------------------ reference data and people
  route({
    method: "GET",
    url: "/api/reference",
    tag: "reference",
    summary: "Document types (NĐ 30), urgencies, roles, states, competence prefixes.",
    handler: async () => ({
      documentTypes: DOCUMENT_TYPES,
      urgencies: URGENCIES,
      roles: ROLES,
      outgoingStates: OUTGOING_STATES,
      incomingStates: INCOMING_STATES,
      competencePrefixes: COMPETENCE_PREFIXES,
    }),
  });
  route({
    method: "GET",
    url: "/api/directory",
    tag: "reference",
    summary: "Agencies reachable through the axis (recipients).",
    handler: async ({ actor }) => deps.gateway.directory({ agencyCode: actor.agencyCode }),
  });
  route({
    method: "GET",
    url: "/api/people",
    tag: "people",
    summary: "Units and users of the agency.",
    handler: async ({ actor }) => listPeople(deps, actor),
  });
  route({
    method: "POST",
    url: "/api/units",
    tag: "people",
    summary: "Create a unit (administrator).",
    body: z.object({ name: z.string().min(1).max(200), abbreviation: z.string().min(1).max(20) }),
    handler: async ({ actor, body }) => createUnit(deps, actor, body),
  });
  route({
    method: "POST",
    url: "/api/users",
    tag: "people",
    summary: "Create a user with roles (administrator).",
    body: z.object({
      username: z.string().regex(/^[a-z0-9._-]{3,64}$/),
      fullName: z.string().min(1).max(50),
      position: z.string().min(1).max(100),
      password: z.string().min(10).max(1024),
      roles: z.array(z.enum(ROLES)).min(1),
      unitId: z.uuid().optional(),
      isHead: z.boolean().optional(),
    }),
    handler: async ({ actor, body }) => createUser(deps, actor, body),
  });
  route({
    method: "POST",
    url: "/api/users/:id/delegations",
    tag: "people",
    summary: "Give a user a signing delegation (KT./TL./TUQ./Q./TM.) for a period (administrator).",
    params: id,
    body: z.object({
      kind: z.enum(COMPETENCE_PREFIXES),
      forTitle: z.string().min(1).max(100),
      validFrom: z.iso.datetime(),
      validTo: z.iso.datetime(),
    }),
    handler: async ({ actor, params, body }) =>
      addDelegation(deps, actor, {
        userId: params.id,
        kind: body.kind,
        forTitle: body.forTitle,
        validFrom: new Date(body.validFrom),
        validTo: new Date(body.validTo),
      }),
  });
  route({
    method: "GET",
    url: "/api/audit",
    tag: "people",
    summary: "Audit trail of the agency (administrator).",
    query: z.object({
      entityId: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(5000).optional(),
    }),
    handler: async ({ actor, query }) => auditTrail(deps, actor, query),
  });

  // ------------------------------------------------------------------ outgoing
  const recipient = z.object({ organId: z.string().min(1).max(13), organName: z.string().min(1).max(200) });
  route({
    method: "GET",
    url: "/api/outgoing",
    tag: "outgoing",
    summary: "Outgoing documents (filters as in search).",
    query: searchQuery,
    handler: async ({ actor, query }) => listOutgoingByState(deps, actor, query),
  });
  route({
    method: "POST",
    url: "/api/outgoing",
    tag: "outgoing",
    summary: "Create a draft (metadata); upload the file with PUT /api/outgoing/{id}/file.",
    body: z.object({
      typeCode: z.string().min(1).max(10),
      subject: z.string().min(1).max(500),
      content: z.string().max(500).optional(),
      unitAbbreviation: z.string().max(20).optional(),
      urgency: z.enum(URGENCIES).optional(),
      dueDate: isoDate.optional(),
      pageCount: z.number().int().min(1).max(999).optional(),
      copies: z.number().int().min(1).max(999).optional(),
      appendices: z.array(z.string().max(250)).max(50).optional(),
      places: z.array(z.string().max(250)).max(50).optional(),
      recipients: z.array(recipient).max(500),
      replaces: z.array(z.string().max(100)).max(20).optional(),
    }),
    handler: async ({ actor, body }) => createDraft(deps, actor, body),
  });
  route({
    method: "GET",
    url: "/api/outgoing/:id",
    tag: "outgoing",
    summary: "A document with its versions, reviews and each recipient's status timeline.",
    params: id,
    handler: async ({ actor, params }) => getOutgoing(deps, actor, params.id),
  });
  route({
    method: "GET",
    url: "/api/outgoing/:id/history",
    tag: "outgoing",
    summary: "The document's history (its audit rows, oldest first), for anyone who may read it.",
    params: id,
    handler: async ({ actor, params }) =>
      documentHistory(deps, actor, { direction: "outgoing", id: params.id }),
  });
  route({
    method: "GET",
    url: "/api/outgoing/:id/validation",
    tag: "outgoing",
    summary:
      "Signature validation report of the current file (the issued PDF once issued), checked now by the office's validator.",
    params: id,
    handler: async ({ actor, params }) => validateOutgoing(deps, actor, { outgoingId: params.id }),
  });
  route({
    method: "PUT",
    url: "/api/outgoing/:id/file",
    tag: "outgoing",
    summary: "Upload a new version (body: the PDF, or a DOCX converted when LibreOffice is installed).",
    params: id,
    query: z.object({ fileName: z.string().min(1).max(200), note: z.string().max(500).optional() }),
    rawBody: ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    handler: async ({ actor, params, query, raw, request }) =>
      uploadVersion(deps, actor, {
        outgoingId: params.id,
        bytes: raw,
        fileName: query.fileName,
        contentType: String(request.headers["content-type"] ?? "")
          .split(";")[0]!
          .trim(),
        ...(query.note ? { note: query.note } : {}),
      }),
  });
  route({
    method: "GET",
    url: "/api/outgoing/:id/file",
    tag: "outgoing",
    summary: "Download the current file, or a given version.",
    params: id,
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    handler: async ({ actor, params, query, reply }) =>
      sendFile(reply, await getOutgoingFile(deps, actor, params.id, query.version)),
  });
  route({
    method: "POST",
    url: "/api/outgoing/:id/submit",
    tag: "outgoing",
    summary: "Send the draft to one or several reviewers.",
    params: id,
    body: z.object({ reviewerIds: z.array(z.uuid()).min(1).max(20) }),
    handler: async ({ actor, params, body }) =>
      submitForReview(deps, actor, { outgoingId: params.id, ...body }),
  });
  route({
    method: "POST",
    url: "/api/outgoing/:id/review",
    tag: "outgoing",
    summary: "Approve, or return for revision with a comment.",
    params: id,
    body: z.object({ decision: z.enum(["approve", "return"]), comment: z.string().max(2000).optional() }),
    handler: async ({ actor, params, body }) => reviewDraft(deps, actor, { outgoingId: params.id, ...body }),
  });
  route({
    method: "POST",
    url: "/api/outgoing/:id/sign",
    tag: "outgoing",
    summary: "Leader's signature (visible personal signature).",
    params: id,
    body: z.object({
      competence: z.enum(COMPETENCE_PREFIXES).optional(),
      collectiveTitle: z.string().max(100).optional(),
    }),
    handler: async ({ actor, params, body }) => signDocument(deps, actor, { outgoingId: params.id, ...body }),
  });
  for (const [step, service, summary] of [
    ["number", assignNumber, "Assign the next number of the year (clerk)."],
    ["seal", sealDocument, "Organisation signature with the seal appearance (clerk)."],
    ["issue", issueDocument, "Issue: build the edXML package and send it through the axis (clerk)."],
  ] as const) {
    route({
      method: "POST",
      url: `/api/outgoing/:id/${step}`,
      tag: "outgoing",
      summary,
      params: id,
      handler: async ({ actor, params }) => service(deps, actor, { outgoingId: params.id }),
    });
  }
  route({
    method: "POST",
    url: "/api/outgoing/:id/revoke",
    tag: "outgoing",
    summary: "Revoke an issued document (BussinessDocType 1); the document is frozen.",
    params: id,
    body: reason,
    handler: async ({ actor, params, body }) =>
      revokeOutgoing(deps, actor, { outgoingId: params.id, reason: body.reason }),
  });
  route({
    method: "POST",
    url: "/api/outgoing/:id/take-back",
    tag: "outgoing",
    summary: "Ask recipients to give the document back (status 13); answers 15/16 appear in the timeline.",
    params: id,
    body: reason.extend({ organIds: z.array(z.string().max(13)).max(500).optional() }),
    handler: async ({ actor, params, body }) =>
      requestTakeBack(deps, actor, { outgoingId: params.id, ...body }),
  });
  route({
    method: "POST",
    url: "/api/outgoing/:id/update",
    tag: "outgoing",
    summary: "Send updated metadata (BussinessDocType 2); recipients answer 15/16.",
    params: id,
    body: reason.extend({
      changes: z.object({
        subject: z.string().max(500).optional(),
        dueDate: isoDate.nullable().optional(),
        content: z.string().max(500).nullable().optional(),
      }),
    }),
    handler: async ({ actor, params, body }) => sendUpdate(deps, actor, { outgoingId: params.id, ...body }),
  });

  // ------------------------------------------------------------------ incoming
  route({
    method: "GET",
    url: "/api/incoming",
    tag: "incoming",
    summary:
      "Incoming documents, newest first (filters as in search, plus assignedToMe=true and pendingRequest=true).",
    query: incomingListQuery,
    handler: async ({ actor, query }) => {
      const { assignedToMe, pendingRequest, ...filter } = query;
      return listIncomingByState(deps, actor, {
        ...filter,
        ...(assignedToMe ? { assignedUserId: actor.userId } : {}),
        ...(pendingRequest ? { pendingRequest: true } : {}),
      });
    },
  });
  route({
    method: "GET",
    url: "/api/incoming/:id/history",
    tag: "incoming",
    summary: "The document's history (its audit rows, oldest first), for anyone who may read it.",
    params: id,
    handler: async ({ actor, params }) =>
      documentHistory(deps, actor, { direction: "incoming", id: params.id }),
  });
  route({
    method: "GET",
    url: "/api/incoming/:id",
    tag: "incoming",
    summary: "An incoming document with its signature report, duplicate flags and pending sender request.",
    params: id,
    handler: async ({ actor, params }) => getIncoming(deps, actor, params.id),
  });
  route({
    method: "GET",
    url: "/api/incoming/:id/attachments/:index",
    tag: "incoming",
    summary: "Download an attachment.",
    params: z.object({ id: z.uuid(), index: z.coerce.number().int().min(0).max(1000) }),
    handler: async ({ actor, params, reply }) =>
      sendFile(reply, await getIncomingFile(deps, actor, params.id, params.index)),
  });
  route({
    method: "GET",
    url: "/api/incoming/:id/package",
    tag: "incoming",
    summary: "The received package, byte for byte.",
    params: id,
    handler: async ({ actor, params, reply }) =>
      sendFile(reply, await getIncomingPackage(deps, actor, params.id)),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/register",
    tag: "incoming",
    summary: "Register (số đến), status 03.",
    params: id,
    handler: async ({ actor, params }) => registerIncoming(deps, actor, { incomingId: params.id }),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/reject",
    tag: "incoming",
    summary: "Return to the sender with a reason, status 02.",
    params: id,
    body: reason,
    handler: async ({ actor, params, body }) =>
      rejectIncoming(deps, actor, { incomingId: params.id, reason: body.reason }),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/assign",
    tag: "incoming",
    summary: "Assign to a unit and/or person with a deadline, status 04 (leader).",
    params: id,
    body: z.object({
      unitId: z.uuid().optional(),
      userId: z.uuid().optional(),
      deadline: isoDate.optional(),
      instructions: z.string().max(2000).optional(),
    }),
    handler: async ({ actor, params, body }) =>
      assignIncoming(deps, actor, { incomingId: params.id, ...body }),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/process",
    tag: "incoming",
    summary: "Start processing, status 05.",
    params: id,
    handler: async ({ actor, params }) => processIncoming(deps, actor, { incomingId: params.id }),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/complete",
    tag: "incoming",
    summary: "Complete, status 06, optionally linking the reply document.",
    params: id,
    body: z.object({ replyOutgoingId: z.uuid().optional(), note: z.string().max(2000).optional() }),
    handler: async ({ actor, params, body }) =>
      completeIncoming(deps, actor, { incomingId: params.id, ...body }),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/answer",
    tag: "incoming",
    summary:
      "Answer the sender's pending take-back or update request: accept (15) or refuse with a reason (16).",
    params: id,
    body: z.object({ accept: z.boolean(), reason: z.string().max(500).optional() }),
    handler: async ({ actor, params, body }) =>
      answerRequest(deps, actor, { incomingId: params.id, ...body }),
  });

  // ------------------------------------------------------------------ search, registers, follow-up
  route({
    method: "GET",
    url: "/api/search",
    tag: "search",
    summary: "Search metadata without diacritics (đ → d); exact-diacritic hits first.",
    query: searchQuery,
    handler: async ({ actor, query }) => searchDocuments(deps, actor, query),
  });
  route({
    method: "GET",
    url: "/api/registers/:kind",
    tag: "registers",
    summary:
      "Incoming, outgoing or follow-up (theo dõi giải quyết) register of a year in the NĐ 30 columns, as JSON, CSV or XLSX (A4 landscape, printable).",
    params: z.object({ kind: z.enum(["incoming", "outgoing", "follow-up"]) }),
    query: z.object({
      year: z.coerce.number().int().min(2000).max(2100),
      format: z.enum(["json", "csv", "xlsx"]).optional(),
    }),
    handler: async ({ actor, session, params, query, reply }) => {
      const register = await registerRows(deps, actor, { kind: params.kind, year: query.year });
      if (query.format !== "csv" && query.format !== "xlsx") return register;
      const name = `so-${{ incoming: "van-ban-den", outgoing: "van-ban-di", "follow-up": "theo-doi-giai-quyet" }[params.kind]}-${query.year}`;
      if (query.format === "csv")
        return sendFile(reply, {
          bytes: Buffer.from(toCsv(register.columns, register.rows)),
          fileName: `${name}.csv`,
          contentType: "text/csv; charset=utf-8",
        });
      const agency = (await describeSession(deps, session)).agency;
      return sendFile(reply, {
        bytes: await registerXlsx({
          agencyName: agency.name,
          title: REGISTER_TITLES[params.kind],
          year: query.year,
          columns: register.columns,
          widths: REGISTER_WIDTHS[params.kind],
          rows: register.rows,
        }),
        fileName: `${name}.xlsx`,
        contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      });
    },
  });
  route({
    method: "GET",
    url: "/api/overdue",
    tag: "follow-up",
    summary: "Open incoming documents past their deadline.",
    handler: async ({ actor }) => listOverdue(deps, actor),
  });
  route({
    method: "GET",
    url: "/api/reminders",
    tag: "follow-up",
    summary: "Documents needing attention now (urgent and unregistered, deadline due soon or past).",
    handler: async ({ actor }) => listReminders(deps, actor),
  });
  // ------------------------------------------------------------------ paper scans (OCR)
  route({
    method: "POST",
    url: "/api/scans",
    tag: "scans",
    summary:
      "Upload a scan of a paper document (raw PDF, PNG, JPEG or TIFF body); OCR (Vietnamese) starts in the background — poll GET /api/scans/{id}.",
    query: z.object({ fileName: z.string().min(1).max(200) }),
    rawBody: ["application/pdf", "image/png", "image/jpeg", "image/tiff"],
    handler: async ({ actor, query, raw }) =>
      uploadScan(deps, actor, { bytes: raw, fileName: query.fileName }),
  });
  route({
    method: "GET",
    url: "/api/scans/:id",
    tag: "scans",
    summary: "The scan's OCR state and progress (stage, page, pages, fraction 0–1); the text once done.",
    params: id,
    handler: async ({ actor, params }) => getScan(deps, actor, params.id),
  });
  route({
    method: "GET",
    url: "/api/scans/:id/file",
    tag: "scans",
    summary:
      "The searchable PDF (scan pages with an invisible text layer), or ?original=true for the upload.",
    params: id,
    query: z.object({ original: flag.optional() }),
    handler: async ({ actor, params, query, reply }) =>
      sendFile(reply, await getScanFile(deps, actor, params.id, query.original ? "original" : "searchable")),
  });
  route({
    method: "POST",
    url: "/api/scans/:id/register",
    tag: "scans",
    summary:
      "Register the scanned paper document as incoming (số đến from the yearly sequence shared with electronic documents); optionally file it in a case file.",
    params: id,
    body: z.object({
      typeName: z.string().min(1).max(100),
      codeNumber: z.string().min(1).max(11),
      codeNotation: z.string().min(1).max(30),
      fromName: z.string().min(1).max(200),
      fromOrganId: z.string().max(13).optional(),
      promulgationDate: isoDate,
      subject: z.string().min(1).max(500),
      signerName: z.string().max(50).optional(),
      urgency: z.enum(URGENCIES).optional(),
      dueDate: isoDate.optional(),
      caseFileId: z.uuid().optional(),
    }),
    handler: async ({ actor, params, body }) => registerScan(deps, actor, { scanId: params.id, ...body }),
  });

  // ------------------------------------------------------------------ case files and archive
  const direction = z.enum(["incoming", "outgoing"]);
  const sendZip = (
    reply: FastifyReply,
    archive: { zip: Buffer; fileName: string; manifest: { files: unknown[] } },
  ) => sendFile(reply, { bytes: archive.zip, fileName: archive.fileName, contentType: "application/zip" });
  route({
    method: "POST",
    url: "/api/case-files",
    tag: "archive",
    summary:
      "Open a case file (hồ sơ) with its Phụ lục VI metadata; retentionYears null = Vĩnh viễn (permanent).",
    body: z.object({
      fileNotation: z.string().min(1).max(20),
      year: z.number().int().min(2000).max(2100).optional(),
      title: z.string().min(1).max(500),
      retentionYears: z.number().int().min(1).max(100).nullable(),
      rights: z.string().max(30).optional(),
      language: z.string().max(50).optional(),
      creator: z.string().max(30).optional(),
      description: z.string().max(500).optional(),
    }),
    handler: async ({ actor, body }) => {
      const row = await createCaseFile(deps, actor, body);
      return getCaseFile(deps, actor, row.id);
    },
  });
  route({
    method: "GET",
    url: "/api/case-files",
    tag: "archive",
    summary:
      "Case files of the agency with their metadata (DocTotal, PageTotal, StartDate, EndDate computed).",
    query: z.object({
      state: z.enum(["open", "closed"]).optional(),
      year: z.coerce.number().int().min(2000).max(2100).optional(),
    }),
    handler: async ({ actor, query }) => listCaseFilesView(deps, actor, query),
  });
  route({
    method: "GET",
    url: "/api/case-files/:id",
    tag: "archive",
    summary: "A case file: Phụ lục VI metadata and its documents in DocOrdinal order.",
    params: id,
    handler: async ({ actor, params }) => getCaseFile(deps, actor, params.id),
  });
  route({
    method: "POST",
    url: "/api/case-files/:id/documents",
    tag: "archive",
    summary: "File a document (issued outgoing, or registered incoming) in an open case file.",
    params: id,
    body: z.object({ direction, documentId: z.uuid() }),
    handler: async ({ actor, params, body }) => {
      await addToCaseFile(deps, actor, { caseFileId: params.id, ...body });
      return getCaseFile(deps, actor, params.id);
    },
  });
  route({
    method: "DELETE",
    url: "/api/case-files/:id/documents/:direction/:documentId",
    tag: "archive",
    summary: "Take a document out of an open case file (later documents move up).",
    params: z.object({ id: z.uuid(), direction, documentId: z.uuid() }),
    handler: async ({ actor, params }) => {
      await removeFromCaseFile(deps, actor, {
        caseFileId: params.id,
        direction: params.direction,
        documentId: params.documentId,
      });
      return getCaseFile(deps, actor, params.id);
    },
  });
  route({
    method: "POST",
    url: "/api/case-files/:id/close",
    tag: "archive",
    summary: "Close the case file; its retention period runs from the year of its latest document.",
    params: id,
    handler: async ({ actor, params }) => {
      await closeCaseFile(deps, actor, { caseFileId: params.id });
      return getCaseFile(deps, actor, params.id);
    },
  });
  route({
    method: "GET",
    url: "/api/case-files/:id/export",
    tag: "archive",
    summary:
      "Archive package (ZIP): every document's signed files, edXML package, validation report, audit trail and Phụ lục VI metadata, with manifest.json (SHA-256 of every file).",
    params: id,
    handler: async ({ actor, params, reply }) =>
      sendZip(reply, await exportCaseFileArchive(deps, actor, { caseFileId: params.id })),
  });
  for (const dir of ["incoming", "outgoing"] as const)
    route({
      method: "GET",
      url: `/api/${dir}/:id/export`,
      tag: "archive",
      summary: "Archive package (ZIP) of one document, with manifest.json (SHA-256 of every file).",
      params: id,
      handler: async ({ actor, params, reply }) =>
        sendZip(reply, await exportDocumentArchive(deps, actor, { direction: dir, id: params.id })),
    });
  route({
    method: "GET",
    url: "/api/retention/expired",
    tag: "archive",
    summary: "Closed case files whose retention period has run out (on a date, default today).",
    query: z.object({ on: isoDate.optional() }),
    handler: async ({ actor, query }) => listExpiredRetention(deps, actor, query),
  });

  // ------------------------------------------------------------------ printed copies, public verification
  const publicBase = (request: FastifyRequest) =>
    options.publicUrl ?? options.origin ?? `${request.protocol}://${request.host}`;
  const sendPrinted = (reply: FastifyReply, copy: Awaited<ReturnType<typeof printCopy>>) => {
    void reply.header("x-truc-print-code", copy.code).header("x-truc-verify-url", copy.url);
    return sendFile(reply, { bytes: copy.pdf, fileName: copy.fileName, contentType: "application/pdf" });
  };
  route({
    method: "POST",
    url: "/api/outgoing/:id/print",
    tag: "outgoing",
    summary:
      "Printed copy of the signed document: PDF with a QR code and short code for public verification (headers X-Truc-Print-Code, X-Truc-Verify-Url).",
    params: id,
    handler: async ({ actor, params, request, reply }) =>
      sendPrinted(
        reply,
        await printCopy(deps, actor, { direction: "outgoing", id: params.id, baseUrl: publicBase(request) }),
      ),
  });
  route({
    method: "POST",
    url: "/api/incoming/:id/attachments/:index/print",
    tag: "incoming",
    summary: "Printed copy of a received signed PDF, with a QR code and short code.",
    params: z.object({ id: z.uuid(), index: z.coerce.number().int().min(0).max(1000) }),
    handler: async ({ actor, params, request, reply }) =>
      sendPrinted(
        reply,
        await printCopy(deps, actor, {
          direction: "incoming",
          id: params.id,
          attachment: params.index,
          baseUrl: publicBase(request),
        }),
      ),
  });
  route({
    method: "POST",
    url: "/api/public/verify",
    tag: "public",
    summary:
      "Anyone: upload a signed PDF (raw body, application/pdf, ≤ 20 MiB; rate-limited per IP). Returns whether it is authentic and unchanged, who signed it and when, whether the certificates were valid, and whether this office knows it was since revoked or replaced.",
    auth: false,
    public: { maxBytes: PUBLIC_MAX_BYTES },
    rawBody: ["application/pdf"],
    handler: async ({ raw }) => verifyPublic(deps, { pdf: raw }),
  });
  route({
    method: "GET",
    url: "/api/public/verify/:code",
    tag: "public",
    summary: "Anyone: the short code of a printed copy → the same report for the signed original.",
    auth: false,
    public: { maxBytes: 0 },
    params: z.object({ code: z.string().min(1).max(40) }),
    handler: async ({ params }) => verifyPrintCode(deps, params.code),
  });
  route({
    method: "GET",
    url: "/api/public/verify/:code/file",
    tag: "public",
    summary: "Anyone holding a printed copy's code: the signed original PDF, to compare with the paper.",
    auth: false,
    public: { maxBytes: 0 },
    params: z.object({ code: z.string().min(1).max(40) }),
    handler: async ({ params, reply }) =>
      sendFile(reply, {
        bytes: await printCodeOriginal(deps, params.code),
        fileName: "van-ban-goc.pdf",
        contentType: "application/pdf",
      }),
  });
  route({
    method: "POST",
    url: "/api/sync",
    tag: "follow-up",
    summary:
      "Pull from the axis and send queued packages now (administrator; the server also does it periodically).",
    handler: async ({ actor }) => {
      if (!actor.roles.includes("quan_tri") && !actor.roles.includes("van_thu"))
        throw new OfficeError("OFFICE_FORBIDDEN", { action: "sync" });
      const received = await receiveAll(deps);
      const sent = await flushOutbox(deps);
      return { received, sent };
    },
  });

  app.get("/api/openapi.json", async () => openApiDocument(routes));
  if (options.statistics) registerPublicStatsRelay(app, options.statistics);
  registerStaticUi(app);
  return app;
}

function openApiDocument(routes: RouteSpec<z.ZodType, z.ZodType, z.ZodType>[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, "{$1}");
    const parameters: unknown[] = [];
    for (const [where, s] of [
      ["path", r.params],
      ["query", r.query],
    ] as const) {
      if (!s) continue;
      const json = schema(s) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(json.properties ?? {}))
        parameters.push({
          name,
          in: where,
          required: where === "path" || (json.required ?? []).includes(name),
          schema: prop,
        });
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      parameters,
      responses: {
        "200": { description: "OK" },
        default: {
          description: "Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      ...(r.auth === false ? { security: [] } : {}),
    };
    if (r.body)
      op.requestBody = { required: true, content: { "application/json": { schema: schema(r.body) } } };
    if (r.rawBody)
      op.requestBody = {
        required: true,
        content: Object.fromEntries(
          r.rawBody.map((t) => [t, { schema: { type: "string", format: "binary" } }]),
        ),
      };
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "truc office (QLVB&ĐH) API",
      version: "0.1.0",
      description:
        "Session cookie `truc_session` (HttpOnly, SameSite=Strict) from POST /api/session. Every POST/PUT/DELETE must carry the session's CSRF token in the `X-CSRF-Token` header. Errors are `{ code, message: { vi, en } }`; branch on `code`.",
    },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        csrf: { type: "apiKey", in: "header", name: "X-CSRF-Token" },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["code", "message"],
          properties: {
            code: { type: "string" },
            message: { type: "object", properties: { vi: { type: "string" }, en: { type: "string" } } },
            details: { type: "object" },
          },
        },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  };
}
