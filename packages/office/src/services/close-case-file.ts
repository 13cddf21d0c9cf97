/**
 * Close a case file (kết thúc hồ sơ): no document can be added or removed any more, and the
 * retention clock starts from the year of its latest document (or of closing, if it has none dated).
 */

import { caseFileTotals, retentionExpiresOn } from "../domain/case-files.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { OfficeError } from "../errors.ts";
import { listItems, updateCaseFile } from "../repositories/case-files.ts";
import { loadCaseFile } from "./case-file-support.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export async function closeCaseFile(deps: OfficeDeps, actor: Actor, input: { caseFileId: string }) {
  return runCommand(
    deps,
    { actor, action: "casefile.close", entity: "casefile", permission: "casefile.manage" },
    async (tx, at) => {
      const file = await loadCaseFile(tx, actor.agencyId, input.caseFileId);
      const items = await listItems(tx, actor.agencyId, file.id);
      if (items.length === 0)
        throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "the case file is empty" });
      const totals = caseFileTotals(
        items.map((i) => ({
          docOrdinal: i.doc_ordinal,
          documentDate: i.document_date,
          pageCount: i.page_count,
        })),
      );
      const expires = retentionExpiresOn(totals.endDate ?? vietnamDate(at), file.retention_years);
      const patch = {
        state: "closed",
        closed_at: at.toISOString(),
        retention_expires_on: expires,
        updated_at: at.toISOString(),
      };
      if (!(await updateCaseFile(tx, actor.agencyId, file.id, "open", patch)))
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "close", state: file.state });
      return {
        result: { ...file, ...patch },
        note: { entityId: file.id, details: { docTotal: totals.docTotal, retentionExpiresOn: expires } },
      };
    },
  );
}
