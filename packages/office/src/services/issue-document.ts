/**
 * Issue (ban hành): the sealed document is packed as edXML (BussinessDocType 0, or 3 when it
 * replaces earlier documents), queued for every electronic recipient, and enters the outgoing
 * register (the register is the list of issued documents of the year, in number order).
 */
import { fromJsonText } from "@truc/store";
import { OfficeError } from "../errors.ts";
import { insertRecipients, updateOutgoing } from "../repositories/outgoing.ts";
import { findUser } from "../repositories/people.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { currentPdf, guardUpdated, loadAgency, loadOutgoing } from "./outgoing-support.ts";
import { edocHeader, queuePackage } from "./package-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export async function issueDocument(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string },
): Promise<OutgoingView> {
  return runCommand(
    deps,
    { actor, action: "outgoing.issue", entity: "outgoing", permission: "outgoing.issue" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "issue");
      const recipients = fromJsonText<{ organId: string; organName: string }[]>(row.recipients) ?? [];
      if (recipients.length === 0) throw new OfficeError("OFFICE_NO_RECIPIENTS");
      const agency = await loadAgency(tx, actor.agencyId);
      const clerk = await findUser(tx, actor.agencyId, actor.userId);
      const replaces = fromJsonText<string[]>(row.replaces) ?? [];
      const organIds = recipients.map((r) => r.organId);
      const header = edocHeader(agency, row, {
        type: replaces.length > 0 ? 3 : 0,
        ...(replaces.length > 0
          ? { replaces: replaces.map((documentId) => ({ documentId, organIds })) }
          : {}),
        staff: { staff: clerk?.full_name ?? "" },
      });
      const pdf = await currentPdf(deps, tx, row);
      const fileName = `${row.code_number}-${row.code_notation}.pdf`.replaceAll("/", "-");
      const bytes = await deps.codec.buildDocument({
        header,
        attachments: [{ name: fileName, contentType: "application/pdf", bytes: pdf }],
        at,
      });
      const blob = await deps.blobs.put(bytes);
      await queuePackage(deps, tx, {
        agencyId: actor.agencyId,
        kind: "edoc",
        dedupeKey: `issue:${row.id}`,
        to: organIds,
        bytes,
        at,
      });
      await insertRecipients(
        tx,
        recipients.map((r) => ({
          outgoing_id: row.id,
          agency_id: actor.agencyId,
          organ_id: r.organId,
          organ_name: r.organName,
          state: "sent",
          updated_at: at.toISOString(),
        })),
      );
      const patch = {
        state: "issued",
        issued_at: at.toISOString(),
        package_ref: blob.ref,
        updated_at: at.toISOString(),
      };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "sealed", patch), "issue", row.state);
      return {
        result: outgoingView({ ...row, ...patch }),
        note: {
          entityId: row.id,
          details: { documentId: row.document_id, recipients: organIds, package: blob.sha256 },
        },
      };
    },
  );
}
