/**
 * The signature validation report of an outgoing document's current file (the issued PDF once
 * issued), produced by the office's own validator at the time of the request — what a
 * recipient will see.
 */
import { createHash } from "node:crypto";
import { authorise } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import type { SignatureReport } from "../ports.ts";
import { findVersion } from "../repositories/outgoing.ts";
import type { Tx } from "../repositories/rows.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { loadOutgoing } from "./outgoing-support.ts";

export interface OutgoingValidation {
  outgoingId: string;
  state: string;
  version: number;
  fileName: string;
  sha256: string;
  checkedAt: string;
  report: SignatureReport;
}

export async function validateOutgoing(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string },
): Promise<OutgoingValidation> {
  authorise(actor.roles, "outgoing.read");
  const tx = deps.db.kysely as unknown as Tx;
  const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId);
  const version =
    row.file_version > 0 ? await findVersion(tx, actor.agencyId, row.id, row.file_version) : undefined;
  if (!version) throw new OfficeError("OFFICE_FILE_MISSING");
  const pdf = await deps.blobs.read(version.file_ref);
  const at = deps.clock.now();
  const report = await deps.validator.validate(pdf, at);
  return {
    outgoingId: row.id,
    state: row.state,
    version: version.version,
    fileName: version.file_name,
    sha256: createHash("sha256").update(pdf).digest("hex"),
    checkedAt: at.toISOString(),
    report,
  };
}
