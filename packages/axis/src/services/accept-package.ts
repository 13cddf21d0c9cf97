/**
 * The pipeline every package goes through, from an agency or from a neighbour node:
 * size limits → edXML parse (attachments streamed into the blob store) → validation →
 * signature check per policy → sender authorisation → recipients resolved → de-duplication →
 * durable store (blobs fsync'd, then one transaction: package, routes, mailbox rows, outbox
 * rows, status timeline, rollups, evidence) → answer. The TraceHeader for this hop is
 * appended (and the package re-signed with the node key) before the transaction, so the
 * forwarded bytes are durable when the outbox row that points at them commits; the original
 * bytes are kept as received.
 */
import { createHash } from "node:crypto";
import { toVietnamParts } from "@truc/common";
import { isUniqueViolation } from "@truc/store";
import type { SignaturePolicy } from "../config.ts";
import { normaliseAgencyCode } from "../domain/agency-code.ts";
import { packageIdentityKey } from "../domain/package-identity.ts";
import { decideNextHop } from "../domain/routing.ts";
import { routeStatus } from "../domain/status.ts";
import { AxisError } from "../errors.ts";
import { type AgencyRow, findAgency, toDirectoryEntry } from "../repositories/directory-repository.ts";
import { appendEvidence } from "../repositories/evidence-repository.ts";
import {
  documentArrival,
  findPackage,
  findPackageByIdentity,
  insertPackage,
  type PackageRow,
  recipientsOfDocument,
  recordStatus,
} from "../repositories/package-repository.ts";
import type { Caller, NodeContext, ParsedPackage, SignatureVerdict } from "./ports.ts";

export interface AcceptPackageInput {
  raw: Buffer;
  caller: Caller;
  /** `messagetype` declared by an SDKVXP caller, checked against the content. */
  declaredKind?: "edoc" | "status";
  /** Extra recipients named outside the package (SDKVXP `to` header). */
  extraRecipients?: readonly string[];
  /** Network-wide id assigned by the first node; present when a neighbour forwards. */
  packageId?: string;
  /** Signature verdict at the first node, reported by the forwarding neighbour. */
  originSignature?: PackageRow["signature"];
}

export interface AcceptPackageResult {
  packageId: string;
  duplicate: boolean;
  recipients: string[];
}

export function vietnamDay(at: Date): string {
  const p = toVietnamParts(at);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

function sameAgency(code: string, row: AgencyRow | undefined, candidates: readonly string[]): boolean {
  const forms = new Set([normaliseAgencyCode(code), ...(row ? [row.code, row.code102 ?? ""] : [])]);
  return candidates.some((c) => forms.has(normaliseAgencyCode(c)));
}

export async function acceptPackage(
  ctx: NodeContext,
  input: AcceptPackageInput,
): Promise<AcceptPackageResult> {
  const { config, db, blobs, codec } = ctx;
  const raw = input.raw;
  if (raw.length === 0) throw new AxisError("AXIS_PACKAGE_EMPTY");
  if (raw.length > config.limits.maxPackageBytes) {
    throw new AxisError("AXIS_PACKAGE_TOO_LARGE", { size: raw.length, limit: config.limits.maxPackageBytes });
  }
  const fromNode = input.caller.type === "node" ? input.caller.nodeId : null;
  if (fromNode !== null && input.packageId) {
    // Exactly-once in effect across hops: a neighbour retrying after a lost answer.
    const existing = await findPackage(db.kysely, input.packageId);
    if (existing)
      return { packageId: existing.id, duplicate: true, recipients: JSON.parse(existing.recipients) };
  }

  const parsed = await codec.parse(raw, blobs);
  if (input.declaredKind && input.declaredKind !== parsed.kind) {
    throw new AxisError("AXIS_MESSAGE_TYPE_MISMATCH", { declared: input.declaredKind, actual: parsed.kind });
  }
  const sender = normaliseAgencyCode(parsed.from);
  const senderRow = await findAgency(db.kysely, sender);

  const receivedAt = ctx.clock.now();
  const signature = await checkSignature(ctx, parsed, senderRow, raw, receivedAt, fromNode !== null);

  authoriseSender(input.caller, sender, senderRow);

  const { routes, recipients } = await resolveRecipients(
    ctx,
    parsed,
    sender,
    input.extraRecipients ?? [],
    fromNode,
  );

  const rawSha256 = createHash("sha256").update(raw).digest("hex");
  let identityKey: string | null = null;
  if (fromNode === null) {
    identityKey = packageIdentityKey({
      kind: parsed.kind,
      sender,
      documentId: parsed.documentId,
      businessType: parsed.kind === "status" ? `status:${parsed.statusCode}` : parsed.businessType,
      rawSha256,
    });
    const existing = await findPackageByIdentity(db.kysely, identityKey);
    if (existing)
      return { packageId: existing.id, duplicate: true, recipients: JSON.parse(existing.recipients) };
  }

  let forwarded = await codec.appendTrace(raw, config.organId, receivedAt);
  if (ctx.signer && config.signature.signForwarded) forwarded = await codec.sign(forwarded, ctx.signer);
  // Both files are fsync'd before the transaction that references them; in parallel.
  const [rawInfo, fwdInfo] = await Promise.all([blobs.put(raw), blobs.put(forwarded)]);

  const packageId = input.packageId ?? ctx.newId();
  const verdictForStats =
    fromNode !== null && input.originSignature
      ? input.originSignature
      : (signature.verdict as PackageRow["signature"]);
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
    raw_sha256: rawInfo.sha256,
    raw_size: rawInfo.size,
    fwd_sha256: fwdInfo.sha256,
    fwd_size: fwdInfo.size,
    signature: verdictForStats,
    identity_key: identityKey,
    from_node: fromNode,
    caller: input.caller.type === "agency" ? input.caller.id : null,
    received_at: receivedAt.getTime(),
  };
  const day = vietnamDay(receivedAt);
  try {
    await db.transaction(async (trx) => {
      await insertPackage(trx, { row, routes, day });
      if (parsed.kind === "status" && parsed.statusCode && parsed.responseForOrganId) {
        const who = routeStatus({
          statusCode: parsed.statusCode,
          from: sender,
          responseForOrganId: parsed.responseForOrganId,
        });
        const arrival = await documentArrival(trx, parsed.documentId, who.recipient);
        await recordStatus(trx, {
          document_id: parsed.documentId,
          recipient: who.recipient,
          status_code: parsed.statusCode,
          document_issuer: who.documentIssuer,
          package_id: packageId,
          status_time: parsed.statusTime ?? null,
          received_at: row.received_at,
          elapsed_ms: arrival === undefined ? null : row.received_at - arrival,
          day,
        });
      }
      await appendEvidence(trx, db.dialect, {
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
          rawSha256: rawInfo.sha256,
          forwardedSha256: fwdInfo.sha256,
          signature: signature.verdict,
          routes: Object.fromEntries(routes),
          attachments: parsed.attachments,
        },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      // A concurrent twin won the race: answer with its id, exactly as a later duplicate would.
      const twin = identityKey
        ? await findPackageByIdentity(db.kysely, identityKey)
        : await findPackage(db.kysely, packageId);
      if (twin) return { packageId: twin.id, duplicate: true, recipients: JSON.parse(twin.recipients) };
    }
    throw error;
  }
  if ([...routes.values()].some((hop) => hop !== "local")) ctx.onOutbox?.();
  return { packageId, duplicate: false, recipients };
}

async function checkSignature(
  ctx: NodeContext,
  parsed: ParsedPackage,
  senderRow: AgencyRow | undefined,
  raw: Buffer,
  at: Date,
  fromNeighbour: boolean,
): Promise<SignatureVerdict | { verdict: "unchecked" }> {
  const sender = normaliseAgencyCode(parsed.from);
  // Between nodes the package carries the previous node's signature: check it when present.
  const policy: SignaturePolicy = fromNeighbour
    ? "verify-if-present"
    : (ctx.config.signature.perSender[sender] ??
      (senderRow?.signature_policy as SignaturePolicy | null | undefined) ??
      ctx.config.signature.default);
  if (policy === "off") return { verdict: "unchecked" };
  if (!parsed.signed) {
    if (policy === "require") throw new AxisError("AXIS_SIGNATURE_REQUIRED", { sender });
    return { verdict: "absent" };
  }
  if (!ctx.trust) throw new AxisError("AXIS_SIGNATURE_INVALID", { reason: "no trust anchors configured" });
  const verdict = await ctx.codec.verifySignature(raw, ctx.trust, at);
  if (verdict.verdict === "invalid")
    throw new AxisError("AXIS_SIGNATURE_INVALID", { reason: verdict.reason });
  return verdict;
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
