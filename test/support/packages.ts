/**
 * edXML packages for the cross-package suites (QCVN 102:2016 shape, spec §2.7), with knobs for
 * the hostile variants: attachment names, manifest ids, field sizes, a DOCTYPE prologue.
 */
const NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface EdocOptions {
  from: string;
  to: string[];
  documentId: string;
  subject?: string;
  /** Attachment payload size in bytes (random-looking but deterministic per seed). */
  attachmentBytes?: number;
  seed?: number;
  attachmentName?: string;
  /** ContentId in the manifest (default cid:a1). */
  manifestContentId?: string;
  /** ContentId on the attachment itself (default cid:a1). */
  attachmentContentId?: string;
  /** Raw text placed before the root element (e.g. a DOCTYPE). */
  prologue?: string;
  /** Raw XML placed inside MessageHeader, after Subject (already escaped). */
  headerExtra?: string;
}

function payload(bytes: number, seed: number): string {
  // Deterministic, incompressible-looking bytes (xorshift32), so packages of one seed are equal.
  const buf = Buffer.alloc(Math.max(bytes, 8));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  buf.write("%PDF-1.7", 0);
  return buf.toString("base64");
}

export function edocXml(o: EdocOptions): Buffer {
  const [rawNumber, notation] = (o.documentId.split(",").at(-1) ?? "01/VP").split("/");
  // QCVN 102: Arabic digits, zero-padded below 10.
  const number = (rawNumber ?? "1").padStart(2, "0");
  const data = payload(o.attachmentBytes ?? 64, o.seed ?? 1);
  const name = o.attachmentName ?? "vb.pdf";
  const manifestCid = o.manifestContentId ?? "cid:a1";
  const attachmentCid = o.attachmentContentId ?? "cid:a1";
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
${o.prologue ?? ""}<edXML xmlns="${NS}">
 <edXML:edXMLEnvelope xmlns:edXML="${NS}">
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>${o.from}</edXML:OrganId><edXML:OrganName>Cơ quan ${o.from}</edXML:OrganName></edXML:From>
${o.to.map((t) => `    <edXML:To><edXML:OrganId>${t}</edXML:OrganId><edXML:OrganName>Cơ quan ${t}</edXML:OrganName></edXML:To>`).join("\n")}
    <edXML:DocumentId>${esc(o.documentId)}</edXML:DocumentId>
    <edXML:Code><edXML:CodeNumber>${number}</edXML:CodeNumber><edXML:CodeNotation>${esc(notation ?? "VP")}</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:Type>18</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
    <edXML:Subject>${o.subject ?? "V/v thử nghiệm liên thông"}</edXML:Subject>${o.headerExtra ?? ""}
    <edXML:SignerInfo><edXML:Competence>KT. GIÁM ĐỐC</edXML:Competence><edXML:Position>Phó Giám đốc</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
    <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:PromulgationAmount>1</edXML:PromulgationAmount><edXML:PageAmount>1</edXML:PageAmount></edXML:OtherInfo>
    <edXML:SteeringType>0</edXML:SteeringType>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList>
    <edXML:TraceHeader><edXML:OrganId>${o.from}</edXML:OrganId><edXML:Timestamp>2025/03/05 10:20:00</edXML:Timestamp></edXML:TraceHeader>
    <edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:Paper>0</edXML:Paper>
     <edXML:StaffInfo><edXML:Department>Văn phòng</edXML:Department><edXML:Staff>Văn thư</edXML:Staff></edXML:StaffInfo></edXML:Bussiness>
   </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
   <edXML:Reference><edXML:ContentId>${manifestCid}</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType><edXML:AttachmentName>${esc(name)}</edXML:AttachmentName></edXML:Reference>
  </edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded><Attachment><ContentId>${attachmentCid}</ContentId><AttachmentName>${esc(name)}</AttachmentName><ContentType>application/pdf</ContentType>
  <edXML:ContentTransferEncoded xmlns:edXML="${NS}">${data}</edXML:ContentTransferEncoded></Attachment></AttachmentEncoded>
</edXML>
`,
    "utf8",
  );
}

export function statusXml(o: {
  from: string;
  responseFor: string;
  documentId: string;
  code: string;
}): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${NS}">
 <edXML:edXMLEnvelope xmlns:edXML="${NS}">
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>${o.from}</edXML:OrganId><edXML:OrganName>Cơ quan ${o.from}</edXML:OrganName></edXML:From>
    <edXML:ResponseFor><edXML:OrganId>${o.responseFor}</edXML:OrganId><edXML:Code>1/VP</edXML:Code><edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate><edXML:DocumentId>${esc(o.documentId)}</edXML:DocumentId></edXML:ResponseFor>
    <edXML:StaffInfo><edXML:Department>Văn phòng</edXML:Department><edXML:Staff>Văn thư</edXML:Staff></edXML:StaffInfo>
    <edXML:StatusCode>${o.code}</edXML:StatusCode>
    <edXML:Description>Trạng thái ${o.code}</edXML:Description>
    <edXML:Timestamp>2025/03/05 11:00:00</edXML:Timestamp>
   </edXML:MessageHeader>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
`,
    "utf8",
  );
}

/** Text of every element with this local name (any prefix). */
export function textOf(xml: Buffer, local: string): string[] {
  const re = new RegExp(`<(?:\\w+:)?${local}>([^<]*)</(?:\\w+:)?${local}>`, "g");
  return [...xml.toString("utf8").matchAll(re)].map((m) => m[1]!);
}
