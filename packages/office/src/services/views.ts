/** Rows → the JSON shapes the API returns (camelCase, parsed JSON columns). */
import { fromJsonText } from "@truc/store";
import type { DuplicateFlag } from "../domain/incoming.ts";
import type { SignatureReport } from "../ports.ts";
import type { IncomingRow, OutgoingRow, RecipientRow, ReviewRow, VersionRow } from "../repositories/rows.ts";

export interface OutgoingView {
  id: string;
  state: string;
  typeCode: string;
  typeName: string;
  subject: string;
  content: string | null;
  notation: string;
  number: number | null;
  numberYear: number | null;
  code: string | null;
  documentId: string | null;
  promulgationDate: string | null;
  urgency: string;
  dueDate: string | null;
  pageCount: number | null;
  copies: number | null;
  appendices: string[];
  places: string[];
  recipients: { organId: string; organName: string }[];
  signer: {
    userId: string | null;
    competence: string | null;
    position: string | null;
    fullName: string | null;
  };
  signedAt: string | null;
  sealedAt: string | null;
  issuedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  replaces: string[];
  fileVersion: number;
  reviewRound: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function outgoingView(r: OutgoingRow): OutgoingView {
  return {
    id: r.id,
    state: r.state,
    typeCode: r.type_code,
    typeName: r.type_name,
    subject: r.subject,
    content: r.content,
    notation: r.notation,
    number: r.number,
    numberYear: r.number_year,
    code: r.code_number && r.code_notation ? `${r.code_number}/${r.code_notation}` : null,
    documentId: r.document_id,
    promulgationDate: r.promulgation_date,
    urgency: r.urgency,
    dueDate: r.due_date,
    pageCount: r.page_count,
    copies: r.copies,
    appendices: fromJsonText<string[]>(r.appendices) ?? [],
    places: fromJsonText<string[]>(r.places) ?? [],
    recipients: fromJsonText<{ organId: string; organName: string }[]>(r.recipients) ?? [],
    signer: {
      userId: r.signer_user_id,
      competence: r.signer_competence,
      position: r.signer_position,
      fullName: r.signer_name,
    },
    signedAt: r.signed_at,
    sealedAt: r.sealed_at,
    issuedAt: r.issued_at,
    revokedAt: r.revoked_at,
    revokeReason: r.revoke_reason,
    replaces: fromJsonText<string[]>(r.replaces) ?? [],
    fileVersion: r.file_version,
    reviewRound: r.review_round,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function versionView(v: VersionRow) {
  return {
    version: v.version,
    kind: v.kind,
    fileName: v.file_name,
    contentType: v.content_type,
    size: v.size,
    sha256: v.file_ref.replace(/^sha256:/, ""),
    note: v.note,
    createdBy: v.created_by,
    createdAt: v.created_at,
  };
}

export function reviewView(r: ReviewRow) {
  return {
    round: r.round,
    reviewerId: r.reviewer_id,
    decision: r.decision,
    comment: r.comment,
    decidedAt: r.decided_at,
  };
}

export function recipientView(r: RecipientRow) {
  return { organId: r.organ_id, organName: r.organ_name, state: r.state, updatedAt: r.updated_at };
}

export interface IncomingAttachment {
  name: string;
  contentType: string;
  size: number;
  ref: string | null;
}

export interface PendingRequest {
  kind: "take-back" | "update";
  reason: string;
  receivedAt: string;
  /** update: the new metadata proposed by the sender. */
  changes?: Record<string, unknown>;
  updateId?: string;
}

export interface IncomingView {
  id: string;
  state: string;
  documentId: string;
  businessType: number;
  from: { organId: string; name: string };
  code: string;
  promulgationDate: string;
  typeName: string;
  subject: string;
  signer: { competence: string | null; position: string | null; fullName: string | null };
  urgency: string;
  dueDate: string | null;
  places: string[];
  attachments: { index: number; name: string; contentType: string; size: number; available: boolean }[];
  validation: { package: string; signatures: (SignatureReport & { attachment: string })[] };
  duplicateFlags: DuplicateFlag[];
  arrivalYear: number | null;
  arrivalNumber: number | null;
  receivedAt: string;
  registeredAt: string | null;
  rejectedReason: string | null;
  assignment: {
    unitId: string | null;
    userId: string | null;
    at: string | null;
    deadline: string | null;
    instructions: string | null;
  };
  completedAt: string | null;
  resultNote: string | null;
  replyOutgoingId: string | null;
  pendingRequest: PendingRequest | null;
  replacedBy: string | null;
  replaces: string[];
  revokedAt: string | null;
  revokeReason: string | null;
  updatedAt: string;
}

export function incomingView(r: IncomingRow): IncomingView {
  const attachments = fromJsonText<IncomingAttachment[]>(r.attachments) ?? [];
  return {
    id: r.id,
    state: r.state,
    documentId: r.document_id,
    businessType: r.business_type,
    from: { organId: r.from_organ_id, name: r.from_name },
    code: `${r.code_number}/${r.code_notation}`,
    promulgationDate: r.promulgation_date,
    typeName: r.type_name,
    subject: r.subject,
    signer: { competence: r.signer_competence, position: r.signer_position, fullName: r.signer_name },
    urgency: r.urgency,
    dueDate: r.due_date,
    places: fromJsonText<string[]>(r.places) ?? [],
    attachments: attachments.map((a, index) => ({
      index,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      available: a.ref !== null,
    })),
    validation: fromJsonText(r.validation) ?? { package: "unknown", signatures: [] },
    duplicateFlags: fromJsonText<DuplicateFlag[]>(r.duplicate_flags) ?? [],
    arrivalYear: r.arrival_year,
    arrivalNumber: r.arrival_number,
    receivedAt: r.received_at,
    registeredAt: r.registered_at,
    rejectedReason: r.rejected_reason,
    assignment: {
      unitId: r.assigned_unit_id,
      userId: r.assigned_user_id,
      at: r.assigned_at,
      deadline: r.deadline,
      instructions: r.instructions,
    },
    completedAt: r.completed_at,
    resultNote: r.result_note,
    replyOutgoingId: r.reply_outgoing_id,
    pendingRequest: fromJsonText<PendingRequest>(r.pending_request),
    replacedBy: r.replaced_by,
    replaces: fromJsonText<string[]>(r.replaces) ?? [],
    revokedAt: r.revoked_at,
    revokeReason: r.revoke_reason,
    updatedAt: r.updated_at,
  };
}
