/** File a document (incoming or outgoing) in an open case file; it gets the next DocOrdinal. */
import { OfficeError } from "../errors.ts";
import { findFiling, insertItem, updateCaseFile } from "../repositories/case-files.ts";
import { type Direction, fileableDocument, loadCaseFile } from "./case-file-support.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export async function addToCaseFile(
  deps: OfficeDeps,
  actor: Actor,
  input: { caseFileId: string; direction: Direction; documentId: string },
) {
  return runCommand(
    deps,
    { actor, action: "casefile.add", entity: "casefile", permission: "casefile.manage" },
    async (tx, at) => {
      const file = await loadCaseFile(tx, actor.agencyId, input.caseFileId);
      // The guarded update locks the file's row: concurrent additions get distinct ordinals.
      if (!(await updateCaseFile(tx, actor.agencyId, file.id, "open", { updated_at: at.toISOString() })))
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "add", state: file.state });
      const facts = await fileableDocument(deps, tx, actor.agencyId, input.direction, input.documentId);
      if (await findFiling(tx, actor.agencyId, input.direction, input.documentId))
        throw new OfficeError("OFFICE_DUPLICATE", { what: "document already filed in a case file" });
      const last = await tx
        .selectFrom("office_case_file_items")
        .select((eb) => eb.fn.max("doc_ordinal").as("n"))
        .where("agency_id", "=", actor.agencyId)
        .where("case_file_id", "=", file.id)
        .executeTakeFirst();
      const docOrdinal = Number(last?.n ?? 0) + 1;
      await insertItem(tx, {
        case_file_id: file.id,
        agency_id: actor.agencyId,
        doc_ordinal: docOrdinal,
        direction: input.direction,
        entity_id: input.documentId,
        document_date: facts.documentDate,
        page_count: facts.pageCount,
        added_by: actor.userId,
        added_at: at.toISOString(),
      });
      return {
        result: { docOrdinal },
        note: {
          entityId: file.id,
          details: { direction: input.direction, documentId: input.documentId, docOrdinal },
        },
      };
    },
  );
}
