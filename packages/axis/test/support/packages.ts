/** Hand-written edXML packages shaped like the VPCP samples (spec §2.7, §3.1). */
const NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface EdocOptions {
  from: string;
  to: string[];
  documentId: string;
  subject?: string;
  businessType?: 0 | 1 | 2 | 3;
  reason?: string;
  /** Attachment payload size in bytes (base64-encoded into the package). */
  attachmentBytes?: number;
  seed?: string;
  /** The attachment's bytes themselves (e.g. random, like a compressed PDF); wins over the two above. */
  attachment?: Buffer;
}

export function edocXml(o: EdocOptions): Buffer {
  const [number, notation] = o.documentId.split(",").at(-1)!.split("/");
  const payload = o.attachment
    ? o.attachment.toString("base64")
    : o.attachmentBytes
      ? Buffer.alloc(o.attachmentBytes, o.seed ?? "x").toString("base64")
      : Buffer.from("%PDF-1.7 test").toString("base64");
  const bt = o.businessType ?? 0;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${NS}">
 <edXML:edXMLEnvelope xmlns:edXML="${NS}">
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>${o.from}</edXML:OrganId><edXML:OrganName>Cơ quan ${o.from}</edXML:OrganName></edXML:From>
${o.to.map((t) => `    <edXML:To><edXML:OrganId>${t}</edXML:OrganId><edXML:OrganName>Cơ quan ${t}</edXML:OrganName></edXML:To>`).join("\n")}
    <edXML:DocumentId>${esc(o.documentId)}</edXML:DocumentId>
    <edXML:Code><edXML:CodeNumber>${(number ?? "1").padStart(2, "0")}</edXML:CodeNumber><edXML:CodeNotation>${esc(notation ?? "VP")}</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:Type>18</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
    <edXML:Subject>${esc(o.subject ?? "V/v thử nghiệm liên thông")}</edXML:Subject>
    <edXML:SignerInfo><edXML:Competence>KT. GIÁM ĐỐC</edXML:Competence><edXML:Position>Phó Giám đốc</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
    <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:PromulgationAmount>1</edXML:PromulgationAmount><edXML:PageAmount>1</edXML:PageAmount></edXML:OtherInfo>
    <edXML:SteeringType>0</edXML:SteeringType>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList>
    <edXML:TraceHeader><edXML:OrganId>${o.from}</edXML:OrganId><edXML:Timestamp>2025/03/05 10:20:00</edXML:Timestamp></edXML:TraceHeader>
    <edXML:Bussiness><edXML:BussinessDocType>${bt}</edXML:BussinessDocType>${o.reason ? `<edXML:BussinessDocReason>${esc(o.reason)}</edXML:BussinessDocReason>` : ""}<edXML:Paper>0</edXML:Paper>
     <edXML:StaffInfo><edXML:Department>Văn phòng</edXML:Department><edXML:Staff>Văn thư</edXML:Staff></edXML:StaffInfo></edXML:Bussiness>
   </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
   <edXML:Reference><edXML:ContentId>cid:a1</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType><edXML:AttachmentName>vb.pdf</edXML:AttachmentName></edXML:Reference>
  </edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded><Attachment><ContentId>cid:a1</ContentId><AttachmentName>vb.pdf</AttachmentName><ContentType>application/pdf</ContentType>
  <edXML:ContentTransferEncoded xmlns:edXML="${NS}">${payload}</edXML:ContentTransferEncoded></Attachment></AttachmentEncoded>
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
  timestamp?: string;
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
    <edXML:Timestamp>${o.timestamp ?? "2025/03/05 11:00:00"}</edXML:Timestamp>
   </edXML:MessageHeader>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
`,
    "utf8",
  );
}

export function textOf(xml: Buffer, local: string): string[] {
  const re = new RegExp(`<(?:\\w+:)?${local}>([^<]*)</(?:\\w+:)?${local}>`, "g");
  return [...xml.toString("utf8").matchAll(re)].map((m) => m[1]!);
}
