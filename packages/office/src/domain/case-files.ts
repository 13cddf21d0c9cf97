/**
 * Case files (hồ sơ) and their Phụ lục VI metadata (NĐ 30/2020, Phụ lục VI Part II; spec §6.5):
 * FileCode (OrganId / FileCatalog = year / FileNotation), Title, Maintenance, Rights, Creator,
 * Language, StartDate, EndDate, DocTotal, PageTotal, Description. DocTotal, PageTotal,
 * StartDate and EndDate are computed from the documents filed, never typed in.
 *
 * Retention (thời hạn bảo quản) is "Vĩnh viễn" or a number of years counted from the year the
 * matter ended (Luật Lưu trữ): a 10-year file whose last document is from 2025 is kept through
 * 2035 and may be appraised for destruction from 2036-01-01.
 */
import { nfc } from "@truc/common";
import { OfficeError } from "../errors.ts";

export const CASE_FILE_STATES = ["open", "closed"] as const;
export type CaseFileState = (typeof CASE_FILE_STATES)[number];

export const FILE_NOTATION = /^[\p{L}\p{N}][\p{L}\p{N}.-]{0,19}$/u;

export const PERMANENT = "Vĩnh viễn";

/** Maintenance as Phụ lục VI writes it: "Vĩnh viễn" or "10 năm". */
export function maintenanceLabel(retentionYears: number | null): string {
  return retentionYears === null ? PERMANENT : `${retentionYears} năm`;
}

export function checkRetentionYears(years: number | null): void {
  if (years !== null && (!Number.isInteger(years) || years < 1 || years > 100))
    throw new OfficeError("OFFICE_INVALID_INPUT", {
      problem: "retentionYears (1–100, or null for Vĩnh viễn)",
    });
}

/**
 * The first day the file may be appraised for destruction (YYYY-MM-DD), or null when it is
 * kept permanently. `endDate` is the date of the latest document (YYYY-MM-DD).
 */
export function retentionExpiresOn(endDate: string, retentionYears: number | null): string | null {
  if (retentionYears === null) return null;
  const endYear = Number(endDate.slice(0, 4));
  return `${endYear + retentionYears + 1}-01-01`;
}

/** FileCode as one string: OrganId.FileCatalog.FileNotation (e.g. "G09.2025.01-TCCB"). */
export function fileCodeText(code: { organId: string; fileCatalog: number; fileNotation: string }): string {
  return `${code.organId}.${code.fileCatalog}.${code.fileNotation}`;
}

/** Trims, NFC-normalises and bounds a text field of the metadata (lengths from Phụ lục VI). */
export function metadataText(
  value: string | undefined,
  max: number,
  field: string,
  fallback?: string,
): string {
  const text = nfc(value ?? "").trim();
  if (text.length === 0) {
    if (fallback !== undefined) return fallback.slice(0, max);
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `${field} is required` });
  }
  if (text.length > max)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `${field} (at most ${max} characters)` });
  return text;
}

export interface FiledDocument {
  docOrdinal: number;
  /** YYYY-MM-DD, the document's date. */
  documentDate: string | null;
  pageCount: number;
}

export interface CaseFileTotals {
  docTotal: number;
  pageTotal: number;
  startDate: string | null;
  endDate: string | null;
}

export function caseFileTotals(documents: readonly FiledDocument[]): CaseFileTotals {
  const dates = documents
    .map((d) => d.documentDate)
    .filter((d): d is string => d !== null)
    .sort();
  return {
    docTotal: documents.length,
    pageTotal: documents.reduce((sum, d) => sum + d.pageCount, 0),
    startDate: dates[0] ?? null,
    endDate: dates.at(-1) ?? null,
  };
}
