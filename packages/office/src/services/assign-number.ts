/**
 * The clerk numbers a signed document: the next number of the agency's sequence for the
 * Vietnam calendar year (separate sequence for VBQPPL types), the promulgation date and the
 * edXML DocumentId are fixed here (NĐ 30 Art. 15(3): the system assigns them).
 */
import { edxmlDate } from "../domain/deadlines.ts";
import { documentType } from "../domain/document-types.ts";
import { buildDocumentId, documentCode, numberingYear } from "../domain/numbering.ts";
import { OfficeError } from "../errors.ts";
import { updateOutgoing } from "../repositories/outgoing.ts";
import { indexOutgoing } from "../repositories/search.ts";
import { nextInSequence } from "../repositories/sequences.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { guardUpdated, loadAgency, loadOutgoing, outgoingSearchText } from "./outgoing-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export async function assignNumber(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string },
): Promise<OutgoingView> {
  return runCommand(
    deps,
    { actor, action: "outgoing.number", entity: "outgoing", permission: "outgoing.number" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "number");
      const agency = await loadAgency(tx, actor.agencyId);
      const type = documentType(row.type_code);
      if (!type) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `document type ${row.type_code}` });
      const year = numberingYear(at);
      const number = await nextInSequence(tx, actor.agencyId, year, row.sequence_key);
      const code = documentCode({ number, year, type, notation: row.notation });
      const promulgationDate = edxmlDate(at);
      const patch = {
        state: "numbered",
        number,
        number_year: year,
        code_number: code.codeNumber,
        code_notation: code.codeNotation,
        promulgation_date: promulgationDate,
        document_id: buildDocumentId({ organId: agency.code, promulgationDate, code }),
        updated_at: at.toISOString(),
      };
      const next = { ...row, ...patch };
      const withSearch = { ...patch, search_text: outgoingSearchText(next) };
      guardUpdated(
        await updateOutgoing(tx, actor.agencyId, row.id, "signed", withSearch),
        "number",
        row.state,
      );
      await indexOutgoing(tx, next);
      return {
        result: outgoingView({ ...next, ...withSearch }),
        note: {
          entityId: row.id,
          details: { number, year, sequence: row.sequence_key, documentId: patch.document_id },
        },
      };
    },
  );
}
