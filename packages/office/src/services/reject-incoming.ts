/** The clerk returns a document to its sender with a reason (status 02), NĐ 30 Art. 21(2)(b). */
import type { Actor, OfficeDeps } from "./context.ts";
import { transitionIncoming } from "./incoming-support.ts";
import type { IncomingView } from "./views.ts";

export async function rejectIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string; reason: string },
): Promise<IncomingView> {
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event: { kind: "reject", reason: input.reason },
    permission: "incoming.reject",
    patch: async () => ({ rejected_reason: input.reason.trim() }),
  });
}
