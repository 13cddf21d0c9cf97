/**
 * Validation of parsed or built packages against QCVN 102 / NĐ 30 rules (spec §2, §3, §5, §6).
 * Every problem is returned (not just the first), each with a stable code and Vietnamese and
 * English messages. Parsing is tolerant; this is where strictness lives.
 */
import { formatMessage } from "@truc/common";
import { EdxmlError } from "./errors.ts";
import { parseAgencyId } from "./identifiers.ts";
import {
  type EdxmlDocument,
  type EdxmlStatus,
  isStatusCode,
  isValidLocalDate,
  type LocalDate,
  type Organization,
  type ResponseFor,
} from "./model.ts";
import type { ParsedAttachment, ParsedEdxml } from "./parse.ts";

export const VALIDATION_ISSUES = {
  EDXML_V_REQUIRED: { vi: "Thiếu trường bắt buộc {field}", en: "Missing required field {field}" },
  EDXML_V_TOO_LONG: {
    vi: "{field} dài {length} ký tự, tối đa {max}",
    en: "{field} is {length} characters long, at most {max} allowed",
  },
  EDXML_V_AGENCY_ID: {
    vi: "Mã định danh cơ quan không hợp lệ: {value}",
    en: "Invalid agency identifier: {value}",
  },
  EDXML_V_DATE: { vi: "Ngày không hợp lệ ở {field}", en: "Invalid date in {field}" },
  EDXML_V_TIMESTAMP: { vi: "Thời điểm không hợp lệ ở {field}", en: "Invalid timestamp in {field}" },
  EDXML_V_INTEGER: {
    vi: "{field} phải là số nguyên trong khoảng {min}–{max}",
    en: "{field} must be an integer between {min} and {max}",
  },
  EDXML_V_CODE_NUMBER: {
    vi: "Số văn bản phải là chữ số Ả Rập, số nhỏ hơn 10 có số 0 phía trước: {value}",
    en: "Document number must be Arabic digits, zero-padded below 10: {value}",
  },
  EDXML_V_CODE_NOTATION: {
    vi: "Ký hiệu văn bản không đúng quy định (các nhóm chữ cách nhau bởi dấu -): {value}",
    en: "Invalid document notation (groups separated by '-'): {value}",
  },
  EDXML_V_PRIORITY: { vi: "Độ khẩn phải từ 0 đến 4: {value}", en: "Priority must be 0 to 4: {value}" },
  EDXML_V_BUSINESS: {
    vi: "Khối Bussiness không đầy đủ cho nghiệp vụ {operation}: {reason}",
    en: "Incomplete Bussiness block for operation {operation}: {reason}",
  },
  EDXML_V_MANIFEST: {
    vi: "Danh mục tệp đính kèm không khớp với tệp đính kèm: {reason}",
    en: "Manifest and attachments do not match: {reason}",
  },
  EDXML_V_TRACE: {
    vi: "Thiếu thông tin vết chuyển (TraceHeader)",
    en: "No trace entry (TraceHeader)",
  },
  EDXML_V_STATUS_CODE: { vi: "Mã trạng thái không hợp lệ: {value}", en: "Invalid status code: {value}" },
  EDXML_V_STATUS_ROLE: {
    vi: "Trạng thái {code} không phù hợp với vai trò các bên: {reason}",
    en: "Status {code} does not fit the parties' roles: {reason}",
  },
} as const;

export type ValidationCode = keyof typeof VALIDATION_ISSUES;

export interface ValidationIssue {
  code: ValidationCode;
  path: string;
  messageVi: string;
  messageEn: string;
  details?: Record<string, unknown>;
}

class Issues {
  readonly list: ValidationIssue[] = [];
  add(code: ValidationCode, path: string, details: Record<string, unknown> = {}): void {
    const m = VALIDATION_ISSUES[code];
    this.list.push({
      code,
      path,
      messageVi: formatMessage(m.vi, details),
      messageEn: formatMessage(m.en, details),
      details,
    });
  }
  required(path: string, value: string | undefined): boolean {
    if (value === undefined || value.trim() === "") {
      this.add("EDXML_V_REQUIRED", path, { field: path });
      return false;
    }
    return true;
  }
  length(path: string, value: string | undefined, max: number): void {
    if (value !== undefined && [...value].length > max) {
      this.add("EDXML_V_TOO_LONG", path, { field: path, length: [...value].length, max });
    }
  }
  text(path: string, value: string | undefined, max: number, required = false): void {
    if (required) this.required(path, value);
    this.length(path, value, max);
  }
  agency(path: string, value: string | undefined): void {
    if (!this.required(path, value)) return;
    if (!parseAgencyId(value!.trim())) this.add("EDXML_V_AGENCY_ID", path, { field: path, value });
  }
  date(path: string, value: LocalDate | undefined, required: boolean): void {
    if (value === undefined) {
      if (required) this.add("EDXML_V_REQUIRED", path, { field: path });
    } else if (!isValidLocalDate(value)) this.add("EDXML_V_DATE", path, { field: path });
  }
  timestamp(path: string, value: Date | undefined): void {
    if (value === undefined) this.add("EDXML_V_REQUIRED", path, { field: path });
    else if (Number.isNaN(value.getTime())) this.add("EDXML_V_TIMESTAMP", path, { field: path });
  }
  int(path: string, value: number | undefined, min: number, max: number, required = false): void {
    if (value === undefined) {
      if (required) this.add("EDXML_V_REQUIRED", path, { field: path });
    } else if (!Number.isInteger(value) || value < min || value > max) {
      this.add("EDXML_V_INTEGER", path, { field: path, min, max, value });
    }
  }
}

function organization(issues: Issues, path: string, o: Organization): void {
  issues.agency(`${path}/OrganId`, o.organId);
  issues.text(`${path}/OrganizationInCharge`, o.organizationInCharge, 200);
  issues.text(`${path}/OrganName`, o.organName, 200);
  issues.text(`${path}/OrganAdd`, o.organAdd, 250);
  issues.text(`${path}/Email`, o.email, 100);
  issues.text(`${path}/Telephone`, o.telephone, 20);
  issues.text(`${path}/Fax`, o.fax, 20);
  issues.text(`${path}/Website`, o.website, 250);
}

function responseFor(issues: Issues, path: string, r: ResponseFor): void {
  issues.agency(`${path}/OrganId`, r.organId);
  issues.text(`${path}/Code`, r.code, 42, true);
  issues.date(`${path}/PromulgationDate`, r.promulgationDate, false);
  issues.text(`${path}/DocumentId`, r.documentId, 100, true);
}

const NOTATION = /^(?:\d{4}\/)?[A-ZĐa-zđ0-9]+(?:-[A-ZĐa-zđ0-9]+)*$/;

/** Document package rules. Pass the parsed attachments to check manifest ↔ attachment consistency. */
export function validateDocument(
  document: EdxmlDocument,
  attachments?: readonly Pick<ParsedAttachment, "contentId">[],
): ValidationIssue[] {
  const issues = new Issues();
  const h = document.header;
  const mh = "MessageHeader";
  organization(issues, `${mh}/From`, h.from);
  if (h.to.length === 0) issues.add("EDXML_V_REQUIRED", `${mh}/To`, { field: `${mh}/To` });
  for (const [i, t] of h.to.entries()) organization(issues, `${mh}/To[${i + 1}]`, t);
  issues.text(`${mh}/DocumentId`, h.documentId, 100, true);
  const n = h.code.codeNumber.trim();
  if (issues.required(`${mh}/Code/CodeNumber`, n)) {
    issues.length(`${mh}/Code/CodeNumber`, n, 11);
    if (!/^\d+$/.test(n) || (n.length === 1 && n !== "0")) {
      issues.add("EDXML_V_CODE_NUMBER", `${mh}/Code/CodeNumber`, { value: n });
    }
  }
  const notation = h.code.codeNotation.trim();
  if (issues.required(`${mh}/Code/CodeNotation`, notation)) {
    issues.length(`${mh}/Code/CodeNotation`, notation, 30);
    if (!NOTATION.test(notation))
      issues.add("EDXML_V_CODE_NOTATION", `${mh}/Code/CodeNotation`, { value: notation });
  }
  issues.text(`${mh}/PromulgationInfo/Place`, h.promulgationInfo.place, 150, true);
  issues.date(`${mh}/PromulgationInfo/PromulgationDate`, h.promulgationInfo.promulgationDate, true);
  issues.int(`${mh}/DocumentType/Type`, h.documentType.type, 0, 9999, true);
  issues.int(`${mh}/DocumentType/TypeDetail`, h.documentType.typeDetail, 0, 9999);
  issues.text(`${mh}/DocumentType/TypeName`, h.documentType.typeName, 100, true);
  issues.text(`${mh}/Subject`, h.subject, 500, true);
  issues.text(`${mh}/Content`, h.content, 500);
  issues.text(`${mh}/SignerInfo/Competence`, h.signerInfo.competence, 100);
  issues.text(`${mh}/SignerInfo/Position`, h.signerInfo.position, 100);
  issues.text(`${mh}/SignerInfo/FullName`, h.signerInfo.fullName, 50, true);
  issues.date(`${mh}/DueDate`, h.dueDate, false);
  const o = h.otherInfo;
  if (o.priority === undefined || !Number.isInteger(o.priority) || o.priority < 0 || o.priority > 4) {
    issues.add("EDXML_V_PRIORITY", `${mh}/OtherInfo/Priority`, { value: o.priority });
  }
  issues.text(`${mh}/OtherInfo/SphereOfPromulgation`, o.sphereOfPromulgation, 100);
  issues.text(`${mh}/OtherInfo/TyperNotation`, o.typerNotation, 10);
  issues.int(`${mh}/OtherInfo/PromulgationAmount`, o.promulgationAmount, 0, 999);
  issues.int(`${mh}/OtherInfo/PageAmount`, o.pageAmount, 0, 999);
  for (const [i, a] of (o.appendixes ?? []).entries()) {
    issues.text(`${mh}/OtherInfo/Appendixes/Appendix[${i + 1}]`, a, 250);
  }
  for (const [i, r] of (h.responseFor ?? []).entries()) responseFor(issues, `${mh}/ResponseFor[${i + 1}]`, r);
  issues.int(`${mh}/SteeringType`, h.steeringType, 0, 9);

  // Trace and business block
  if (document.traces.length === 0) issues.add("EDXML_V_TRACE", "TraceHeaderList/TraceHeader");
  document.traces.forEach((t, i) => {
    issues.agency(`TraceHeaderList/TraceHeader[${i + 1}]/OrganId`, t.organId);
    issues.timestamp(`TraceHeaderList/TraceHeader[${i + 1}]/Timestamp`, t.timestamp);
  });
  const b = document.business;
  const bp = "TraceHeaderList/Bussiness";
  const operation = b.docType;
  issues.int(`${bp}/BussinessDocType`, b.docType, 0, 3, true);
  issues.int(`${bp}/Paper`, b.paper, 0, 1);
  const incomplete = (reason: string) => issues.add("EDXML_V_BUSINESS", bp, { operation, reason });
  if (b.docType === 1 && !b.reason?.trim()) incomplete("BussinessDocReason is required for a revocation");
  if (b.docType === 2) {
    if (!b.documentId?.trim()) incomplete("Bussiness/DocumentId (the updated document) is required");
    if (!b.documentInfo) incomplete("BussinessDocumentInfo is required for an update");
    else {
      issues.int(`${bp}/BussinessDocumentInfo/DocumentInfo`, b.documentInfo.documentInfo, 0, 1, true);
      issues.int(`${bp}/BussinessDocumentInfo/DocumentReceiver`, b.documentInfo.documentReceiver, 0, 1, true);
      if (b.documentInfo.documentReceiver === 1 && !b.documentInfo.receivers?.length) {
        incomplete("DocumentReceiver = 1 needs a ReceiverList");
      }
      b.documentInfo.receivers?.forEach((r, i) => {
        issues.agency(`${bp}/BussinessDocumentInfo/ReceiverList/Receiver[${i + 1}]/OrganId`, r.organId);
        issues.int(
          `${bp}/BussinessDocumentInfo/ReceiverList/Receiver[${i + 1}]/ReceiverType`,
          r.receiverType,
          0,
          9,
          true,
        );
      });
    }
  }
  if (b.docType === 3) {
    if (!b.replacements?.length) incomplete("ReplacementInfoList is required for a replacement");
    b.replacements?.forEach((r, i) => {
      issues.text(`${bp}/ReplacementInfoList/ReplacementInfo[${i + 1}]/DocumentId`, r.documentId, 100, true);
      if (r.organIds.length === 0) incomplete(`ReplacementInfo[${i + 1}] has no OrganId`);
      for (const [k, id] of r.organIds.entries()) {
        issues.agency(
          `${bp}/ReplacementInfoList/ReplacementInfo[${i + 1}]/OrganIdList/OrganId[${k + 1}]`,
          id,
        );
      }
    });
  }
  if (b.docType !== 3 && b.replacements?.length)
    incomplete("ReplacementInfoList only belongs to a replacement");
  if (b.docType !== 2 && b.documentInfo) incomplete("BussinessDocumentInfo only belongs to an update");

  // Manifest ↔ attachments
  const manifestIds = document.manifest.map((m) => m.contentId);
  const seen = new Set<string>();
  document.manifest.forEach((m, i) => {
    const p = `edXMLManifest/Reference[${i + 1}]`;
    issues.required(`${p}/ContentId`, m.contentId);
    issues.required(`${p}/ContentType`, m.contentType);
    issues.text(`${p}/AttachmentName`, m.attachmentName, 250, true);
    if (seen.has(m.contentId))
      issues.add("EDXML_V_MANIFEST", p, { reason: `duplicate ContentId ${m.contentId}` });
    seen.add(m.contentId);
  });
  if (attachments) {
    const attached = new Set(attachments.map((a) => a.contentId));
    for (const id of manifestIds) {
      if (!attached.has(id))
        issues.add("EDXML_V_MANIFEST", "AttachmentEncoded", { reason: `no attachment for ${id}` });
    }
    const counted = new Set<string>();
    for (const a of attachments) {
      if (!seen.has(a.contentId))
        issues.add("EDXML_V_MANIFEST", "edXMLManifest", {
          reason: `attachment ${a.contentId} not in the manifest`,
        });
      if (counted.has(a.contentId))
        issues.add("EDXML_V_MANIFEST", "AttachmentEncoded", {
          reason: `duplicate attachment ${a.contentId}`,
        });
      counted.add(a.contentId);
    }
  }
  return issues.list;
}

/** What a status answers, when known: the document (issuer, recipients, operation) or a status 13. */
export interface StatusContext {
  document?: { issuer: string; recipients: readonly string[]; docType: number };
  /** The status this one answers (15/16 answer a 13). */
  answers?: "13";
}

export function validateStatus(status: EdxmlStatus, context: StatusContext = {}): ValidationIssue[] {
  const issues = new Issues();
  const mh = "MessageHeader";
  organization(issues, `${mh}/From`, status.from);
  responseFor(issues, `${mh}/ResponseFor`, status.responseFor);
  issues.text(`${mh}/Description`, status.description, 500);
  issues.timestamp(`${mh}/Timestamp`, status.timestamp);
  const code = status.statusCode;
  if (!isStatusCode(code)) {
    issues.add("EDXML_V_STATUS_CODE", `${mh}/StatusCode`, { value: code });
    return issues.list;
  }
  const role = (reason: string) => issues.add("EDXML_V_STATUS_ROLE", `${mh}/StatusCode`, { code, reason });
  if (status.from.organId && status.from.organId === status.responseFor.organId) {
    role("From and ResponseFor/OrganId are the same agency");
  }
  if (code === "02" && !status.description?.trim()) {
    issues.add("EDXML_V_REQUIRED", `${mh}/Description`, { field: `${mh}/Description (reason for 02)` });
  }
  const d = context.document;
  if (d) {
    if (code === "13") {
      if (status.from.organId !== d.issuer) role("13 must be sent by the original sender");
      if (!d.recipients.includes(status.responseFor.organId))
        role("13 must name a recipient in ResponseFor/OrganId");
    } else {
      if (!d.recipients.includes(status.from.organId))
        role("the reporting agency is not a recipient of the document");
      if (status.responseFor.organId !== d.issuer) role("ResponseFor/OrganId must be the document's issuer");
    }
  }
  if ((code === "15" || code === "16") && context.answers !== "13" && d && d.docType !== 2) {
    role("15/16 only answer a take-back request (13) or an update (BussinessDocType 2)");
  }
  return issues.list;
}

/** Validates the result of `parseEdxml`. */
export function validatePackage(parsed: ParsedEdxml, context?: StatusContext): ValidationIssue[] {
  return parsed.kind === "document"
    ? validateDocument(parsed.document, parsed.attachments)
    : validateStatus(parsed.status, context);
}

/** Throws `EDXML_INVALID` listing every issue (details.issues) when there is any. */
export function assertValid(parsed: ParsedEdxml, context?: StatusContext): void {
  const issues = validatePackage(parsed, context);
  if (issues.length === 0) return;
  throw new EdxmlError("EDXML_INVALID", {
    count: issues.length,
    summary: issues
      .slice(0, 5)
      .map((i) => `${i.code} ${i.path}`)
      .join("; "),
    issues,
  });
}
