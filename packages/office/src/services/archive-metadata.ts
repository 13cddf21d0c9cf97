/**
 * Phụ lục VI metadata (NĐ 30/2020, Part II; spec §6.5) of documents and case files, with the
 * field names of the appendix, as kept in archive packages and shown with a case file.
 */
import { fromJsonText } from "@truc/store";
import { type CaseFileTotals, fileCodeText, maintenanceLabel } from "../domain/case-files.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { URGENCY_PRIORITY, type Urgency } from "../domain/document-types.ts";
import type { AgencyRow, CaseFileRow, IncomingRow, OutgoingRow } from "../repositories/rows.ts";

/** edXML yyyy/MM/dd → YYYY-MM-DD. */
export const isoDate = (d: string | null): string | null => (d ? d.replaceAll("/", "-").slice(0, 10) : null);

export interface FileCode {
  OrganId: string;
  FileCatalog: number;
  FileNotation: string;
}

function fileCodeOf(agency: AgencyRow, caseFile: CaseFileRow | null): FileCode | null {
  return caseFile
    ? { OrganId: agency.code, FileCatalog: caseFile.file_catalog, FileNotation: caseFile.file_notation }
    : null;
}

export function caseFileMetadata(agency: AgencyRow, row: CaseFileRow, totals: CaseFileTotals) {
  const code = fileCodeOf(agency, row)!;
  return {
    FileCode: {
      ...code,
      Text: fileCodeText({
        organId: code.OrganId,
        fileCatalog: code.FileCatalog,
        fileNotation: code.FileNotation,
      }),
    },
    Title: row.title,
    Maintenance: maintenanceLabel(row.retention_years),
    Rights: row.rights,
    Creator: row.creator,
    Language: row.language,
    StartDate: totals.startDate,
    EndDate: totals.endDate,
    DocTotal: totals.docTotal,
    PageTotal: totals.pageTotal,
    Description: row.description ?? "",
  };
}

/** Outgoing documents: fields 1–16. */
export function outgoingMetadata(
  agency: AgencyRow,
  row: OutgoingRow,
  filing: { caseFile: CaseFileRow | null; docOrdinal: number | null; pageCount: number | null },
) {
  return {
    FileCode: fileCodeOf(agency, filing.caseFile),
    DocOrdinal: filing.docOrdinal,
    TypeName: row.type_name,
    CodeNumber: row.code_number,
    CodeNotation: row.code_notation,
    IssuedDate: isoDate(row.promulgation_date),
    OrganName: agency.name,
    Subject: row.subject,
    Language: "Tiếng Việt",
    PageAmount: row.page_count ?? filing.pageCount,
    Description: row.revoked_at ? `Đã thu hồi: ${row.revoke_reason ?? ""}` : (row.content ?? ""),
    SignerInfo: {
      Position: [row.signer_competence, row.signer_position].filter(Boolean).join(" "),
      FullName: row.signer_name,
    },
    To: (fromJsonText<{ organId: string; organName: string }[]>(row.recipients) ?? []).map((r) => ({
      OrganId: r.organId,
      OrganName: r.organName,
    })),
    Priority: URGENCY_PRIORITY[row.urgency as Urgency] ?? 0,
    IssuedAmount: row.copies,
    DueDate: row.due_date,
  };
}

/** Incoming documents: fields 1–11 of the outgoing list, then 12–18. */
export function incomingMetadata(
  row: IncomingRow,
  filing: {
    agency: AgencyRow;
    caseFile: CaseFileRow | null;
    docOrdinal: number | null;
    pageCount: number | null;
    toPlaces: string[];
    trace: unknown;
  },
) {
  return {
    FileCode: fileCodeOf(filing.agency, filing.caseFile),
    DocOrdinal: filing.docOrdinal,
    TypeName: row.type_name,
    CodeNumber: row.code_number,
    CodeNotation: row.code_notation,
    IssuedDate: isoDate(row.promulgation_date),
    OrganName: row.from_name,
    Subject: row.subject,
    Language: "Tiếng Việt",
    PageAmount: filing.pageCount,
    Description: row.revoked_at ? `Đã thu hồi: ${row.revoke_reason ?? ""}` : (row.result_note ?? ""),
    ArrivalDate: vietnamDate(new Date(row.received_at)),
    ArrivalNumber: row.arrival_number,
    SignerInfo: {
      Position: [row.signer_competence, row.signer_position].filter(Boolean).join(" "),
      FullName: row.signer_name,
    },
    Priority: URGENCY_PRIORITY[row.urgency as Urgency] ?? 0,
    ToPlaces: filing.toPlaces.join("; "),
    TraceHeaderList: filing.trace,
    DueDate: row.deadline ?? row.due_date,
  };
}
