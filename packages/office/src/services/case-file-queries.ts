/** Read side of case files: one file with its documents and Phụ lục VI metadata, lists, retention. */

import { authorise } from "../domain/access.ts";
import { caseFileTotals } from "../domain/case-files.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { listCaseFiles, listExpiredCaseFiles, listItems } from "../repositories/case-files.ts";
import { findIncoming } from "../repositories/incoming.ts";
import { findOutgoing } from "../repositories/outgoing.ts";
import type { AgencyRow, CaseFileItemRow, CaseFileRow, Tx } from "../repositories/rows.ts";
import { caseFileMetadata, isoDate } from "./archive-metadata.ts";
import { loadCaseFile } from "./case-file-support.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { loadAgency } from "./outgoing-support.ts";

const q = (deps: OfficeDeps) => deps.db.kysely as unknown as Tx;

export function totalsOf(items: readonly CaseFileItemRow[]) {
  return caseFileTotals(
    items.map((i) => ({ docOrdinal: i.doc_ordinal, documentDate: i.document_date, pageCount: i.page_count })),
  );
}

export function caseFileView(agency: AgencyRow, row: CaseFileRow, items: readonly CaseFileItemRow[]) {
  return {
    id: row.id,
    state: row.state,
    year: row.file_catalog,
    fileNotation: row.file_notation,
    retentionYears: row.retention_years,
    closedAt: row.closed_at,
    retentionExpiresOn: row.retention_expires_on,
    createdBy: row.created_by,
    createdAt: row.created_at,
    metadata: caseFileMetadata(agency, row, totalsOf(items)),
  };
}

export async function getCaseFile(deps: OfficeDeps, actor: Actor, id: string) {
  authorise(actor.roles, "casefile.read");
  const tx = q(deps);
  const row = await loadCaseFile(tx, actor.agencyId, id);
  const agency = await loadAgency(tx, actor.agencyId);
  const items = await listItems(tx, actor.agencyId, id);
  const documents = [];
  for (const item of items) {
    const base = {
      docOrdinal: item.doc_ordinal,
      direction: item.direction,
      id: item.entity_id,
      date: item.document_date,
      pageCount: item.page_count,
    };
    if (item.direction === "outgoing") {
      const d = await findOutgoing(tx, actor.agencyId, item.entity_id);
      documents.push({
        ...base,
        code: d?.code_number ? `${d.code_number}/${d.code_notation}` : null,
        typeName: d?.type_name ?? null,
        subject: d?.subject ?? null,
        issuer: agency.name,
      });
    } else {
      const d = await findIncoming(tx, actor.agencyId, item.entity_id);
      documents.push({
        ...base,
        code: d ? `${d.code_number}/${d.code_notation}` : null,
        typeName: d?.type_name ?? null,
        subject: d?.subject ?? null,
        issuer: d?.from_name ?? null,
        date: item.document_date ?? isoDate(d?.promulgation_date ?? null),
      });
    }
  }
  return { ...caseFileView(agency, row, items), documents };
}

export async function listCaseFilesView(
  deps: OfficeDeps,
  actor: Actor,
  filter: { state?: "open" | "closed"; year?: number },
) {
  authorise(actor.roles, "casefile.read");
  const tx = q(deps);
  const agency = await loadAgency(tx, actor.agencyId);
  const out = [];
  for (const row of await listCaseFiles(tx, actor.agencyId, filter))
    out.push(caseFileView(agency, row, await listItems(tx, actor.agencyId, row.id)));
  return out;
}

/** Closed case files whose retention period has run out on `on` (default today, Vietnam time). */
export async function listExpiredRetention(deps: OfficeDeps, actor: Actor, input: { on?: string }) {
  authorise(actor.roles, "archive.export");
  const tx = q(deps);
  const agency = await loadAgency(tx, actor.agencyId);
  const today = input.on ?? vietnamDate(deps.clock.now());
  const out = [];
  for (const row of await listExpiredCaseFiles(tx, actor.agencyId, today))
    out.push(caseFileView(agency, row, await listItems(tx, actor.agencyId, row.id)));
  return out;
}
