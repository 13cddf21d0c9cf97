/**
 * Register a scanned paper document as incoming (NĐ 30 Art. 22): it takes the next số đến of
 * the same yearly sequence as electronic documents, keeps the searchable PDF and the original
 * scan as its files, and its OCR text is searchable. Optionally filed in a case file at once.
 * A paper document has no electronic sender, so its later steps send no status package.
 */
import { createHash, randomUUID } from "node:crypto";
import { searchKey, vietnamYear } from "@truc/common";
import { toJsonText } from "@truc/store";
import type { Urgency } from "../domain/document-types.ts";
import { OfficeError } from "../errors.ts";
import { insertIncoming } from "../repositories/incoming.ts";
import type { IncomingRow, Tx } from "../repositories/rows.ts";
import { indexIncoming } from "../repositories/search.ts";
import { nextInSequence } from "../repositories/sequences.ts";
import { addToCaseFile } from "./add-to-case-file.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { PAPER_PREFIX } from "./package-support.ts";
import { loadScan } from "./scan-jobs.ts";
import { type IncomingView, incomingView } from "./views.ts";

export interface RegisterScanInput {
  scanId: string;
  typeName: string;
  codeNumber: string;
  codeNotation: string;
  /** Issuing body (Tác giả). */
  fromName: string;
  fromOrganId?: string;
  /** YYYY-MM-DD */
  promulgationDate: string;
  subject: string;
  signerName?: string;
  urgency?: Urgency;
  dueDate?: string;
  caseFileId?: string;
}

export async function registerScan(
  deps: OfficeDeps,
  actor: Actor,
  input: RegisterScanInput,
): Promise<IncomingView> {
  const view = await runCommand(
    deps,
    { actor, action: "incoming.register-paper", entity: "incoming", permission: "incoming.register" },
    async (tx: Tx, at) => {
      const scan = await loadScan(tx, actor.agencyId, input.scanId);
      if (scan.state !== "done" || !scan.searchable_ref)
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "register scan", state: scan.state });
      const year = vietnamYear(at);
      const number = await nextInSequence(tx, actor.agencyId, year, "incoming");
      const original = await deps.blobs.read(scan.scan_ref);
      const searchable = await deps.blobs.read(scan.searchable_ref);
      const base = scan.file_name.replace(/\.[^.]+$/, "");
      const id = randomUUID();
      const row: IncomingRow = {
        id,
        agency_id: actor.agencyId,
        state: "registered",
        axis_message_id: `${PAPER_PREFIX}${scan.id}`,
        package_ref: null,
        package_sha256: createHash("sha256").update(original).digest("hex"),
        document_id: `${PAPER_PREFIX}${scan.id}`,
        business_type: 0,
        from_organ_id: input.fromOrganId ?? "",
        from_name: input.fromName,
        code_number: input.codeNumber,
        code_notation: input.codeNotation,
        promulgation_date: input.promulgationDate.replaceAll("-", "/"),
        type_name: input.typeName,
        subject: input.subject,
        signer_competence: null,
        signer_position: null,
        signer_name: input.signerName ?? null,
        urgency: input.urgency ?? "thuong",
        due_date: input.dueDate ?? null,
        places: "[]",
        attachments: toJsonText([
          {
            name: `${base}-ocr.pdf`,
            contentType: "application/pdf",
            size: searchable.length,
            ref: scan.searchable_ref,
          },
          { name: scan.file_name, contentType: scan.content_type, size: original.length, ref: scan.scan_ref },
        ]),
        validation: toJsonText({ package: "paper", signatures: [] }),
        duplicate_flags: "[]",
        arrival_year: year,
        arrival_number: number,
        received_at: at.toISOString(),
        registered_at: at.toISOString(),
        rejected_reason: null,
        assigned_unit_id: null,
        assigned_user_id: null,
        assigned_at: null,
        deadline: null,
        instructions: null,
        completed_at: null,
        result_note: null,
        reply_outgoing_id: null,
        pending_request: null,
        replaced_by: null,
        replaces: "[]",
        revoked_at: null,
        revoke_reason: null,
        updated_at: at.toISOString(),
        search_text: searchKey(
          [
            input.subject,
            input.typeName,
            `${input.codeNumber}/${input.codeNotation}`,
            input.fromName,
            input.signerName,
            scan.text,
          ]
            .filter(Boolean)
            .join(" "),
        ),
      };
      await insertIncoming(tx, row);
      await indexIncoming(tx, row, scan.text);
      const r = await tx
        .updateTable("office_scans")
        .set({ state: "registered", incoming_id: id, updated_at: at.toISOString() })
        .where("agency_id", "=", actor.agencyId)
        .where("id", "=", scan.id)
        .where("state", "=", "done")
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "register scan", state: scan.state });
      return {
        result: incomingView(row),
        note: { entityId: id, details: { scanId: scan.id, arrivalNumber: number, year } },
      };
    },
  );
  if (input.caseFileId)
    await addToCaseFile(deps, actor, {
      caseFileId: input.caseFileId,
      direction: "incoming",
      documentId: view.id,
    });
  return view;
}
