/**
 * Document numbers per NĐ 30 Art. 15 and Phụ lục I: one sequence per issuing body per
 * calendar year (Vietnam time), shared by paper and electronic documents, starting at 01;
 * legal normative documents (VBQPPL) have a separate sequence per type and carry the year;
 * secret documents have their own sequence. Numbers below 10 get a leading zero.
 */
import { vietnamYear } from "@truc/common";
import { OfficeError } from "../errors.ts";
import type { DocumentTypeInfo } from "./document-types.ts";

/** Which counter a document draws its number from. */
export function sequenceKey(type: DocumentTypeInfo, options: { secret?: boolean } = {}): string {
  if (options.secret) return "secret";
  if (type.legalNormative) return `vbqppl:${type.code}`;
  return "general";
}

/** The counter year of an issue instant: the Vietnam calendar year, never the UTC one. */
export function numberingYear(at: Date): number {
  return vietnamYear(at);
}

export function formatNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `number ${n}` });
  return n < 10 ? `0${n}` : String(n);
}

/**
 * The notation (ký hiệu): type abbreviation, issuing body abbreviation and optionally the
 * drafting unit, joined by "-". Công văn has no type abbreviation ("UBND-VX").
 */
export function buildNotation(input: {
  type: DocumentTypeInfo;
  agencyAbbreviation: string;
  unitAbbreviation?: string;
}): string {
  const groups = [input.type.abbreviation, input.agencyAbbreviation.toUpperCase()];
  if (!input.type.abbreviation && input.unitAbbreviation) groups.push(input.unitAbbreviation.toUpperCase());
  const notation = groups.filter((g) => g.length > 0).join("-");
  if (/\s/.test(notation) || notation.length === 0 || notation.length > 30)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `notation “${notation}”` });
  return notation;
}

export interface DocumentCode {
  /** `CodeNumber` of edXML: "05", or "30/2020" for a VBQPPL. */
  codeNumber: string;
  /** `CodeNotation`: "QĐ-UBND". */
  codeNotation: string;
}

export function documentCode(input: {
  number: number;
  year: number;
  type: DocumentTypeInfo;
  notation: string;
}): DocumentCode {
  const n = formatNumber(input.number);
  return { codeNumber: input.type.legalNormative ? `${n}/${input.year}` : n, codeNotation: input.notation };
}

/** "15/QĐ-BNV" — number, "/", notation. */
export function renderCode(code: DocumentCode): string {
  return `${code.codeNumber}/${code.codeNotation}`;
}

const CODE_PATTERN = /^(\d+)(?:\/(\d{4}))?\/([\p{L}0-9]+(?:-[\p{L}0-9]+)*)$/u;

export function parseCode(text: string): { number: number; year?: number; notation: string } | null {
  const m = CODE_PATTERN.exec(text.normalize("NFC").trim());
  if (!m) return null;
  return { number: Number(m[1]), ...(m[2] ? { year: Number(m[2]) } : {}), notation: m[3]! };
}

/** The edXML DocumentId as observed on the wire: `{OrganId},{yyyy/MM/dd},{number}/{notation}`. */
export function buildDocumentId(input: {
  organId: string;
  promulgationDate: string;
  code: DocumentCode;
}): string {
  return `${input.organId},${input.promulgationDate},${renderCode(input.code)}`;
}
