/** The common shape of a recipient-side step: plan (domain), update the row, queue its status. */
import type { Action } from "../domain/access.ts";
import { type IncomingEvent, type IncomingState, planIncoming } from "../domain/incoming.ts";
import { OfficeError } from "../errors.ts";
import { findIncoming, updateIncoming } from "../repositories/incoming.ts";
import { findUser } from "../repositories/people.ts";
import type { IncomingRow, Tx } from "../repositories/rows.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { loadAgency } from "./outgoing-support.ts";
import { emitIncomingStatus } from "./package-support.ts";
import { type IncomingView, incomingView } from "./views.ts";

export async function loadIncoming(tx: Tx, agencyId: string, id: string): Promise<IncomingRow> {
  const row = await findIncoming(tx, agencyId, id);
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "incoming document" });
  return row;
}

export async function transitionIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: {
    incomingId: string;
    event: IncomingEvent;
    permission: Action;
    /** Extra columns to set, computed inside the transaction. */
    patch?: (tx: Tx, row: IncomingRow, at: Date) => Promise<Partial<IncomingRow>>;
    details?: Record<string, unknown>;
  },
): Promise<IncomingView> {
  return runCommand(
    deps,
    { actor, action: `incoming.${input.event.kind}`, entity: "incoming", permission: input.permission },
    async (tx, at) => {
      const row = await loadIncoming(tx, actor.agencyId, input.incomingId);
      const plan = planIncoming(row.state as IncomingState, input.event);
      const extra = input.patch ? await input.patch(tx, row, at) : {};
      const patch = { ...extra, state: plan.next, updated_at: at.toISOString() };
      if (!(await updateIncoming(tx, actor.agencyId, row.id, row.state, patch)))
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: input.event.kind, state: row.state });
      const updated = { ...row, ...patch };
      let queued = false;
      if (plan.emit) {
        const agency = await loadAgency(tx, actor.agencyId);
        const user = await findUser(tx, actor.agencyId, actor.userId);
        queued = await emitIncomingStatus(deps, tx, {
          agency,
          incoming: updated,
          emission: plan.emit,
          at,
          ...(user ? { staff: { staff: user.full_name } } : {}),
        });
      }
      return {
        result: incomingView(updated),
        note: {
          entityId: row.id,
          details: {
            from: row.state,
            to: plan.next,
            status: queued ? plan.emit?.code : null,
            ...input.details,
          },
        },
      };
    },
  );
}
