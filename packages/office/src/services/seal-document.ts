/** The clerk applies the organisation's signature (seal appearance) to the numbered, leader-signed PDF. */
import { createHash } from "node:crypto";
import { updateOutgoing } from "../repositories/outgoing.ts";
import { recordSignedFile } from "../repositories/verification.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import {
  addVersion,
  currentPdf,
  guardUpdated,
  latestVersionNumber,
  loadAgency,
  loadOutgoing,
} from "./outgoing-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export async function sealDocument(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string },
): Promise<OutgoingView> {
  return runCommand(
    deps,
    { actor, action: "outgoing.seal", entity: "outgoing", permission: "outgoing.seal" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "seal");
      const agency = await loadAgency(tx, actor.agencyId);
      const sealed = await deps.signer.signOrganisation({
        pdf: await currentPdf(deps, tx, row),
        agencyCode: agency.code,
        organName: agency.name,
        code: `${row.code_number}/${row.code_notation}`,
        at,
      });
      // Known by its digest from now on: public verification can tell if it is later revoked.
      await recordSignedFile(tx, {
        sha256: createHash("sha256").update(sealed).digest("hex"),
        agency_id: actor.agencyId,
        direction: "outgoing",
        entity_id: row.id,
        created_at: at.toISOString(),
      });
      const fileName = `${row.code_number}-${row.code_notation}.pdf`.replaceAll("/", "-");
      const version = await addVersion(
        deps,
        tx,
        row,
        { bytes: sealed, fileName, contentType: "application/pdf", kind: "sealed", userId: actor.userId, at },
        (await latestVersionNumber(tx, actor.agencyId, row.id)) + 1,
      );
      const patch = {
        state: "sealed",
        sealed_at: at.toISOString(),
        file_version: version,
        updated_at: at.toISOString(),
      };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "numbered", patch), "seal", row.state);
      return { result: outgoingView({ ...row, ...patch }), note: { entityId: row.id, details: { version } } };
    },
  );
}
