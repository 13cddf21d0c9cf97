/** Loading a case file in scope, and the facts of a document that its filing records. */
import { fromJsonText } from "@truc/store";
import { countPdfPages } from "../adapters/pdf-pages.ts";
import { OfficeError } from "../errors.ts";
import { findCaseFile } from "../repositories/case-files.ts";
import { findVersion } from "../repositories/outgoing.ts";
import type { CaseFileRow, Tx } from "../repositories/rows.ts";
import { isoDate } from "./archive-metadata.ts";
import type { OfficeDeps } from "./context.ts";
import { loadIncoming } from "./incoming-support.ts";
import { loadOutgoing } from "./outgoing-support.ts";
import type { IncomingAttachment } from "./views.ts";

export type Direction = "incoming" | "outgoing";

export async function loadCaseFile(tx: Tx, agencyId: string, id: string): Promise<CaseFileRow> {
  const row = await findCaseFile(tx, agencyId, id);
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "case file" });
  return row;
}

const FILEABLE_OUTGOING = ["issued", "revoked"];

/**
 * The date and page count of a document to be filed. Only documents of record are filed:
 * outgoing once issued, incoming once registered (they have a số đến).
 */
export async function fileableDocument(
  deps: OfficeDeps,
  tx: Tx,
  agencyId: string,
  direction: Direction,
  id: string,
): Promise<{ documentDate: string | null; pageCount: number }> {
  if (direction === "outgoing") {
    const row = await loadOutgoing(tx, agencyId, id);
    if (!FILEABLE_OUTGOING.includes(row.state))
      throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "file", state: row.state });
    let pages = row.page_count;
    if (pages === null && row.file_version > 0) {
      const v = await findVersion(tx, agencyId, row.id, row.file_version);
      pages = v ? await countPdfPages(await deps.blobs.read(v.file_ref)) : null;
    }
    return { documentDate: isoDate(row.promulgation_date), pageCount: pages ?? 0 };
  }
  const row = await loadIncoming(tx, agencyId, id);
  if (row.arrival_number === null)
    throw new OfficeError("OFFICE_INVALID_TRANSITION", { action: "file", state: row.state });
  let pages = 0;
  for (const a of fromJsonText<IncomingAttachment[]>(row.attachments) ?? []) {
    if (!a.ref || !(a.contentType === "application/pdf" || a.name.toLowerCase().endsWith(".pdf"))) continue;
    pages += (await countPdfPages(await deps.blobs.read(a.ref))) ?? 0;
  }
  return { documentDate: isoDate(row.promulgation_date), pageCount: pages };
}
