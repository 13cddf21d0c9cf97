/**
 * edXML builder. Emits exactly the prefix layout of spec §2.1/§2.7 (the VPCP side rejects other
 * layouts): root default namespace, `edXML:` on envelope children, unprefixed
 * `AttachmentEncoded/Attachment`, `edXML:ContentTransferEncoded` with its own xmlns:edXML.
 * Output is compact (no indentation) and deterministic, so build → parse → build is byte-identical.
 * Attachments stream: base64 is produced slice by slice, a 1 GB attachment never sits in memory.
 */
import { Readable } from "node:stream";
import { EdxmlError } from "./errors.ts";
import {
  type Business,
  EDXML_NAMESPACE,
  type EdxmlDocument,
  type EdxmlStatus,
  formatLocalDate,
  formatTimestamp,
  type LocalDate,
  type ManifestReference,
  type MessageHeader,
  type Organization,
  type ResponseFor,
  type StaffInfo,
} from "./model.ts";

export type AttachmentContent = Buffer | Uint8Array | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export interface AttachmentInput {
  /** Without or with `cid:`; emitted as `cid:<id>` on both sides. */
  contentId: string;
  name: string;
  contentType: string;
  description?: string;
  content: AttachmentContent;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ROOT_OPEN = `<edXML xmlns="${EDXML_NAMESPACE}">`;
const ENVELOPE_OPEN = `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NAMESPACE}">`;
const CTE_OPEN = `<edXML:ContentTransferEncoded xmlns:edXML="${EDXML_NAMESPACE}">`;
/** Base64 is emitted in slices of this many input bytes (a multiple of 3). */
const BASE64_SLICE = 3 * 256 * 1024;

const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NFC + XML escaping; CR is escaped so it survives a parse. */
export function escapeXml(text: string): string {
  const s = text.normalize("NFC");
  if (FORBIDDEN.test(s))
    throw new EdxmlError("EDXML_BUILD_INPUT", { reason: "text contains a character XML forbids" });
  return s.replace(/[&<>\r]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;",
  );
}

export function stripCid(contentId: string): string {
  return contentId.trim().replace(/^cid:/i, "");
}

class Writer {
  out = "";
  el(name: string, value: string | number | boolean | undefined): void {
    if (value === undefined) return;
    this.out += `<edXML:${name}>${typeof value === "string" ? escapeXml(value) : String(value)}</edXML:${name}>`;
  }
  date(name: string, value: LocalDate | undefined): void {
    if (value !== undefined) this.out += `<edXML:${name}>${formatLocalDate(value)}</edXML:${name}>`;
  }
  open(name: string): void {
    this.out += `<edXML:${name}>`;
  }
  close(name: string): void {
    this.out += `</edXML:${name}>`;
  }
}

function organization(w: Writer, name: string, o: Organization): void {
  w.open(name);
  w.el("OrganId", o.organId);
  w.el("OrganizationInCharge", o.organizationInCharge);
  w.el("OrganName", o.organName);
  w.el("OrganAdd", o.organAdd);
  w.el("Email", o.email);
  w.el("Telephone", o.telephone);
  w.el("Fax", o.fax);
  w.el("Website", o.website);
  w.close(name);
}

function responseFor(w: Writer, r: ResponseFor): void {
  w.open("ResponseFor");
  w.el("OrganId", r.organId);
  w.el("Code", r.code);
  w.date("PromulgationDate", r.promulgationDate);
  w.el("DocumentId", r.documentId);
  w.close("ResponseFor");
}

function staffInfo(w: Writer, s: StaffInfo | undefined): void {
  if (!s) return;
  w.open("StaffInfo");
  w.el("Department", s.department);
  w.el("DepartmentId", s.departmentId);
  w.el("Staff", s.staff);
  w.el("StaffId", s.staffId);
  w.el("Email", s.email);
  w.el("Mobile", s.mobile);
  w.close("StaffInfo");
}

function integer(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new EdxmlError("EDXML_BUILD_INPUT", { reason: `${name} must be an integer` });
  }
  return value;
}

function messageHeader(w: Writer, h: MessageHeader): void {
  w.open("MessageHeader");
  organization(w, "From", h.from);
  for (const to of h.to) organization(w, "To", to);
  w.el("DocumentId", h.documentId);
  w.open("Code");
  w.el("CodeNumber", h.code.codeNumber);
  w.el("CodeNotation", h.code.codeNotation);
  w.close("Code");
  w.open("PromulgationInfo");
  w.el("Place", h.promulgationInfo.place);
  w.date("PromulgationDate", h.promulgationInfo.promulgationDate);
  w.close("PromulgationInfo");
  w.open("DocumentType");
  w.el("Type", integer("Type", h.documentType.type));
  w.el("TypeDetail", integer("TypeDetail", h.documentType.typeDetail));
  w.el("TypeName", h.documentType.typeName);
  w.close("DocumentType");
  w.el("Subject", h.subject);
  w.el("Content", h.content);
  w.open("SignerInfo");
  w.el("Competence", h.signerInfo.competence);
  w.el("Position", h.signerInfo.position);
  w.el("FullName", h.signerInfo.fullName);
  w.close("SignerInfo");
  w.date("DueDate", h.dueDate);
  const o = h.otherInfo;
  w.open("OtherInfo");
  w.el("Priority", integer("Priority", o.priority));
  w.el("SphereOfPromulgation", o.sphereOfPromulgation);
  w.el("TyperNotation", o.typerNotation);
  w.el("PromulgationAmount", integer("PromulgationAmount", o.promulgationAmount));
  w.el("PageAmount", integer("PageAmount", o.pageAmount));
  w.el("Direction", o.direction);
  if (o.appendixes) {
    w.open("Appendixes");
    for (const a of o.appendixes) w.el("Appendix", a);
    w.close("Appendixes");
  }
  w.close("OtherInfo");
  for (const r of h.responseFor ?? []) responseFor(w, r);
  w.el("SteeringType", integer("SteeringType", h.steeringType));
  if (h.toPlaces) {
    w.open("ToPlaces");
    for (const p of h.toPlaces) w.el("Place", p);
    w.close("ToPlaces");
  }
  w.close("MessageHeader");
}

function business(w: Writer, b: Business): void {
  w.open("Bussiness");
  w.el("DocumentId", b.documentId);
  w.el("BussinessDocType", integer("BussinessDocType", b.docType));
  w.el("BussinessDocReason", b.reason);
  w.el("Paper", integer("Paper", b.paper));
  staffInfo(w, b.staffInfo);
  if (b.documentInfo) {
    const d = b.documentInfo;
    w.open("BussinessDocumentInfo");
    w.el("DocumentInfo", integer("DocumentInfo", d.documentInfo));
    w.el("DocumentReceiver", integer("DocumentReceiver", d.documentReceiver));
    if (d.receivers) {
      w.open("ReceiverList");
      for (const r of d.receivers) {
        w.open("Receiver");
        w.el("OrganId", r.organId);
        w.el("ReceiverType", integer("ReceiverType", r.receiverType));
        w.close("Receiver");
      }
      w.close("ReceiverList");
    }
    w.close("BussinessDocumentInfo");
  }
  if (b.replacements) {
    w.open("ReplacementInfoList");
    for (const r of b.replacements) {
      w.open("ReplacementInfo");
      w.el("DocumentId", r.documentId);
      w.open("OrganIdList");
      for (const id of r.organIds) w.el("OrganId", id);
      w.close("OrganIdList");
      w.close("ReplacementInfo");
    }
    w.close("ReplacementInfoList");
  }
  w.close("Bussiness");
}

function escapeAttribute(value: string): string {
  return escapeXml(value)
    .replace(/"/g, "&quot;")
    .replace(/[\n\t]/g, (c) => (c === "\n" ? "&#10;" : "&#9;"));
}

/** Everything before the first attachment's base64 (header, manifest, start of AttachmentEncoded). */
function documentPrologue(document: EdxmlDocument, manifest: ManifestReference[]): string {
  const w = new Writer();
  w.out = XML_DECLARATION + ROOT_OPEN + ENVELOPE_OPEN;
  w.open("edXMLHeader");
  messageHeader(w, document.header);
  const attrs = (document.traceHeaderListAttributes ?? []).map(([k, v]) => {
    if (!/^[A-Za-z_][\w.-]*$/.test(k))
      throw new EdxmlError("EDXML_BUILD_INPUT", { reason: `attribute name ${k}` });
    return ` ${k}="${escapeAttribute(v)}"`;
  });
  w.out += `<edXML:TraceHeaderList${attrs.join("")}>`;
  for (const t of document.traces) {
    w.open("TraceHeader");
    w.el("OrganId", t.organId);
    w.el("Timestamp", formatTimestamp(t.timestamp));
    w.close("TraceHeader");
  }
  business(w, document.business);
  w.close("TraceHeaderList");
  w.close("edXMLHeader");
  w.open("edXMLBody");
  w.out += '<edXML:edXMLManifest version="1.0">';
  for (const m of manifest) {
    w.open("Reference");
    w.el("ContentId", `cid:${stripCid(m.contentId)}`);
    w.el("ContentType", m.contentType);
    w.el("Description", m.description);
    w.el("AttachmentName", m.attachmentName);
    w.close("Reference");
  }
  w.out += "</edXML:edXMLManifest>";
  w.close("edXMLBody");
  w.out += "</edXML:edXMLEnvelope>";
  return w.out;
}

function attachmentOpen(a: AttachmentInput): string {
  const w = new Writer();
  w.out = "<Attachment>";
  w.out += `<ContentId>cid:${escapeXml(stripCid(a.contentId))}</ContentId>`;
  w.out += `<AttachmentName>${escapeXml(a.name)}</AttachmentName>`;
  if (a.description !== undefined) w.out += `<Description>${escapeXml(a.description)}</Description>`;
  w.out += `<ContentType>${escapeXml(a.contentType)}</ContentType>`;
  return w.out + CTE_OPEN;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === "object" && x !== null && Symbol.asyncIterator in x;
}

async function* base64Of(content: AttachmentContent): AsyncGenerator<Buffer> {
  if (content instanceof Uint8Array) {
    const buf = Buffer.isBuffer(content)
      ? content
      : Buffer.from(content.buffer, content.byteOffset, content.length);
    for (let at = 0; at < buf.length; at += BASE64_SLICE) {
      yield Buffer.from(buf.subarray(at, at + BASE64_SLICE).toString("base64"), "latin1");
    }
    return;
  }
  const iterable = isAsyncIterable(content) ? content : Readable.from(content as NodeJS.ReadableStream);
  let carry: Buffer = Buffer.alloc(0);
  for await (const raw of iterable) {
    const chunk =
      typeof raw === "string" ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    for (let at = 0; data.length - at >= 3; ) {
      const take = Math.min(BASE64_SLICE, Math.floor((data.length - at) / 3) * 3);
      yield Buffer.from(data.subarray(at, at + take).toString("base64"), "latin1");
      at += take;
      if (data.length - at < 3) {
        data = data.subarray(at);
        break;
      }
    }
    carry = data.length < 3 ? Buffer.from(data) : Buffer.alloc(0);
  }
  if (carry.length) yield Buffer.from(carry.toString("base64"), "latin1");
}

function manifestFor(document: EdxmlDocument, attachments: readonly AttachmentInput[]): ManifestReference[] {
  if (document.manifest.length > 0) return document.manifest;
  return attachments.map((a) => ({
    contentId: stripCid(a.contentId),
    contentType: a.contentType,
    ...(a.description !== undefined ? { description: a.description } : {}),
    attachmentName: a.name,
  }));
}

/**
 * Streams a document package. When `document.manifest` is empty the manifest is derived from the
 * attachments.
 */
export async function* buildDocumentChunks(
  document: EdxmlDocument,
  attachments: readonly AttachmentInput[] = [],
): AsyncGenerator<Buffer> {
  yield Buffer.from(documentPrologue(document, manifestFor(document, attachments)), "utf8");
  if (attachments.length > 0) {
    yield Buffer.from("<AttachmentEncoded>");
    for (const a of attachments) {
      yield Buffer.from(attachmentOpen(a), "utf8");
      yield* base64Of(a.content);
      yield Buffer.from("</edXML:ContentTransferEncoded></Attachment>");
    }
    yield Buffer.from("</AttachmentEncoded>");
  }
  yield Buffer.from("</edXML>");
}

/** A Readable of the package bytes (for piping to a file or an HTTP body). */
export function buildDocumentStream(
  document: EdxmlDocument,
  attachments: readonly AttachmentInput[] = [],
): Readable {
  return Readable.from(buildDocumentChunks(document, attachments), { objectMode: false });
}

/** Convenience: the whole package in memory. */
export async function buildDocument(
  document: EdxmlDocument,
  attachments: readonly AttachmentInput[] = [],
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of buildDocumentChunks(document, attachments)) parts.push(part);
  return Buffer.concat(parts);
}

/** A status package (header only, no body). */
export function buildStatus(status: EdxmlStatus): Buffer {
  const w = new Writer();
  w.out = XML_DECLARATION + ROOT_OPEN + ENVELOPE_OPEN;
  w.open("edXMLHeader");
  w.open("MessageHeader");
  organization(w, "From", status.from);
  responseFor(w, status.responseFor);
  staffInfo(w, status.staffInfo);
  w.el("StatusCode", status.statusCode);
  w.el("Description", status.description);
  w.el("Timestamp", formatTimestamp(status.timestamp));
  w.close("MessageHeader");
  w.close("edXMLHeader");
  w.out += "</edXML:edXMLEnvelope></edXML>";
  return Buffer.from(w.out, "utf8");
}
