/** The handler starts working on a document (status 05). */
import { OfficeError } from "../errors.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { transitionIncoming } from "./incoming-support.ts";
import type { IncomingView } from "./views.ts";

export async function processIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string },
): Promise<IncomingView> {
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event: { kind: "process" },
    permission: "incoming.process",
    patch: async (_tx, row) => {
      assertHandler(actor, row.assigned_user_id);
      return {};
    },
  });
}

/** When a person was assigned, only that person (or a leader) handles the document. */
export function assertHandler(actor: Actor, assignedUserId: string | null): void {
  if (assignedUserId && assignedUserId !== actor.userId && !actor.roles.includes("lanh_dao"))
    throw new OfficeError("OFFICE_FORBIDDEN", { action: "incoming.process (assigned to someone else)" });
}
