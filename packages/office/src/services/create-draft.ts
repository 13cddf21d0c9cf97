/** A specialist starts an outgoing document: metadata per NĐ 30; the file comes with `uploadVersion`. */
import { randomUUID } from "node:crypto";
import { toJsonText } from "@truc/store";
import { DATE_PATTERN } from "../domain/deadlines.ts";
import { documentType, URGENCIES, type Urgency } from "../domain/document-types.ts";
import { buildNotation, sequenceKey } from "../domain/numbering.ts";
import { OfficeError } from "../errors.ts";
import { insertOutgoing } from "../repositories/outgoing.ts";
import { indexOutgoing } from "../repositories/search.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { cleanText, loadAgency, outgoingSearchText } from "./outgoing-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export interface CreateDraftInput {
  typeCode: string;
  subject: string;
  content?: string;
  /** Drafting unit abbreviation, used in the notation of công văn ("UBND-VX"). */
  unitAbbreviation?: string;
  urgency?: Urgency;
  /** YYYY-MM-DD */
  dueDate?: string;
  pageCount?: number;
  copies?: number;
  appendices?: string[];
  /** "Nơi nhận" lines as printed. */
  places?: string[];
  /** Electronic recipients from the axis directory. */
  recipients: { organId: string; organName: string }[];
  /** DocumentIds of earlier documents this one replaces (sent as BussinessDocType 3). */
  replaces?: string[];
}

export async function createDraft(
  deps: OfficeDeps,
  actor: Actor,
  input: CreateDraftInput,
): Promise<OutgoingView> {
  const type = documentType(input.typeCode);
  if (!type) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `document type ${input.typeCode}` });
  const urgency = input.urgency ?? "thuong";
  if (!URGENCIES.includes(urgency)) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "urgency" });
  if (input.dueDate && !DATE_PATTERN.test(input.dueDate))
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "dueDate" });
  const recipients = dedupeRecipients(input.recipients);
  const id = randomUUID();
  return runCommand(
    deps,
    { actor, action: "outgoing.create", entity: "outgoing", permission: "outgoing.draft" },
    async (tx, at) => {
      const agency = await loadAgency(tx, actor.agencyId);
      const notation = buildNotation({
        type,
        agencyAbbreviation: agency.abbreviation,
        ...(input.unitAbbreviation ? { unitAbbreviation: input.unitAbbreviation } : {}),
      });
      const row = {
        id,
        agency_id: actor.agencyId,
        state: "draft",
        type_code: type.code,
        type_name: type.name,
        subject: cleanText(input.subject, 500, "subject"),
        content: input.content ? cleanText(input.content, 500, "content") : null,
        notation,
        sequence_key: sequenceKey(type),
        number: null,
        number_year: null,
        code_number: null,
        code_notation: null,
        document_id: null,
        promulgation_date: null,
        urgency,
        due_date: input.dueDate ?? null,
        page_count: input.pageCount ?? null,
        copies: input.copies ?? null,
        appendices: toJsonText((input.appendices ?? []).map((a) => cleanText(a, 250, "appendix"))),
        places: toJsonText((input.places ?? []).map((p) => cleanText(p, 250, "place"))),
        recipients: toJsonText(recipients),
        signer_user_id: null,
        signer_competence: null,
        signer_position: null,
        signer_name: null,
        signed_at: null,
        sealed_at: null,
        issued_at: null,
        revoked_at: null,
        revoke_reason: null,
        replaces: toJsonText(input.replaces ?? []),
        file_version: 0,
        review_round: 0,
        package_ref: null,
        created_by: actor.userId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
        search_text: "",
      };
      row.search_text = outgoingSearchText(row);
      await insertOutgoing(tx, row);
      await indexOutgoing(tx, row);
      return {
        result: outgoingView(row),
        note: { entityId: id, details: { subject: row.subject, type: type.code } },
      };
    },
  );
}

export function dedupeRecipients(
  list: { organId: string; organName: string }[],
): { organId: string; organName: string }[] {
  const seen = new Map<string, { organId: string; organName: string }>();
  for (const r of list) {
    if (!/^[A-Za-z0-9.]{1,13}$/.test(r.organId))
      throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `recipient ${r.organId}` });
    seen.set(r.organId, { organId: r.organId, organName: cleanText(r.organName, 200, "recipient name") });
  }
  return [...seen.values()];
}
