import { normaliseAgencyCode } from "../domain/agency.ts";
import { findAgency } from "../repositories/directory-repository.ts";
import type { Caller, NodeContext } from "./ports.ts";

/** Canonical (directory `code`) identifiers of the agencies a caller may act for. */
export async function callerAgencies(ctx: NodeContext, caller: Caller): Promise<string[]> {
  if (caller.type !== "agency") return [];
  const codes = new Set<string>();
  for (const code of caller.agencyCodes) {
    const row = await findAgency(ctx.db.kysely, normaliseAgencyCode(code));
    codes.add(row ? row.code : normaliseAgencyCode(code));
  }
  return [...codes];
}
