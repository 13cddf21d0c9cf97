/** The clerk registers an arrived document: số đến (per agency per Vietnam year), status 03. */
import { vietnamYear } from "@truc/common";
import { nextInSequence } from "../repositories/sequences.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { transitionIncoming } from "./incoming-support.ts";
import type { IncomingView } from "./views.ts";

export async function registerIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string },
): Promise<IncomingView> {
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event: { kind: "register" },
    permission: "incoming.register",
    patch: async (tx, _row, at) => {
      const year = vietnamYear(at);
      const number = await nextInSequence(tx, actor.agencyId, year, "incoming");
      return { arrival_year: year, arrival_number: number, registered_at: at.toISOString() };
    },
  });
}
