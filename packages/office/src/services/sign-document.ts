/**
 * The competent leader signs the approved PDF (PAdES, visible personal signature) through the
 * `DocumentSigner` port. The competence line comes from the user's position or a delegation
 * in force (KT./TL./TUQ.). The signed file becomes a new version.
 */
import { type CompetencePrefix, signingCompetence } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import { updateOutgoing } from "../repositories/outgoing.ts";
import { delegationsOf, findUser } from "../repositories/people.ts";
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

export async function signDocument(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; competence?: CompetencePrefix; collectiveTitle?: string },
): Promise<OutgoingView> {
  return runCommand(
    deps,
    { actor, action: "outgoing.sign", entity: "outgoing", permission: "outgoing.sign" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "sign");
      const user = await findUser(tx, actor.agencyId, actor.userId);
      if (!user) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "user" });
      const agency = await loadAgency(tx, actor.agencyId);
      const delegations = (await delegationsOf(tx, actor.agencyId, actor.userId)).map((d) => ({
        kind: d.kind as CompetencePrefix,
        forTitle: d.for_title,
        validFrom: new Date(d.valid_from),
        validTo: new Date(d.valid_to),
      }));
      const competence = signingCompetence({
        isHead: user.is_head === 1,
        delegations,
        at,
        ...(input.competence ? { requested: input.competence } : {}),
        ...(input.collectiveTitle ? { collective: { title: input.collectiveTitle } } : {}),
      });
      const signer = { competence, position: user.position, fullName: user.full_name };
      const signed = await deps.signer.signPersonal({
        pdf: await currentPdf(deps, tx, row),
        agencyCode: agency.code,
        signerUserId: user.id,
        signerUsername: user.username,
        signer,
        at,
      });
      const version = await addVersion(
        deps,
        tx,
        row,
        {
          bytes: signed,
          fileName: "signed.pdf",
          contentType: "application/pdf",
          kind: "signed",
          userId: actor.userId,
          at,
        },
        (await latestVersionNumber(tx, actor.agencyId, row.id)) + 1,
      );
      const patch = {
        state: "signed",
        signer_user_id: user.id,
        signer_competence: competence,
        signer_position: user.position,
        signer_name: user.full_name,
        signed_at: at.toISOString(),
        file_version: version,
        updated_at: at.toISOString(),
      };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "approved", patch), "sign", row.state);
      return {
        result: outgoingView({ ...row, ...patch }),
        note: { entityId: row.id, details: { competence, version } },
      };
    },
  );
}
