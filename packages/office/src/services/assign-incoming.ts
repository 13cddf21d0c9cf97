/** A leader assigns a registered document to a unit and/or person with a deadline (status 04). */
import { nfc } from "@truc/common";
import { DATE_PATTERN } from "../domain/deadlines.ts";
import { OfficeError } from "../errors.ts";
import { findUnit, findUser } from "../repositories/people.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { transitionIncoming } from "./incoming-support.ts";
import type { IncomingView } from "./views.ts";

export async function assignIncoming(
  deps: OfficeDeps,
  actor: Actor,
  input: { incomingId: string; unitId?: string; userId?: string; deadline?: string; instructions?: string },
): Promise<IncomingView> {
  if (!input.unitId && !input.userId)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "unitId or userId" });
  if (input.deadline && !DATE_PATTERN.test(input.deadline))
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "deadline" });
  if (input.instructions && input.instructions.length > 2000)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "instructions" });
  return transitionIncoming(deps, actor, {
    incomingId: input.incomingId,
    event: { kind: "assign" },
    permission: "incoming.assign",
    patch: async (tx, row, at) => {
      // Tenant-scoped lookups: a unit or user of another agency is "not found".
      if (input.unitId && !(await findUnit(tx, actor.agencyId, input.unitId)))
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "unit" });
      if (input.userId && !(await findUser(tx, actor.agencyId, input.userId)))
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "user" });
      return {
        assigned_unit_id: input.unitId ?? null,
        assigned_user_id: input.userId ?? null,
        assigned_at: at.toISOString(),
        deadline: input.deadline ?? row.due_date,
        instructions: input.instructions ? nfc(input.instructions) : null,
      };
    },
    details: { unitId: input.unitId, userId: input.userId, deadline: input.deadline },
  });
}
