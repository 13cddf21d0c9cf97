/**
 * The clerk answers a sender's pending request: a take-back (13) with 15 (agree: the document
 * is given back, its file removed, metadata kept) or 16 (refuse, with a reason); an update
 * (BussinessDocType 2) with 15 (the new metadata is applied) or 16.
 */
import { fromJsonText, toJsonText } from "@truc/store";
import { authorise } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import type { IncomingRow } from "../repositories/rows.ts";
import { indexIncoming } from "../repositories/search.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { loadIncoming, transitionIncoming } from "./incoming-support.ts";
import type { IncomingAttachment, IncomingView, PendingRequest } from "./views.ts";

export async function answerRequest(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string; accept: boolean; reason?: string },
): Promise<IncomingView> {
  // Before the lookup: a refused role must not learn whether the id exists or its state.
  authorise(actor.roles, "incoming.answer-sender");
  const row = await loadIncoming(deps.db.kysely as never, actor.agencyId, input.incomingId);
  const request = fromJsonText<PendingRequest>(row.pending_request);
  if (!request) throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "answer", state: row.state });
  const reason = input.reason ? { reason: input.reason } : {};
  const event =
    request.kind === "take-back"
      ? { kind: "take-back" as const, accept: input.accept, ...reason }
      : { kind: "update" as const, accept: input.accept, updateId: request.updateId ?? "", ...reason };
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event,
    permission: "incoming.answer-sender",
    patch: async (tx, current) => {
      if (current.pending_request !== row.pending_request)
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "answer", state: current.state });
      const patch: Partial<IncomingRow> = { pending_request: null };
      if (input.accept && request.kind === "take-back") {
        const attachments = (fromJsonText<IncomingAttachment[]>(current.attachments) ?? []).map((a) => ({
          ...a,
          ref: null,
        }));
        Object.assign(patch, { package_ref: null, attachments: toJsonText(attachments) });
      }
      if (input.accept && request.kind === "update" && request.changes) {
        const c = request.changes as { subject?: string; dueDate?: string | null };
        if (c.subject) patch.subject = c.subject;
        if (c.dueDate !== undefined) patch.due_date = c.dueDate ? c.dueDate.replaceAll("/", "-") : null;
        // Same transaction as the row update: the new subject is what search finds.
        if (c.subject) await indexIncoming(tx, { ...current, ...patch });
      }
      return patch;
    },
    details: { request: request.kind, accept: input.accept, reason: input.reason ?? null },
  });
}
