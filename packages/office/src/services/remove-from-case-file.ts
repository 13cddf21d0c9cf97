/** Take a document out of an open case file; the later documents move up (DocOrdinal stays 1…n). */
import { OfficeError } from "../errors.ts";
import { findFiling, removeItem, updateCaseFile } from "../repositories/case-files.ts";
import { type Direction, loadCaseFile } from "./case-file-support.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export async function removeFromCaseFile(
  deps: OfficeDeps,
  actor: Actor,
  input: { caseFileId: string; direction: Direction; documentId: string },
) {
  return runCommand(
    deps,
    { actor, action: "casefile.remove", entity: "casefile", permission: "casefile.manage" },
    async (tx, at) => {
      const file = await loadCaseFile(tx, actor.agencyId, input.caseFileId);
      if (!(await updateCaseFile(tx, actor.agencyId, file.id, "open", { updated_at: at.toISOString() })))
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "remove", state: file.state });
      const item = await findFiling(tx, actor.agencyId, input.direction, input.documentId);
      if (!item || item.case_file_id !== file.id)
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "document in this case file" });
      await removeItem(tx, item);
      return {
        result: { ok: true },
        note: {
          entityId: file.id,
          details: { direction: input.direction, documentId: input.documentId, docOrdinal: item.doc_ordinal },
        },
      };
    },
  );
}
