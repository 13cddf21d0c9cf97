/**
 * A minimal but valid document package model from a few facts (sender, recipients, number and
 * notation, subject, type), for `truc send` and the conformance kit.
 */
import {
  type Business,
  type EdxmlDocument,
  formatLocalDate,
  type LocalDate,
  localDateOf,
  type Organization,
} from "@truc/edxml";
import { CliError } from "./errors.ts";

/**
 * DocumentType/Type values of QCVN 102 list B that the spec has seen (§6.1.2); the mapping is
 * disputed between producers, so `--type-code` overrides it.
 */
export const DOCUMENT_TYPE_CODES: Readonly<Record<string, number>> = {
  "Nghị quyết": 1,
  "Quyết định": 2,
  "Chỉ thị": 3,
  "Quy chế": 4,
  "Quy định": 5,
  "Thông cáo": 6,
  "Thông báo": 7,
  "Hướng dẫn": 8,
  "Chương trình": 9,
  "Công văn": 18,
  "Công điện": 19,
  "Bản ghi nhớ": 20,
  "Bản thỏa thuận": 22,
  "Giấy ủy quyền": 24,
  "Giấy mời": 25,
  "Giấy giới thiệu": 26,
};

export interface MinimalDocumentInput {
  from: Organization;
  to: Organization[];
  /** "15/QĐ-BNV" or number and notation given apart. */
  codeNumber: string;
  codeNotation: string;
  subject: string;
  typeName?: string;
  typeCode?: number;
  place?: string;
  date?: LocalDate;
  signer?: { fullName: string; position?: string; competence?: string };
  priority?: number;
  dueDate?: LocalDate;
  documentId?: string;
  business?: Business;
  staff?: { department?: string; staff?: string };
  now?: Date;
}

/** Splits "15/QĐ-BNV" (or "30/2020/NĐ-CP") into number and notation. */
export function splitNotation(text: string): { codeNumber: string; codeNotation: string } {
  const m = /^(\d+)\/(.+)$/.exec(text.trim().normalize("NFC"));
  if (!m)
    throw new CliError("CLI_USAGE", {
      detail: `--notation "number/notation", e.g. 15/QĐ-BNV (got "${text}")`,
    });
  const number = m[1]!.length === 1 ? `0${m[1]}` : m[1]!;
  return { codeNumber: number, codeNotation: m[2]! };
}

export function minimalDocument(o: MinimalDocumentInput): EdxmlDocument {
  const now = o.now ?? new Date();
  const date = o.date ?? localDateOf(now);
  const typeName = o.typeName ?? "Công văn";
  const type = o.typeCode ?? DOCUMENT_TYPE_CODES[typeName.normalize("NFC")];
  if (type === undefined)
    throw new CliError("CLI_USAGE", {
      detail: `no known DocumentType/Type for "${typeName}": give --type-code`,
    });
  return {
    header: {
      from: o.from,
      to: o.to,
      documentId:
        o.documentId ?? `${o.from.organId},${formatLocalDate(date)},${o.codeNumber}/${o.codeNotation}`,
      code: { codeNumber: o.codeNumber, codeNotation: o.codeNotation },
      promulgationInfo: { place: o.place ?? "Hà Nội", promulgationDate: date },
      documentType: { type, typeDetail: 0, typeName },
      subject: o.subject,
      signerInfo: {
        fullName: o.signer?.fullName ?? "Văn thư",
        ...(o.signer?.position ? { position: o.signer.position } : {}),
        ...(o.signer?.competence ? { competence: o.signer.competence } : {}),
      },
      ...(o.dueDate ? { dueDate: o.dueDate } : {}),
      otherInfo: { priority: o.priority ?? 0, promulgationAmount: 1 },
      steeringType: 0,
    },
    traces: [{ organId: o.from.organId, timestamp: now }],
    business: o.business ?? {
      docType: 0,
      paper: 0,
      staffInfo: { department: o.staff?.department ?? "Văn phòng", staff: o.staff?.staff ?? "Văn thư" },
    },
    manifest: [],
  };
}
