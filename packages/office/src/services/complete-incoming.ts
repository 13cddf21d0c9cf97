/** Handling is finished (status 06), optionally linking the reply (an outgoing document of this agency). */
import { OfficeError } from "../errors.ts";
import { findOutgoing } from "../repositories/outgoing.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { transitionIncoming } from "./incoming-support.ts";
import { assertHandler } from "./process-incoming.ts";
import type { IncomingView } from "./views.ts";

export async function completeIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string; replyOutgoingId?: string; note?: string },
): Promise<IncomingView> {
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event: { kind: "complete" },
    permission: "incoming.process",
    patch: async (tx, row, at) => {
      assertHandler(actor, row.assigned_user_id);
      if (input.replyOutgoingId && !(await findOutgoing(tx, actor.agencyId, input.replyOutgoingId)))
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "reply document" });
      return {
        completed_at: at.toISOString(),
        reply_outgoing_id: input.replyOutgoingId ?? null,
        result_note: input.note?.slice(0, 2000) ?? null,
      };
    },
  });
}
