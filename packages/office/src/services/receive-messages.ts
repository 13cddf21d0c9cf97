/**
 * The receive loop's body for one agency: pull documents and statuses from the axis, keep each
 * package byte for byte in the blob store, parse and validate it, validate every PDF signature
 * (the report is kept with the document), and answer automatically: 01 on arrival, 03/02 on a
 * revocation. Every package is handled once (`office_inbox_seen`), then acknowledged to the axis.
 */
import { createHash, randomUUID } from "node:crypto";
import { searchKey } from "@truc/common";
import { fromJsonText, toJsonText } from "@truc/store";
import { urgencyFromPriority } from "../domain/document-types.ts";
import {
  type DuplicateCandidate,
  duplicateFlags,
  planIncoming,
  type RecipientState,
  recipientStateAfter,
  STATUS_CODES,
  type StatusCode,
} from "../domain/incoming.ts";
import type {
  AxisMessage,
  EdocHeader,
  PackageAttachment,
  ParsedPackage,
  SignatureReport,
  StatusMessage,
} from "../ports.ts";
import { appendAudit } from "../repositories/audit.ts";
import {
  findIncomingByDocumentId,
  findPossibleDuplicates,
  insertIncoming,
  updateIncoming,
} from "../repositories/incoming.ts";
import { markSeen, wasSeen } from "../repositories/outbox.ts";
import {
  findOutgoingByDocumentId,
  insertRecipientStatus,
  listRecipientStatuses,
  listRecipients,
  setRecipientState,
} from "../repositories/outgoing.ts";
import { listAgencies } from "../repositories/people.ts";
import type { AgencyRow, IncomingRow, Tx } from "../repositories/rows.ts";
import { indexIncoming } from "../repositories/search.ts";
import { recordSignedFile } from "../repositories/verification.ts";
import type { OfficeDeps } from "./context.ts";
import { emitIncomingStatus, organizationOf, queuePackage } from "./package-support.ts";
import type { IncomingAttachment, PendingRequest } from "./views.ts";

export interface ReceiveResult {
  documents: number;
  statuses: number;
  invalid: number;
  duplicates: number;
}

/** One pass for every agency of this deployment. */
export async function receiveAll(deps: OfficeDeps): Promise<ReceiveResult> {
  const total: ReceiveResult = { documents: 0, statuses: 0, invalid: 0, duplicates: 0 };
  for (const agency of await listAgencies(deps.db.kysely as unknown as Tx)) {
    const r = await receiveForAgency(deps, agency);
    total.documents += r.documents;
    total.statuses += r.statuses;
    total.invalid += r.invalid;
    total.duplicates += r.duplicates;
  }
  return total;
}

export async function receiveForAgency(deps: OfficeDeps, agency: AgencyRow): Promise<ReceiveResult> {
  const result: ReceiveResult = { documents: 0, statuses: 0, invalid: 0, duplicates: 0 };
  for (const kind of ["edoc", "status"] as const) {
    for (const message of await deps.gateway.receive({ agencyCode: agency.code, kind })) {
      const outcome = await handleMessage(deps, agency, kind, message);
      if (outcome === "invalid") result.invalid++;
      else if (outcome === "duplicate") result.duplicates++;
      else if (kind === "edoc") result.documents++;
      else result.statuses++;
      await deps.gateway.acknowledge({
        agencyCode: agency.code,
        kind,
        id: message.id,
        outcome: outcome === "invalid" ? "fail" : "done",
      });
    }
  }
  return result;
}

type Outcome = "accepted" | "duplicate" | "invalid";

async function handleMessage(
  deps: OfficeDeps,
  agency: AgencyRow,
  kind: "edoc" | "status",
  message: AxisMessage,
): Promise<Outcome> {
  if (await wasSeen(deps.db.kysely as unknown as Tx, agency.id, kind, message.id)) return "duplicate";
  const raw = await deps.blobs.put(message.bytes);
  const at = deps.clock.now();
  let parsed: ParsedPackage | null = null;
  let problem: string | null = null;
  try {
    parsed = await deps.codec.parse(message.bytes);
    if (parsed.kind !== kind) problem = `expected ${kind}, got ${parsed.kind}`;
  } catch (error) {
    problem = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
  }
  // PDF validation happens outside the transaction (it may take a while and touch the network).
  const reports =
    parsed?.kind === "edoc" && parsed.header.business.type !== 1 && parsed.header.business.type !== 2
      ? await validateAttachments(deps, parsed.attachments, at)
      : [];
  return deps.db.transaction(async (trx) => {
    const tx = trx as unknown as Tx;
    const first = await markSeen(tx, {
      agency_id: agency.id,
      kind,
      axis_message_id: message.id,
      package_ref: raw.ref,
      outcome: problem ? "invalid" : "accepted",
      detail: problem,
      received_at: at.toISOString(),
    });
    if (!first) return "duplicate";
    const audit = (action: string, entityId: string | null, details: Record<string, unknown>) =>
      appendAudit(tx, {
        agencyId: agency.id,
        userId: null,
        action,
        entity: kind === "edoc" ? "incoming" : "status",
        entityId,
        details,
        at,
      });
    if (problem || !parsed) {
      await audit("axis.package-invalid", null, { axisId: message.id, problem, package: raw.sha256 });
      return "invalid";
    }
    if (parsed.kind === "status") {
      await acceptStatus(deps, tx, agency, parsed.status, at, audit);
      return "accepted";
    }
    const { header, attachments } = parsed;
    switch (header.business.type) {
      case 0:
      case 3:
        await acceptDocument(deps, tx, {
          agency,
          header,
          attachments,
          reports,
          axisId: message.id,
          rawRef: raw.ref,
          rawSha: raw.sha256,
          at,
        });
        return "accepted";
      case 1:
        await acceptRevocation(deps, tx, agency, header, message.id, at, audit);
        return "accepted";
      case 2:
        await acceptUpdateRequest(deps, tx, agency, header, message.id, at, audit);
        return "accepted";
    }
  });
}

async function validateAttachments(deps: OfficeDeps, attachments: PackageAttachment[], at: Date) {
  const reports: (SignatureReport & { attachment: string })[] = [];
  for (const a of attachments) {
    if (a.contentType !== "application/pdf" && !a.name.toLowerCase().endsWith(".pdf")) continue;
    try {
      reports.push({ attachment: a.name, ...(await deps.validator.validate(a.bytes, at)) });
    } catch (error) {
      reports.push({
        attachment: a.name,
        status: "indeterminate",
        signatures: [
          {
            signer: "",
            status: "indeterminate",
            reason: (error as { code?: string }).code ?? "VALIDATION_ERROR",
          },
        ],
      });
    }
  }
  return reports;
}

async function acceptDocument(
  deps: OfficeDeps,
  tx: Tx,
  input: {
    agency: AgencyRow;
    header: EdocHeader;
    attachments: PackageAttachment[];
    reports: (SignatureReport & { attachment: string })[];
    axisId: string;
    rawRef: string;
    rawSha: string;
    at: Date;
  },
): Promise<void> {
  const { agency, header, at } = input;
  const stored: IncomingAttachment[] = [];
  const pdfDigests: string[] = [];
  for (const a of input.attachments) {
    const blob = await deps.blobs.put(a.bytes);
    stored.push({ name: a.name, contentType: a.contentType, size: blob.size, ref: blob.ref });
    if (a.contentType === "application/pdf" || a.name.toLowerCase().endsWith(".pdf"))
      pdfDigests.push(blob.sha256);
  }
  const candidate: DuplicateCandidate = {
    documentId: header.documentId,
    codeNumber: header.codeNumber,
    codeNotation: header.codeNotation,
    issuerOrganId: header.from.organId,
  };
  const existing = await findPossibleDuplicates(tx, agency.id, candidate);
  const flags = duplicateFlags(
    candidate,
    existing.map((e) => ({
      documentId: e.document_id,
      codeNumber: e.code_number,
      codeNotation: e.code_notation,
      issuerOrganId: e.from_organ_id,
    })),
  );
  const replaces =
    header.business.type === 3 ? (header.business.replaces ?? []).map((r) => r.documentId) : [];
  const id = randomUUID();
  const row: IncomingRow = {
    id,
    agency_id: agency.id,
    state: "received",
    axis_message_id: input.axisId,
    package_ref: input.rawRef,
    package_sha256: input.rawSha,
    document_id: header.documentId,
    business_type: header.business.type,
    from_organ_id: header.from.organId,
    from_name: header.from.organName,
    code_number: header.codeNumber,
    code_notation: header.codeNotation,
    promulgation_date: header.promulgationDate,
    type_name: header.typeName,
    subject: header.subject,
    signer_competence: header.signer.competence || null,
    signer_position: header.signer.position || null,
    signer_name: header.signer.fullName || null,
    urgency: urgencyFromPriority(header.priority),
    due_date: header.dueDate ? header.dueDate.replaceAll("/", "-") : null,
    places: toJsonText(header.toPlaces),
    attachments: toJsonText(stored),
    validation: toJsonText({ package: "parsed", signatures: input.reports }),
    duplicate_flags: toJsonText(flags),
    arrival_year: null,
    arrival_number: null,
    received_at: at.toISOString(),
    registered_at: null,
    rejected_reason: null,
    assigned_unit_id: null,
    assigned_user_id: null,
    assigned_at: null,
    deadline: null,
    instructions: null,
    completed_at: null,
    result_note: null,
    reply_outgoing_id: null,
    pending_request: null,
    replaced_by: null,
    replaces: toJsonText(replaces),
    revoked_at: null,
    revoke_reason: null,
    updated_at: at.toISOString(),
    search_text: searchKey(
      [
        header.subject,
        header.typeName,
        `${header.codeNumber}/${header.codeNotation}`,
        header.from.organName,
        header.signer.fullName,
        header.content,
      ]
        .filter(Boolean)
        .join(" "),
    ),
  };
  await insertIncoming(tx, row);
  await indexIncoming(tx, row, header.content ?? null);
  for (const sha256 of pdfDigests)
    await recordSignedFile(tx, {
      sha256,
      agency_id: agency.id,
      direction: "incoming",
      entity_id: id,
      created_at: at.toISOString(),
    });
  // Automatic 01 (NĐ 30 Art. 21(2)(c): notify the sender the same day).
  const plan = planIncoming("received", { kind: "arrive" });
  await updateIncoming(tx, agency.id, id, "received", { state: plan.next });
  if (plan.emit) await emitIncomingStatus(deps, tx, { agency, incoming: row, emission: plan.emit, at });
  for (const documentId of replaces) {
    for (const old of await findIncomingByDocumentId(tx, agency.id, header.from.organId, documentId)) {
      await tx
        .updateTable("office_incoming")
        .set({ replaced_by: id, updated_at: at.toISOString() })
        .where("agency_id", "=", agency.id)
        .where("id", "=", old.id)
        .execute();
    }
  }
  await appendAudit(tx, {
    agencyId: agency.id,
    userId: null,
    action: "incoming.received",
    entity: "incoming",
    entityId: id,
    details: {
      documentId: header.documentId,
      from: header.from.organId,
      duplicateFlags: flags,
      package: input.rawSha,
    },
    at,
  });
}

type Audit = (action: string, entityId: string | null, details: Record<string, unknown>) => Promise<void>;

/** NĐ 30 Art. 18(4)(b): cancel the revoked document (file removed, metadata kept) and tell the sender. */
async function acceptRevocation(
  deps: OfficeDeps,
  tx: Tx,
  agency: AgencyRow,
  header: EdocHeader,
  axisId: string,
  at: Date,
  audit: Audit,
): Promise<void> {
  const targetId = header.business.documentId || header.documentId;
  const targets = (await findIncomingByDocumentId(tx, agency.id, header.from.organId, targetId)).filter(
    (t) => t.state !== "revoked",
  );
  if (targets.length === 0) {
    await answerUnknown(
      deps,
      tx,
      agency,
      header,
      targetId,
      "02",
      "Không tìm thấy văn bản cần thu hồi",
      `revoke-unknown:${axisId}`,
      at,
    );
    await audit("incoming.revoke-unknown", null, { documentId: targetId, from: header.from.organId });
    return;
  }
  for (const target of targets) {
    const plan = planIncoming(target.state as never, {
      kind: "revoke",
      accept: true,
      ...(header.business.reason ? { reason: header.business.reason } : {}),
    });
    const attachments = (fromJsonText<IncomingAttachment[]>(target.attachments) ?? []).map((a) => ({
      ...a,
      ref: null,
    }));
    await updateIncoming(tx, agency.id, target.id, target.state, {
      state: plan.next,
      package_ref: null,
      attachments: toJsonText(attachments),
      revoked_at: at.toISOString(),
      revoke_reason: header.business.reason ?? null,
      pending_request: null,
      updated_at: at.toISOString(),
    });
    if (plan.emit) await emitIncomingStatus(deps, tx, { agency, incoming: target, emission: plan.emit, at });
    await audit("incoming.revoked", target.id, {
      reason: header.business.reason ?? null,
      previousState: target.state,
    });
  }
}

async function acceptUpdateRequest(
  deps: OfficeDeps,
  tx: Tx,
  agency: AgencyRow,
  header: EdocHeader,
  axisId: string,
  at: Date,
  audit: Audit,
): Promise<void> {
  const targetId = header.business.documentId || header.documentId;
  const targets = (await findIncomingByDocumentId(tx, agency.id, header.from.organId, targetId)).filter(
    (t) => !["revoked", "taken_back", "rejected"].includes(t.state),
  );
  if (targets.length === 0) {
    await answerUnknown(
      deps,
      tx,
      agency,
      header,
      targetId,
      "16",
      "Không tìm thấy văn bản cần cập nhật",
      `update-unknown:${axisId}`,
      at,
    );
    return;
  }
  for (const target of targets) {
    const request: PendingRequest = {
      kind: "update",
      reason: header.business.reason ?? "",
      receivedAt: at.toISOString(),
      updateId: axisId,
      changes: { subject: header.subject, dueDate: header.dueDate ?? null, content: header.content ?? null },
    };
    await updateIncoming(tx, agency.id, target.id, target.state, {
      pending_request: toJsonText(request),
      updated_at: at.toISOString(),
    });
    await audit("incoming.update-requested", target.id, { reason: request.reason });
  }
}

/** Answers a request about a document this agency does not have (no incoming row to hang it on). */
async function answerUnknown(
  deps: OfficeDeps,
  tx: Tx,
  agency: AgencyRow,
  header: EdocHeader,
  documentId: string,
  code: StatusCode,
  description: string,
  dedupeKey: string,
  at: Date,
): Promise<void> {
  const bytes = await deps.codec.buildStatus({
    from: organizationOf(agency),
    responseFor: {
      organId: header.from.organId,
      code: `${header.codeNumber}/${header.codeNotation}`,
      promulgationDate: header.promulgationDate,
      documentId,
    },
    statusCode: code,
    description,
    timestamp: at,
  });
  await queuePackage(deps, tx, {
    agencyId: agency.id,
    kind: "status",
    dedupeKey,
    to: [header.from.organId],
    bytes,
    statusCode: code,
    at,
  });
}

async function acceptStatus(
  _deps: OfficeDeps,
  tx: Tx,
  agency: AgencyRow,
  status: StatusMessage,
  at: Date,
  audit: Audit,
): Promise<void> {
  const code = status.statusCode as StatusCode;
  if (!STATUS_CODES.includes(code)) {
    await audit("status.unknown-code", null, { code: status.statusCode, from: status.from.organId });
    return;
  }
  if (code === "13") {
    // The sender asks us (a recipient) to give the document back; a clerk answers 15 or 16.
    const targets = (
      await findIncomingByDocumentId(tx, agency.id, status.from.organId, status.responseFor.documentId)
    ).filter((t) => !["revoked", "taken_back", "rejected"].includes(t.state));
    for (const target of targets) {
      const request: PendingRequest = {
        kind: "take-back",
        reason: status.description,
        receivedAt: at.toISOString(),
      };
      await updateIncoming(tx, agency.id, target.id, target.state, {
        pending_request: toJsonText(request),
        updated_at: at.toISOString(),
      });
      await audit("incoming.take-back-requested", target.id, { reason: status.description });
    }
    return;
  }
  const outgoing = await findOutgoingByDocumentId(tx, agency.id, status.responseFor.documentId);
  if (!outgoing) {
    await audit("status.unknown-document", null, {
      documentId: status.responseFor.documentId,
      code,
      from: status.from.organId,
    });
    return;
  }
  const recipient = (await listRecipients(tx, agency.id, outgoing.id)).find(
    (r) => r.organ_id === status.from.organId,
  );
  if (!recipient) {
    await audit("status.unknown-recipient", outgoing.id, { code, from: status.from.organId });
    return;
  }
  const history = await listRecipientStatuses(tx, agency.id, outgoing.id);
  const mine = history.filter((h) => h.organ_id === recipient.organ_id);
  const lastRequest = mine.filter((h) => h.code === "13" && h.direction === "sent").at(-1);
  const takeBackPending =
    lastRequest !== undefined &&
    !mine.some(
      (h) => h.id > lastRequest.id && h.direction === "received" && (h.code === "15" || h.code === "16"),
    );
  const inserted = await insertRecipientStatus(tx, {
    agency_id: agency.id,
    outgoing_id: outgoing.id,
    organ_id: recipient.organ_id,
    code,
    description: status.description,
    direction: "received",
    status_at: status.timestamp.toISOString(),
    recorded_at: at.toISOString(),
    // Duplicates on the wire repeat the same status; a second 03 (accepting a revocation) differs by text.
    dedupe_key: `received:${outgoing.id}:${recipient.organ_id}:${code}:${status.timestamp.toISOString()}:${createHash("sha256").update(status.description).digest("hex").slice(0, 16)}`,
  });
  if (!inserted) return;
  const next = recipientStateAfter(recipient.state as RecipientState, code, {
    takeBackPending,
    revoked: outgoing.state === "revoked",
  });
  await setRecipientState(tx, agency.id, outgoing.id, recipient.organ_id, next, at.toISOString());
  await audit("status.received", outgoing.id, {
    code,
    from: recipient.organ_id,
    description: status.description,
    state: next,
  });
}
