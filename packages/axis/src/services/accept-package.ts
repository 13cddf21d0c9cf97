/**
 * The pipeline every package goes through, from an agency or from a neighbour node:
 * size limits → one reading pass (edXML parse and validation, attachments into a sink; this
 * hop's TraceHeader and the node signature, kept as splices over the received bytes; the
 * received signature's digest) → signature check per policy with the PKI → sender
 * authorisation → recipients resolved → de-duplication → durable store → one write, shared with
 * the packages accepted at the same moment (group commit): package, body (when inline), routes,
 * mailbox rows, outbox rows, status timeline, rollups, evidence → answer.
 *
 * Small packages are handled in memory; a large streamed package is read once and fanned out
 * to the reading pass and a blob writer, so it never sits in memory while it is checked.
 * Nothing is committed (rows or blobs) before every check has passed, so a refused package
 * leaves only a line in the intake log.
 */
import { createHash, X509Certificate } from "node:crypto";
import { type TrucError, type TrustCallback, toVietnamParts } from "@truc/common";
import { EdxmlError, type VerifyResult } from "@truc/edxml";
import { type AppendLog, type BlobInfo, isUniqueViolation } from "@truc/store";
import {
  deferredBlobSink,
  forwardedSha256,
  hashingSink,
  readAndPrepareForward,
} from "../adapters/edxml-codec.ts";
import { tee } from "../adapters/tee.ts";
import type { SignaturePolicy } from "../config.ts";
import { normaliseAgencyCode } from "../domain/agency.ts";
import {
  type Diagnostic,
  detectClockSkew,
  explainDuplicate,
  explainSenderMismatch,
  explainTrust,
} from "../domain/diagnostics.ts";
import { packageIdentityKey } from "../domain/package-identity.ts";
import { decideNextHop } from "../domain/routing.ts";
import { encodeSplices, type Splice, spliceStream } from "../domain/splice.ts";
import { routeStatus } from "../domain/status.ts";
import { AxisError } from "../errors.ts";
import { type AgencyRow, findAgency, toDirectoryEntry } from "../repositories/directory-repository.ts";
import { queuedEvidence } from "../repositories/evidence-repository.ts";
import { recordIntake } from "../repositories/intake-repository.ts";
import {
  findPackage,
  findPackageByIdentity,
  type PackageRow,
  recipientsOfDocument,
} from "../repositories/package-repository.ts";
import { type StatusWrite, writePackage } from "../repositories/package-writer.ts";
import { RAW_PLACE, type SignatureVerdictName } from "../repositories/schema.ts";
import { PoolUnavailable, settledValue, sharedPipeline } from "../workers/pipeline-pool.ts";
import type { Caller, NodeContext, ParsedPackage } from "./ports.ts";

export type PackageBody = Buffer | { stream: AsyncIterable<Buffer>; length?: number };

export interface AcceptPackageInput {
  body: PackageBody;
  caller: Caller;
  /** Where it came in, for the intake log: "native", "sdkvxp" or the neighbour's node id. */
  source?: string;
  /** `messagetype` declared by an SDKVXP caller, checked against the content. */
  declaredKind?: "edoc" | "status";
  /** Extra recipients named outside the package (SDKVXP `to` header). */
  extraRecipients?: readonly string[];
  /** Network-wide id assigned by the first node; present when a neighbour forwards. */
  packageId?: string;
  /** Signature verdict at the first node, reported by the forwarding neighbour. */
  originSignature?: SignatureVerdictName;
}

export interface AcceptPackageResult {
  packageId: string;
  duplicate: boolean;
  recipients: string[];
  signature?: SignatureVerdictName;
  diagnostics?: Diagnostic[];
}

export function vietnamDay(at: Date): string {
  const p = toVietnamParts(at);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

function sameAgency(code: string, row: AgencyRow | undefined, candidates: readonly string[]): boolean {
  const forms = new Set([normaliseAgencyCode(code), ...(row ? [row.code, row.code102 ?? ""] : [])]);
  return candidates.some((c) => forms.has(normaliseAgencyCode(c)));
}

/** Context gathered along the pipeline, so a refusal can say who sent what. */
interface Trace {
  sender?: string;
  documentId?: string;
  sha256?: string;
  size?: number;
  diagnostic?: Diagnostic;
}

export async function acceptPackage(
  ctx: NodeContext,
  input: AcceptPackageInput,
): Promise<AcceptPackageResult> {
  const trace: Trace = {};
  try {
    return await accept(ctx, input, trace);
  } catch (error) {
    if (isRefusal(error)) {
      await logIntake(ctx, input, trace, {
        outcome: "refused",
        code: error.code,
        vi: error.messageVi,
        en: error.messageEn,
        packageId: null,
      });
    }
    throw error;
  }
}

function isRefusal(error: unknown): error is TrucError {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    (code.startsWith("AXIS_") || code.startsWith("EDXML_")) &&
    typeof (error as TrucError).messageEn === "string"
  );
}

async function logIntake(
  ctx: NodeContext,
  input: AcceptPackageInput,
  trace: Trace,
  o: { outcome: "refused" | "duplicate"; code: string; vi: string; en: string; packageId: string | null },
): Promise<void> {
  try {
    await recordIntake(ctx.db.kysely, {
      at: ctx.clock.now().getTime(),
      source: input.source ?? (input.caller.type === "node" ? input.caller.nodeId : "native"),
      caller:
        input.caller.type === "agency"
          ? input.caller.id
          : input.caller.type === "node"
            ? input.caller.nodeId
            : input.caller.id,
      sender: trace.sender ?? null,
      document_id: trace.documentId?.slice(0, 300) ?? null,
      outcome: o.outcome,
      code: o.code,
      message_vi: o.vi.slice(0, 2000),
      message_en: o.en.slice(0, 2000),
      diagnostic: trace.diagnostic ? JSON.stringify(trace.diagnostic) : null,
      raw_sha256: trace.sha256 ?? null,
      size: trace.size ?? null,
      package_id: o.packageId,
    });
  } catch {
    // The intake log is for operators; a failure to write it must not change the answer.
  }
}

/** Counts bytes as they stream and stops at the limit. */
async function* limited(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw new AxisError("AXIS_PACKAGE_TOO_LARGE", { size, limit });
    yield chunk;
  }
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

interface Checked {
  parsed: ParsedPackage;
  /** The received signature's verdict (computed in the reading pass; trust asked on call). */
  verify(): Promise<VerifyResult>;
  /** The forwarded form; for a spooled package only after `commitBlobs` (its hash reads the blob). */
  forwarded(): Promise<Forwarded>;
  /** In memory for small packages; null when spooled to a blob writer. */
  raw: Buffer | null;
  commitBlobs(): Promise<BlobInfo | undefined>;
  discardBlobs(): Promise<void>;
  extracted: boolean;
  /** The reception time: the hop's TraceHeader time, and what the signature is judged at. */
  receivedAt: Date;
}

interface Forwarded {
  splices: Splice[];
  size: number;
  sha256: string;
}

/** Errors of the verification and forwarding pass surface where the pipeline asks for them. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw o.error;
}

async function accept(
  ctx: NodeContext,
  input: AcceptPackageInput,
  trace: Trace,
): Promise<AcceptPackageResult> {
  const { config, db } = ctx;
  const fromNode = input.caller.type === "node" ? input.caller.nodeId : null;
  if (fromNode !== null && input.packageId) {
    // Exactly-once in effect across hops: a neighbour retrying after a lost answer.
    const existing = await findPackage(db.kysely, input.packageId);
    if (existing)
      return { packageId: existing.id, duplicate: true, recipients: JSON.parse(existing.recipients) };
  }

  const checked = await readAndCheck(ctx, input.body);
  try {
    const { parsed } = checked;
    trace.sha256 = parsed.sha256;
    trace.size = parsed.size;
    trace.sender = normaliseAgencyCode(parsed.from);
    trace.documentId = parsed.documentId;
    for (const a of parsed.attachments) {
      // Names are never used as paths here (blobs are content-addressed), but recipients save
      // attachments under them: a name that is a path is refused at the door.
      if (!isSafeFileName(a.name))
        throw new AxisError("AXIS_ATTACHMENT_NAME_INVALID", { name: JSON.stringify(a.name.slice(0, 120)) });
    }
    if (input.declaredKind && input.declaredKind !== parsed.kind) {
      throw new AxisError("AXIS_MESSAGE_TYPE_MISMATCH", {
        declared: input.declaredKind,
        actual: parsed.kind,
      });
    }
    const sender = trace.sender;
    const senderRow = await findAgency(db.kysely, sender);
    const { receivedAt } = checked;
    const diagnostics: Diagnostic[] = [];
    const policy = signaturePolicy(ctx, sender, senderRow, fromNode !== null);
    const verification = policy === "off" ? undefined : await checked.verify();
    const signature = judgeSignature(ctx, {
      policy,
      sender,
      verification,
      at: receivedAt,
      trace,
      diagnostics,
    });
    const skew = detectClockSkew(parsed.senderTimes, receivedAt, config.trust.maxClockSkewMs);
    if (skew && fromNode === null) diagnostics.push(skew);

    if (input.caller.type === "agency" && !sameAgency(sender, senderRow, input.caller.agencyCodes)) {
      trace.diagnostic = explainSenderMismatch(sender, input.caller.agencyCodes, input.caller.id);
    }
    authoriseSender(input.caller, sender, senderRow);

    const { routes, recipients } = await resolveRecipients(
      ctx,
      parsed,
      sender,
      input.extraRecipients ?? [],
      fromNode,
    );

    let identityKey: string | null = null;
    if (fromNode === null) {
      identityKey = packageIdentityKey({
        kind: parsed.kind,
        sender,
        documentId: parsed.documentId,
        businessType: parsed.kind === "status" ? `status:${parsed.statusCode}` : parsed.businessType,
        rawSha256: parsed.sha256,
      });
    }
    const inline = checked.raw !== null && parsed.size <= config.storage.inlineMaxBytes;
    // An inline package's duplicate is found by the package writer, in one look-up for all the
    // packages written together; a large one's before its blobs are committed.
    if (identityKey !== null && !inline) {
      const existing = await findPackageByIdentity(db.kysely, identityKey);
      if (existing) {
        await checked.discardBlobs();
        return duplicateAnswer(ctx, input, trace, existing);
      }
    }

    // Every check passed: now make the bytes durable, then the rows that point at them.
    await checked.commitBlobs();
    const fwd = await checked.forwarded();
    if (checked.raw !== null && !inline) await ctx.blobs.put(checked.raw);

    const packageId = input.packageId ?? ctx.newId();
    const verdictForStats: SignatureVerdictName =
      fromNode !== null && input.originSignature ? input.originSignature : signature;
    const row: PackageRow = {
      id: packageId,
      kind: parsed.kind,
      sender,
      document_id: parsed.documentId,
      business_type: parsed.kind === "status" ? (parsed.statusCode ?? "") : parsed.businessType,
      status_code: parsed.statusCode ?? null,
      response_for: parsed.responseForOrganId ?? null,
      subject: parsed.subject ?? null,
      notation: parsed.notation ?? null,
      recipients: JSON.stringify(recipients),
      raw_sha256: parsed.sha256,
      raw_size: parsed.size,
      fwd_sha256: fwd.sha256,
      fwd_size: fwd.size,
      signature: verdictForStats,
      identity_key: identityKey,
      from_node: fromNode,
      caller: input.caller.type === "agency" ? input.caller.id : null,
      received_at: receivedAt.getTime(),
      // The package writer moves bytes bound for the body log there (RAW_PLACE.bodyLog).
      raw_inline: inline ? RAW_PLACE.database : RAW_PLACE.blobStore,
      raw_log_segment: null,
      raw_log_offset: null,
      fwd_splices: encodeSplices(fwd.splices),
      attachments: JSON.stringify(parsed.attachments.map((a) => ({ ...a, extracted: checked.extracted }))),
      diagnostic: diagnostics.length > 0 ? JSON.stringify(diagnostics) : null,
    };
    const day = vietnamDay(receivedAt);
    const evidence = queuedEvidence({
      at: receivedAt,
      kind: fromNode === null ? "accept" : "receive",
      nodeId: config.nodeId,
      packageId,
      actor: fromNode ?? (input.caller.type === "agency" ? input.caller.id : null),
      details: {
        kind: parsed.kind,
        sender,
        documentId: parsed.documentId,
        businessType: row.business_type,
        rawSha256: parsed.sha256,
        forwardedSha256: fwd.sha256,
        // Status packages carry no TraceHeaderList: this record is their hop.
        hop: { organId: config.organId, at: receivedAt.toISOString(), inPackage: parsed.kind === "edoc" },
        signature,
        ...(verification?.certificate ? { signer: verification.certificate.subject } : {}),
        routes: Object.fromEntries(routes),
        attachments: parsed.attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
      },
    });
    const stored = {
      row,
      routes,
      day,
      evidence,
      ...(inline ? { body: { sha256: parsed.sha256, bytes: checked.raw!, ...bodyLogOf(ctx) } } : {}),
    };
    // A business status joins the timeline of the document it answers (its recipient's row).
    let status: StatusWrite | undefined;
    if (parsed.kind === "status" && parsed.statusCode && parsed.responseForOrganId) {
      const who = routeStatus({
        statusCode: parsed.statusCode,
        from: sender,
        responseForOrganId: parsed.responseForOrganId,
      });
      status = {
        row: {
          document_id: parsed.documentId,
          recipient: who.recipient,
          status_code: parsed.statusCode,
          document_issuer: who.documentIssuer,
          package_id: packageId,
          status_time: parsed.statusTime ?? null,
          received_at: row.received_at,
          day,
        },
      };
    }
    try {
      // Shares its commit with the packages accepted at the same moment (see package-writer).
      const { duplicateOf } = await writePackage(db, { pkg: stored, ...(status ? { status } : {}) });
      if (duplicateOf) return duplicateAnswer(ctx, input, trace, duplicateOf);
    } catch (error) {
      if (isUniqueViolation(error)) {
        // A concurrent twin won the race: answer with its id, exactly as a later duplicate would.
        const twin = identityKey
          ? await findPackageByIdentity(db.kysely, identityKey)
          : await findPackage(db.kysely, packageId);
        if (twin) return duplicateAnswer(ctx, input, trace, twin);
      }
      throw error;
    }
    if ([...routes.values()].some((hop) => hop !== "local")) ctx.onOutbox?.();
    return {
      packageId,
      duplicate: false,
      recipients,
      signature,
      ...(diagnostics.length > 0 ? { diagnostics } : {}),
    };
  } catch (error) {
    await checked.discardBlobs();
    throw error;
  }
}

/** Where a package kept inline goes: the body log (`storage.bodies` = "log") or `axis_bodies`. */
function bodyLogOf(ctx: NodeContext): { log?: AppendLog } {
  return ctx.config.storage.bodies === "log" && ctx.bodyLog ? { log: ctx.bodyLog } : {};
}

function isSafeFileName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (name === "." || name === ".." || name.includes("/") || name.includes("\\")) return false;
  if (/^[a-zA-Z]:/.test(name)) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return !/[\u0000-\u001f\u007f]/.test(name);
}

async function duplicateAnswer(
  ctx: NodeContext,
  input: AcceptPackageInput,
  trace: Trace,
  existing: PackageRow,
): Promise<AcceptPackageResult> {
  const diagnostic = explainDuplicate(existing.id, new Date(Number(existing.received_at)));
  trace.diagnostic = diagnostic;
  await logIntake(ctx, input, trace, {
    outcome: "duplicate",
    code: diagnostic.code,
    vi: diagnostic.vi,
    en: diagnostic.en,
    packageId: existing.id,
  });
  return {
    packageId: existing.id,
    duplicate: true,
    recipients: JSON.parse(existing.recipients),
    diagnostics: [diagnostic],
  };
}

/**
 * Parses and validates the package, and prepares its forwarded form with the verification of
 * its signature. In memory when it is small; otherwise one read of the stream feeds the parser,
 * the forwarding pass and a blob writer side by side.
 */
async function readAndCheck(ctx: NodeContext, body: PackageBody): Promise<Checked> {
  const { config } = ctx;
  const limits = config.limits;
  const parseLimits = {
    maxFieldBytes: limits.maxFieldBytes,
    maxAttachments: limits.maxAttachments,
    maxBytes: limits.maxPackageBytes,
  };
  const at = ctx.clock.now();
  const forwardOptions = {
    organId: config.organId,
    at,
    signer: ctx.signer && config.signature.signForwarded ? ctx.signer : undefined,
  };
  let raw: Buffer | null = null;
  let stream: AsyncIterable<Buffer> | null = null;
  if (Buffer.isBuffer(body)) {
    raw = body;
  } else {
    if (body.length !== undefined && body.length > limits.maxPackageBytes)
      throw new AxisError("AXIS_PACKAGE_TOO_LARGE", { size: body.length, limit: limits.maxPackageBytes });
    const source = limited(body.stream, limits.maxPackageBytes);
    if (body.length !== undefined && body.length <= limits.inMemoryBytes) raw = await collect(source);
    else stream = source;
  }
  if (raw !== null) {
    if (raw.length === 0) throw new AxisError("AXIS_PACKAGE_EMPTY");
    if (raw.length > limits.maxPackageBytes)
      throw new AxisError("AXIS_PACKAGE_TOO_LARGE", { size: raw.length, limit: limits.maxPackageBytes });
    const extract =
      config.storage.extractAttachments === "always" ||
      (config.storage.extractAttachments === "large" && raw.length > config.storage.inlineMaxBytes);
    if (!extract) {
      const done = await inWorker(ctx, raw, parseLimits, at);
      if (done) return done;
    }
    const sink = extract ? deferredBlobSink(ctx.blobs) : hashingSink();
    // One tokenisation for both: the parse and the forwarding pass (verification, TraceHeader,
    // re-signature) see the same events; a forwarding error surfaces where it is asked for.
    let both: Awaited<ReturnType<typeof readAndPrepareForward>>;
    try {
      both = await readAndPrepareForward(raw, { sink, limits: parseLimits, ...forwardOptions });
    } catch (error) {
      await sink.discard();
      throw error;
    }
    const { parsed } = both;
    const inMemory = raw;
    const prepared = await outcome(both.prepare());
    return {
      parsed,
      verify: () => unwrap(prepared).verify(trustOf(ctx)),
      forwarded: async () => {
        const { forward } = unwrap(prepared);
        return { ...forward, sha256: forwardedSha256(inMemory, forward.splices) };
      },
      raw,
      extracted: extract,
      receivedAt: at,
      commitBlobs: async () => {
        await sink.commit();
        return undefined;
      },
      discardBlobs: async () => {
        await sink.discard();
      },
    };
  }

  // Large: fan one read out to the reading pass (parse + forwarding) and the blob writer.
  const extract = config.storage.extractAttachments !== "never";
  const sink = extract ? deferredBlobSink(ctx.blobs) : hashingSink();
  const writer = ctx.blobs.writer();
  const branches = tee(stream!, 2);
  const [toReader, toWriter] = branches.branches as [AsyncIterable<Buffer>, AsyncIterable<Buffer>];
  const guard = <T>(p: Promise<T>) =>
    p.catch((error: unknown) => {
      branches.fail(error);
      throw error;
    });
  let size = 0;
  const results = await Promise.allSettled([
    guard(readAndPrepareForward(toReader, { sink, limits: parseLimits, ...forwardOptions })),
    guard(
      (async () => {
        for await (const chunk of toWriter) {
          size += chunk.length;
          await writer.write(chunk);
        }
      })(),
    ),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  const discard = async () => {
    await sink.discard();
    await writer.abort().catch(() => undefined);
  };
  if (failed) {
    await discard();
    // The reader's error names the real problem; a writer or tee error is secondary.
    const readerError = results[0].status === "rejected" ? results[0].reason : undefined;
    throw readerError ?? failed.reason;
  }
  if (size === 0) {
    await discard();
    throw new AxisError("AXIS_PACKAGE_EMPTY");
  }
  const both = (results[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof readAndPrepareForward>>>)
    .value;
  const { parsed } = both;
  const prepared = await outcome(both.prepare());
  let committed = false;
  return {
    parsed,
    verify: () => unwrap(prepared).verify(trustOf(ctx)),
    forwarded: async () => {
      const { forward } = unwrap(prepared);
      // The forwarded bytes' hash, read back from the committed blob: memory stays flat.
      const hash = createHash("sha256");
      const source = (await ctx.blobs.get(parsed.sha256)) as AsyncIterable<Buffer>;
      for await (const chunk of spliceStream(source, forward.splices)) hash.update(chunk);
      return { ...forward, sha256: hash.digest("hex") };
    },
    raw: null,
    extracted: extract,
    receivedAt: at,
    commitBlobs: async () => {
      const [info] = await Promise.all([writer.finish(), sink.commit()]);
      committed = true;
      return info;
    },
    discardBlobs: async () => {
      if (!committed) await discard();
    },
  };
}

/**
 * The CPU-bound part on a worker thread: parse + validate, the forwarding pass with the
 * verification (trust asked of the main thread; the node key stays here). Verification and
 * forwarding are done ahead, whatever the policy turns out to be; their errors are raised
 * where the main thread path would raise them (judging the signature, storing the forwarded
 * form). Returns undefined when no worker is available: the caller does the work itself.
 */
async function inWorker(
  ctx: NodeContext,
  raw: Buffer,
  limits: { maxFieldBytes: number; maxAttachments: number; maxBytes: number },
  at: Date,
): Promise<Checked | undefined> {
  const pool = ctx.pipeline === undefined ? sharedPipeline() : ctx.pipeline;
  if (!pool?.ready) return undefined;
  const signer = ctx.signer && ctx.config.signature.signForwarded ? ctx.signer : undefined;
  let result: Awaited<ReturnType<typeof pool.run>>;
  try {
    result = await pool.run(
      {
        // A Buffer posted to a thread is cloned with its whole ArrayBuffer: send only its bytes.
        raw: raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw),
        limits,
        at: at.getTime(),
        organId: ctx.config.organId,
        verify: true,
        ...(signer
          ? {
              signer: {
                algorithm: signer.algorithm,
                certificate: signer.certificate,
                chain: [...signer.chain],
              },
            }
          : {}),
      },
      { trust: trustOf(ctx), signer },
    );
  } catch (error) {
    if (error instanceof PoolUnavailable) return undefined;
    throw error;
  }
  const { verification, forward } = result;
  if (forward.ok) {
    // Posted Buffers arrive as Uint8Arrays.
    for (const x of forward.value.splices)
      x.insert = Buffer.from(x.insert.buffer, x.insert.byteOffset, x.insert.byteLength);
  }
  return {
    parsed: result.parsed,
    verify: async () => settledValue(verification!),
    forwarded: async () => settledValue(forward),
    raw,
    extracted: false,
    commitBlobs: async () => undefined,
    discardBlobs: async () => {},
    receivedAt: at,
  };
}

/** Without configured anchors nothing is trusted, but an unsigned package still reads as unsigned. */
const noTrustAnchors: TrustCallback = async () => ({
  status: "indeterminate",
  reason: "AXIS_NO_TRUST_ANCHORS",
  messageVi: "Nút chưa cấu hình CA gốc tin cậy",
  messageEn: "no trust anchors are configured on this node",
});

function trustOf(ctx: NodeContext): TrustCallback {
  return ctx.trust ?? noTrustAnchors;
}

function certificateFacts(v: VerifyResult | undefined) {
  if (!v?.certificate) return undefined;
  try {
    const c = new X509Certificate(Buffer.from(v.certificate.der));
    return {
      subject: v.certificate.subject,
      notBefore: new Date(c.validFrom),
      notAfter: new Date(c.validTo),
    };
  } catch {
    return undefined;
  }
}

/**
 * Applies the sender's signature policy to the verification result. "require": a valid
 * signature, nothing else (indeterminate trust is refused). "verify-if-present": an invalid
 * signature is refused, an indeterminate one is accepted and flagged. "off": not judged.
 */
function signaturePolicy(
  ctx: NodeContext,
  sender: string,
  senderRow: AgencyRow | undefined,
  fromNeighbour: boolean,
): SignaturePolicy {
  // Between nodes the package carries the previous node's signature: check it when present.
  if (fromNeighbour) return "verify-if-present";
  return (
    ctx.config.signature.perSender[sender] ??
    (senderRow?.signature_policy as SignaturePolicy | null | undefined) ??
    ctx.config.signature.default
  );
}

function judgeSignature(
  ctx: NodeContext,
  o: {
    policy: SignaturePolicy;
    sender: string;
    verification: VerifyResult | undefined;
    at: Date;
    trace: Trace;
    diagnostics: Diagnostic[];
  },
): SignatureVerdictName {
  const policy = o.policy;
  if (policy === "off") return "unchecked";
  const v = o.verification;
  if (!v) throw new AxisError("AXIS_SIGNATURE_INVALID", { reason: "not verified" });
  if (v.status === "unsigned") {
    if (policy === "require") throw new AxisError("AXIS_SIGNATURE_REQUIRED", { sender: o.sender });
    return "absent";
  }
  if (v.status === "valid") return "valid";
  const trustProblem =
    v.code === "EDXML_SIGNATURE_UNTRUSTED" || v.code === "EDXML_SIGNATURE_TRUST_INDETERMINATE";
  const diagnostic = trustProblem
    ? explainTrust({
        reason: v.trust?.reason,
        status: v.status === "indeterminate" ? "indeterminate" : "invalid",
        certificate: certificateFacts(v),
        now: o.at,
        maxSkewMs: ctx.config.trust.maxClockSkewMs,
        pkiMessage: { vi: v.trust?.messageVi, en: v.trust?.messageEn },
      })
    : undefined;
  if (v.status === "indeterminate" && policy === "verify-if-present") {
    if (diagnostic) o.diagnostics.push(diagnostic);
    return "indeterminate";
  }
  if (diagnostic) o.trace.diagnostic = diagnostic;
  // The edXML verifier's own code is the answer (digest mismatch, bad value, untrusted,
  // indeterminate); the plain-word diagnostic travels in the details.
  throw new EdxmlError(v.code ?? "EDXML_SIGNATURE_INVALID", {
    reason: v.trust?.reason ?? v.status,
    ...(diagnostic ? { diagnostic: { code: diagnostic.code, vi: diagnostic.vi, en: diagnostic.en } } : {}),
  });
}

function authoriseSender(caller: Caller, sender: string, senderRow: AgencyRow | undefined): void {
  if (caller.type === "agency") {
    if (!sameAgency(sender, senderRow, caller.agencyCodes))
      throw new AxisError("AXIS_SENDER_MISMATCH", { sender });
    return;
  }
  if (caller.type === "node") {
    // A neighbour may only relay packages of agencies reached through it.
    if (!senderRow || senderRow.deleted === 1 || senderRow.via_node !== caller.nodeId) {
      throw new AxisError("AXIS_SENDER_MISMATCH", { sender });
    }
    return;
  }
  throw new AxisError("AXIS_FORBIDDEN");
}

async function resolveRecipients(
  ctx: NodeContext,
  parsed: ParsedPackage,
  sender: string,
  extra: readonly string[],
  fromNode: string | null,
): Promise<{ routes: Map<string, string>; recipients: string[] }> {
  const db = ctx.db.kysely;
  const wanted = new Set<string>();
  if (parsed.kind === "status") {
    if (!parsed.responseForOrganId)
      throw new AxisError("AXIS_PACKAGE_INVALID", { reason: "status without ResponseFor/OrganId" });
    wanted.add(normaliseAgencyCode(parsed.responseForOrganId));
  } else {
    for (const to of parsed.to) wanted.add(normaliseAgencyCode(to));
    // Revoke, update and replace must reach every recipient of the original document.
    if (parsed.businessType !== "0") {
      for (const target of new Set([parsed.documentId, ...parsed.targetDocumentIds])) {
        for (const r of await recipientsOfDocument(db, sender, target)) wanted.add(r);
      }
    }
  }
  for (const to of extra) wanted.add(normaliseAgencyCode(to));
  if (wanted.size === 0) throw new AxisError("AXIS_NO_RECIPIENTS");
  if (wanted.size > ctx.config.limits.maxRecipients) {
    throw new AxisError("AXIS_PACKAGE_INVALID", {
      reason: `more than ${ctx.config.limits.maxRecipients} recipients`,
    });
  }
  const routes = new Map<string, string>();
  const recipients: string[] = [];
  for (const code of wanted) {
    const row = await findAgency(db, code);
    const decision = decideNextHop(row ? toDirectoryEntry(row) : undefined);
    if (!decision.ok) {
      throw new AxisError(
        decision.reason === "suspended" ? "AXIS_RECIPIENT_SUSPENDED" : "AXIS_RECIPIENT_UNKNOWN",
        { code },
      );
    }
    const canonical = row!.code;
    recipients.push(canonical);
    const hop = decision.hop.kind === "local" ? "local" : decision.hop.nodeId;
    // Never send a package back to the neighbour it came from: that side handles it.
    if (hop === fromNode) continue;
    routes.set(canonical, hop);
  }
  return { routes, recipients };
}
