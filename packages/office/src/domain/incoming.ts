/**
 * Incoming-document (văn bản đến) state machine, spec §3.5, and the status package each
 * transition emits. Every emission carries a dedupe key; the outbox stores it under a unique
 * constraint so that a transition replayed (double click, retry, restart) never sends twice.
 *
 *   received ─01→ arrived ─02→ rejected
 *                    └─03→ registered ─04→ assigned ─05→ processing ─06→ done
 *   (04 and 05 may be skipped; 06 may follow 03 directly)
 *   take-back (13 from sender): 15 → taken_back while nobody has been assigned yet, or 16
 *   revoke (BussinessDocType 1): 03 → revoked (file deleted, metadata kept), or 02
 *   update (BussinessDocType 2): 15 and apply, or 16
 */
import { STATUS_CODES as STATUS_LABELS, type StatusCode } from "@truc/edxml";
import { OfficeError } from "../errors.ts";

export const INCOMING_STATES = [
  "received",
  "arrived",
  "rejected",
  "registered",
  "assigned",
  "processing",
  "done",
  "taken_back",
  "revoked",
] as const;
export type IncomingState = (typeof INCOMING_STATES)[number];

/** Business status codes (spec §3.2) an office sends or receives; labels from @truc/edxml. */
export { STATUS_CODE_ORDER as STATUS_CODES, type StatusCode } from "@truc/edxml";

export type IncomingEvent =
  | { kind: "arrive" }
  | { kind: "reject"; reason: string }
  | { kind: "register" }
  | { kind: "assign" }
  | { kind: "process" }
  | { kind: "complete" }
  | { kind: "take-back"; accept: boolean; reason?: string }
  | { kind: "revoke"; accept: boolean; reason?: string }
  | { kind: "update"; accept: boolean; reason?: string; updateId: string };

export interface Emission {
  code: StatusCode;
  description: string;
  /** Unique per incoming document: the same emission is never queued twice. */
  dedupeKey: string;
}

export interface IncomingPlan {
  next: IncomingState;
  emit: Emission | null;
}

const ACTIVE: readonly IncomingState[] = ["arrived", "registered", "assigned", "processing", "done"];

function refuse(state: IncomingState, action: string): never {
  throw new OfficeError("OFFICE_INVALID_TRANSITION", { action, state });
}

function requireReason(reason: string | undefined): string {
  const r = reason?.trim() ?? "";
  if (r.length === 0) throw new OfficeError("OFFICE_REASON_REQUIRED");
  if (r.length > 500) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "reason longer than 500" });
  return r;
}

export function planIncoming(state: IncomingState, event: IncomingEvent): IncomingPlan {
  const flow = (
    code: StatusCode,
    next: IncomingState,
    description: string = STATUS_LABELS[code].vi,
  ): IncomingPlan => ({
    next,
    emit: { code, description, dedupeKey: `flow:${code}` },
  });
  switch (event.kind) {
    case "arrive":
      if (state !== "received") refuse(state, event.kind);
      return flow("01", "arrived");
    case "reject":
      if (state !== "arrived") refuse(state, event.kind);
      return flow("02", "rejected", requireReason(event.reason));
    case "register":
      if (state !== "arrived") refuse(state, event.kind);
      return flow("03", "registered");
    case "assign":
      if (state === "registered") return flow("04", "assigned");
      // Re-assignment changes the handler but the sender was already told "04".
      if (state === "assigned") return { next: "assigned", emit: null };
      return refuse(state, event.kind);
    case "process":
      if (state === "registered" || state === "assigned") return flow("05", "processing");
      return refuse(state, event.kind);
    case "complete":
      if (state === "registered" || state === "assigned" || state === "processing") return flow("06", "done");
      return refuse(state, event.kind);
    case "take-back":
      if (!ACTIVE.includes(state) && state !== "received") refuse(state, event.kind);
      if (event.accept) {
        if (!["received", "arrived", "registered"].includes(state))
          throw new OfficeError("OFFICE_TAKE_BACK_TOO_LATE");
        return {
          next: "taken_back",
          emit: {
            code: "15",
            description: event.reason?.trim() || "Đồng ý cho lấy lại",
            dedupeKey: "take-back",
          },
        };
      }
      return {
        next: state,
        emit: { code: "16", description: requireReason(event.reason), dedupeKey: "take-back" },
      };
    case "revoke":
      if (state === "revoked") refuse(state, event.kind);
      if (event.accept)
        return {
          next: "revoked",
          emit: {
            code: "03",
            description: event.reason?.trim() || "Đã thu hồi văn bản",
            dedupeKey: "revoke",
          },
        };
      return {
        next: state,
        emit: { code: "02", description: requireReason(event.reason), dedupeKey: "revoke" },
      };
    case "update":
      if (state === "revoked" || state === "taken_back" || state === "rejected") refuse(state, event.kind);
      if (event.accept)
        return {
          next: state,
          emit: {
            code: "15",
            description: event.reason?.trim() || "Đồng ý cập nhật",
            dedupeKey: `update:${event.updateId}`,
          },
        };
      return {
        next: state,
        emit: { code: "16", description: requireReason(event.reason), dedupeKey: `update:${event.updateId}` },
      };
  }
}

/** What a recipient status tells the sender about that recipient (sender's timeline). */
export type RecipientState =
  | "sent"
  | "arrived"
  | "rejected"
  | "registered"
  | "assigned"
  | "processing"
  | "done"
  | "take_back_requested"
  | "taken_back"
  | "take_back_refused"
  | "revoked"
  | "revoke_refused";

/**
 * The sender's view of one recipient after a status from it. 15/16 answer a take-back only
 * while one is outstanding (otherwise they answer an update and leave the state alone); 03/02
 * answer a revocation once the sender has revoked the document.
 */
export function recipientStateAfter(
  current: RecipientState,
  code: StatusCode,
  context: { takeBackPending?: boolean; revoked?: boolean } = {},
): RecipientState {
  if (context.revoked && (code === "03" || code === "02"))
    return code === "03" ? "revoked" : "revoke_refused";
  switch (code) {
    case "01":
      return current === "sent" ? "arrived" : current;
    case "02":
      return "rejected";
    case "03":
      return "registered";
    case "04":
      return "assigned";
    case "05":
      return "processing";
    case "06":
      return "done";
    case "13":
      return "take_back_requested";
    case "15":
      return context.takeBackPending ? "taken_back" : current;
    case "16":
      return context.takeBackPending ? "take_back_refused" : current;
  }
}

/** Duplicate warnings (NĐ 30 Phụ lục VI): same identifier, or same number/notation/issuer. */
export type DuplicateFlag = "same_document_id" | "same_code_and_issuer";

export interface DuplicateCandidate {
  documentId: string;
  codeNumber: string;
  codeNotation: string;
  issuerOrganId: string;
}

export function duplicateFlags(
  candidate: DuplicateCandidate,
  existing: readonly DuplicateCandidate[],
): DuplicateFlag[] {
  const flags = new Set<DuplicateFlag>();
  const norm = (s: string) => s.normalize("NFC").trim().toUpperCase();
  for (const e of existing) {
    if (e.documentId === candidate.documentId) flags.add("same_document_id");
    if (
      norm(e.codeNumber) === norm(candidate.codeNumber) &&
      norm(e.codeNotation) === norm(candidate.codeNotation) &&
      norm(e.issuerOrganId) === norm(candidate.issuerOrganId)
    )
      flags.add("same_code_and_issuer");
  }
  return [...flags].sort();
}
