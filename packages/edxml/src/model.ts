/**
 * Typed model of edXML packages (QCVN 102:2016): document packages and status packages.
 * Field names follow the XML element names (camelCase). Optional fields are omitted when absent;
 * an empty string means the element was present and empty.
 */
import { fromVietnamParts, toVietnamParts } from "@truc/common";

export const EDXML_NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
export const XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#";

/** A calendar date (yyyy/MM/dd on the wire), no time zone. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface Organization {
  organId: string;
  organizationInCharge?: string;
  organName?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

export interface DocumentCode {
  codeNumber: string;
  codeNotation: string;
}

export interface PromulgationInfo {
  place: string;
  promulgationDate: LocalDate;
}

export interface DocumentType {
  type: number;
  typeDetail?: number;
  typeName: string;
}

export interface SignerInfo {
  competence?: string;
  position?: string;
  fullName: string;
}

/** Độ khẩn: 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ (spec §6.3). */
export type Priority = 0 | 1 | 2 | 3 | 4;

export const PRIORITY_LABELS: Readonly<Record<Priority, { vi: string; en: string }>> = {
  0: { vi: "Thường", en: "Normal" },
  1: { vi: "Khẩn", en: "Urgent" },
  2: { vi: "Thượng khẩn", en: "Very urgent" },
  3: { vi: "Hỏa tốc", en: "Express" },
  4: { vi: "Hỏa tốc hẹn giờ", en: "Express, timed" },
};

export interface OtherInfo {
  priority: number;
  sphereOfPromulgation?: string;
  typerNotation?: string;
  promulgationAmount?: number;
  pageAmount?: number;
  direction?: boolean;
  appendixes?: string[];
}

/** The document a package or status answers (`ResponseFor`). */
export interface ResponseFor {
  organId: string;
  code: string;
  promulgationDate?: LocalDate;
  documentId: string;
}

export interface MessageHeader {
  from: Organization;
  to: Organization[];
  documentId: string;
  code: DocumentCode;
  promulgationInfo: PromulgationInfo;
  documentType: DocumentType;
  subject: string;
  content?: string;
  signerInfo: SignerInfo;
  dueDate?: LocalDate;
  otherInfo: OtherInfo;
  responseFor?: ResponseFor[];
  steeringType?: number;
  toPlaces?: string[];
}

export interface TraceHeader {
  organId: string;
  /** Instant; on the wire `yyyy/MM/dd HH:mm:ss` in Asia/Ho_Chi_Minh. */
  timestamp: Date;
}

export interface StaffInfo {
  department?: string;
  departmentId?: string;
  staff?: string;
  staffId?: string;
  email?: string;
  mobile?: string;
}

/** BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace. */
export type BusinessDocType = 0 | 1 | 2 | 3;

export const BUSINESS_DOC_TYPE_LABELS: Readonly<Record<BusinessDocType, { vi: string; en: string }>> = {
  0: { vi: "Văn bản mới", en: "New document" },
  1: { vi: "Thu hồi", en: "Revoke" },
  2: { vi: "Cập nhật", en: "Update" },
  3: { vi: "Thay thế", en: "Replace" },
};

export interface Receiver {
  organId: string;
  receiverType: number;
}

export interface BusinessDocumentInfo {
  /** 1 = metadata/content changed. */
  documentInfo: number;
  /** 1 = recipient list changed. */
  documentReceiver: number;
  receivers?: Receiver[];
}

export interface ReplacementInfo {
  documentId: string;
  organIds: string[];
}

/** The `Bussiness` block (canonical spelling on the wire has the double s). */
export interface Business {
  /** Update: the document being updated. */
  documentId?: string;
  docType: BusinessDocType;
  /** Revoke: reason. */
  reason?: string;
  /** 1 = a paper copy is also sent. */
  paper?: number;
  staffInfo?: StaffInfo;
  /** Update only. */
  documentInfo?: BusinessDocumentInfo;
  /** Replace only. */
  replacements?: ReplacementInfo[];
}

/** Manifest entry. `contentId` is stored without the `cid:` prefix. */
export interface ManifestReference {
  contentId: string;
  contentType: string;
  description?: string;
  attachmentName: string;
}

export interface EdxmlDocument {
  header: MessageHeader;
  traces: TraceHeader[];
  business: Business;
  manifest: ManifestReference[];
  /** Attributes some producers put on TraceHeaderList (id, version, mustUnderstand, actor). */
  traceHeaderListAttributes?: [string, string][];
}

export type StatusCode = "01" | "02" | "03" | "04" | "05" | "06" | "13" | "15" | "16";

export const STATUS_CODES: Readonly<
  Record<StatusCode, { vi: string; en: string; sentBy: "recipient" | "sender" }>
> = {
  "01": { vi: "Đã đến", en: "Arrived", sentBy: "recipient" },
  "02": { vi: "Từ chối tiếp nhận", en: "Refused", sentBy: "recipient" },
  "03": { vi: "Đã tiếp nhận", en: "Accepted and registered", sentBy: "recipient" },
  "04": { vi: "Phân công", en: "Assigned", sentBy: "recipient" },
  "05": { vi: "Đang xử lý", en: "Being processed", sentBy: "recipient" },
  "06": { vi: "Hoàn thành", en: "Completed", sentBy: "recipient" },
  "13": { vi: "Yêu cầu lấy lại", en: "Take-back requested", sentBy: "sender" },
  "15": { vi: "Đồng ý", en: "Agreed", sentBy: "recipient" },
  "16": { vi: "Từ chối", en: "Declined", sentBy: "recipient" },
};

/** The codes in the order of the standard (01–06, then 13, 15, 16), for tables and loops. */
export const STATUS_CODE_ORDER: readonly StatusCode[] = [
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "13",
  "15",
  "16",
];

export function isStatusCode(value: string): value is StatusCode {
  return Object.hasOwn(STATUS_CODES, value);
}

/**
 * A status package. For 01–06, 15, 16: `from` is the recipient reporting, `responseFor.organId`
 * the document's issuer. For 13 the roles invert: `from` is the original sender and
 * `responseFor.organId` the recipient asked to give the document back.
 */
export interface EdxmlStatus {
  from: Organization;
  responseFor: ResponseFor;
  staffInfo?: StaffInfo;
  statusCode: StatusCode;
  description?: string;
  timestamp: Date;
}

/** Who sent and who receives a status package, whatever the code (code 13 inverts the roles). */
export function statusParties(status: EdxmlStatus): {
  sender: string;
  documentIssuer: string;
  recipient: string;
} {
  if (status.statusCode === "13") {
    return {
      sender: status.from.organId,
      documentIssuer: status.from.organId,
      recipient: status.responseFor.organId,
    };
  }
  return {
    sender: status.from.organId,
    documentIssuer: status.responseFor.organId,
    recipient: status.responseFor.organId,
  };
}

// ---------------------------------------------------------------- dates

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function isValidLocalDate(d: LocalDate): boolean {
  if (!Number.isInteger(d.year) || !Number.isInteger(d.month) || !Number.isInteger(d.day)) return false;
  if (d.year < 1000 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
}

/** `yyyy/MM/dd` */
export function formatLocalDate(d: LocalDate): string {
  return `${pad(d.year, 4)}/${pad(d.month)}/${pad(d.day)}`;
}

/** `yyyy/MM/dd HH:mm:ss` in Asia/Ho_Chi_Minh (seconds truncated). */
export function formatTimestamp(instant: Date): string {
  const p = toVietnamParts(instant);
  return `${pad(p.year, 4)}/${pad(p.month)}/${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

export interface ParsedDate<T> {
  value: T;
  /** True when the input used a legacy form (dd/MM/yyyy, ISO, …) rather than the QCVN form. */
  legacy: boolean;
}

const DATE_CANONICAL = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_DMY = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/;

/** Accepts yyyy/MM/dd (canonical), yyyy-MM-dd[T…], dd/MM/yyyy and dd-MM-yyyy. */
export function parseLocalDate(text: string): ParsedDate<LocalDate> | null {
  const s = text.trim();
  let date: LocalDate | null = null;
  let legacy = true;
  const canonical = DATE_CANONICAL.exec(s);
  const iso = canonical ? null : DATE_ISO.exec(s);
  const dmy = canonical || iso ? null : DATE_DMY.exec(s);
  if (canonical) {
    date = { year: +canonical[1]!, month: +canonical[2]!, day: +canonical[3]! };
    legacy = !/^\d{4}\/\d{2}\/\d{2}$/.test(s);
  } else if (iso) date = { year: +iso[1]!, month: +iso[2]!, day: +iso[3]! };
  else if (dmy) date = { year: +dmy[3]!, month: +dmy[2]!, day: +dmy[1]! };
  if (!date || !isValidLocalDate(date)) return null;
  return { value: date, legacy };
}

const TS_CANONICAL = /^(\d{4})\/(\d{1,2})\/(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const TS_DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const TS_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Accepts `yyyy/MM/dd HH:mm:ss` (canonical, Vietnam local time), `dd/MM/yyyy HH:mm:ss`, ISO 8601
 * with or without offset (without: Vietnam local time) and a bare date (midnight, Vietnam).
 */
export function parseTimestamp(text: string): ParsedDate<Date> | null {
  const s = text.trim();
  let parts: number[] | null = null;
  let legacy = true;
  const canonical = TS_CANONICAL.exec(s);
  const dmy = canonical ? null : TS_DMY.exec(s);
  const iso = canonical || dmy ? null : TS_ISO.exec(s);
  if (canonical) {
    parts = [
      +canonical[1]!,
      +canonical[2]!,
      +canonical[3]!,
      +canonical[4]!,
      +canonical[5]!,
      +(canonical[6] ?? 0),
    ];
    legacy = !/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(s);
  } else if (dmy) {
    parts = [+dmy[3]!, +dmy[2]!, +dmy[1]!, +dmy[4]!, +dmy[5]!, +(dmy[6] ?? 0)];
  } else if (iso) {
    if (iso[7]) {
      const instant = new Date(s);
      const date = { year: +iso[1]!, month: +iso[2]!, day: +iso[3]! };
      if (Number.isNaN(instant.getTime()) || !isValidLocalDate(date)) return null;
      return { value: instant, legacy: true };
    }
    parts = [+iso[1]!, +iso[2]!, +iso[3]!, +iso[4]!, +iso[5]!, +(iso[6] ?? 0)];
  } else {
    const d = parseLocalDate(s);
    if (d) parts = [d.value.year, d.value.month, d.value.day, 0, 0, 0];
  }
  if (!parts) return null;
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  if (!isValidLocalDate({ year, month, day }) || hour > 23 || minute > 59 || second > 59) return null;
  return { value: fromVietnamParts({ year, month, day, hour, minute, second }), legacy };
}

export function localDateOf(instant: Date): LocalDate {
  const p = toVietnamParts(instant);
  return { year: p.year, month: p.month, day: p.day };
}
