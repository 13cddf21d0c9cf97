/** Sample packages in the spirit of the VPCP SDK samples (written from the spec's skeletons). */
import { fromVietnamParts } from "@truc/common";
import type { AttachmentInput } from "../src/build.ts";
import type { BusinessDocType, EdxmlDocument, EdxmlStatus, StatusCode } from "../src/model.ts";

export const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.alloc(3000, 7),
  Buffer.from("\n%%EOF\n"),
]);

export function sampleDocument(docType: BusinessDocType = 0): EdxmlDocument {
  const business: EdxmlDocument["business"] = {
    docType,
    paper: 0,
    staffInfo: {
      department: "Văn phòng",
      staff: "Văn thư",
      email: "vanthu@sokhcn.gov.vn",
      mobile: "0901234567",
    },
  };
  if (docType === 1) business.reason = "Ban hành nhầm đối tượng";
  if (docType === 2) {
    business.documentId = "H29.12,2025/03/05,45/SX-VP";
    business.documentInfo = {
      documentInfo: 1,
      documentReceiver: 1,
      receivers: [
        { organId: "G09", receiverType: 1 },
        { organId: "G12", receiverType: 0 },
      ],
    };
  }
  if (docType === 3) {
    business.replacements = [
      { documentId: "H29.12,2025/03/01,40/SX-VP", organIds: ["G09", "000.00.00.G12"] },
    ];
  }
  return {
    header: {
      from: {
        organId: "H29.12",
        organizationInCharge: "UBND TP Hồ Chí Minh",
        organName: "Sở Khoa học và Công nghệ",
        organAdd: "244 Điện Biên Phủ, Quận 3",
        email: "skhcn@tphcm.gov.vn",
        telephone: "028 3932 7831",
        fax: "028 3932 7831",
        website: "https://dost.hochiminhcity.gov.vn",
      },
      to: [
        { organId: "G09", organName: "Bộ Nội vụ" },
        { organId: "000.00.00.G12", organName: "Bộ Tài chính", organizationInCharge: "Chính phủ" },
      ],
      documentId: "H29.12,2025/03/05,45/SX-VP",
      code: { codeNumber: "45", codeNotation: "SX-VP" },
      promulgationInfo: { place: "TP. Hồ Chí Minh", promulgationDate: { year: 2025, month: 3, day: 5 } },
      documentType: { type: 18, typeDetail: 0, typeName: "Công văn" },
      subject: "V/v triển khai Nghị định 30/2020/NĐ-CP & các văn bản <liên quan>",
      content: "Nội dung tóm tắt",
      signerInfo: { competence: "KT. GIÁM ĐỐC", position: "Phó Giám đốc", fullName: "Nguyễn Văn A" },
      dueDate: { year: 2025, month: 3, day: 20 },
      otherInfo: {
        priority: 1,
        sphereOfPromulgation: "Lưu hành nội bộ",
        typerNotation: "NVA",
        promulgationAmount: 3,
        pageAmount: 2,
        direction: false,
        appendixes: ["Phụ lục I", "Phụ lục II"],
      },
      responseFor:
        docType === 1
          ? [
              {
                organId: "G09",
                code: "267/BNV-VP",
                promulgationDate: { year: 2025, month: 2, day: 1 },
                documentId: "G09,2025/02/01,267/BNV-VP",
              },
            ]
          : [],
      steeringType: 1,
      toPlaces: ["Như trên", "Lưu: VT, VP"],
    },
    traces: [
      {
        organId: "H29.12",
        timestamp: fromVietnamParts({ year: 2025, month: 3, day: 5, hour: 10, minute: 20, second: 0 }),
      },
    ],
    business,
    manifest: [],
  };
}

export function sampleAttachments(): AttachmentInput[] {
  return [
    {
      contentId: "a1",
      name: "45-SX-VP.signed.pdf",
      contentType: "application/pdf",
      description: "Văn bản chính",
      content: PDF,
    },
    {
      contentId: "cid:a2",
      name: "Phụ lục.docx",
      contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      content: Buffer.from("PK\u0003\u0004 docx bytes"),
    },
  ];
}

export function sampleStatus(code: StatusCode): EdxmlStatus {
  return {
    from:
      code === "13"
        ? { organId: "H29.12", organName: "Sở Khoa học và Công nghệ" }
        : { organId: "G09", organName: "Bộ Nội vụ" },
    responseFor: {
      organId: code === "13" ? "G09" : "H29.12",
      code: "45/SX-VP",
      promulgationDate: { year: 2025, month: 3, day: 5 },
      documentId: "H29.12,2025/03/05,45/SX-VP",
    },
    staffInfo: { department: "Văn phòng", staff: "Trần Thị B", email: "", mobile: "" },
    statusCode: code,
    description: code === "02" ? "Sai đơn vị nhận" : "Đã xử lý",
    timestamp: fromVietnamParts({ year: 2025, month: 3, day: 5, hour: 11, minute: 8, second: 36 }),
  };
}

/**
 * A "messy producer" package: no prefixes, shuffled order, legacy dates, cid: on one side only,
 * CRLF line endings, TraceHeaderList attributes, an unknown element and a case difference.
 */
export const MESSY = `<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXMLEnvelope>
    <edXMLHeader>
      <MessageHeader>
        <Subject>V/v báo cáo tình hình</Subject>
        <To><OrganName>Bộ Nội vụ</OrganName><OrganId>000.00.00.G09</OrganId></To>
        <From><OrganId>000.00.12.H29</OrganId><OrganName>Sở X</OrganName></From>
        <Code><CodeNotation>SX-VP</CodeNotation><CodeNumber>07</CodeNumber></Code>
        <DocumentId>000.00.12.H29,2024/12/31,07/SX-VP</DocumentId>
        <PromulgationInfo><PromulgationDate>31/12/2024</PromulgationDate><Place>TP. Hồ Chí Minh</Place></PromulgationInfo>
        <DocumentType><TypeName>Công văn</TypeName><Type>1</Type><TypeDetail>0</TypeDetail></DocumentType>
        <SignerInfo><FullName>Lê Văn C</FullName><Position>Giám đốc</Position><Competence></Competence></SignerInfo>
        <OtherInfo><Priority>0</Priority><Direction>false</Direction></OtherInfo>
        <SteeringType>0</SteeringType>
        <VendorExtension>x</VendorExtension>
      </MessageHeader>
      <TraceHeaderList id="th1" version="1.0" mustUnderstand="1" actor="http://schemas.xmlsoap.org/soap/actor/next">
        <TraceHeader><OrganId>000.00.12.H29</OrganId><Timestamp>31/12/2024 16:45:00</Timestamp></TraceHeader>
        <TraceHeader><OrganId>001.00.20.TT2</OrganId><Timestamp>2024-12-31T17:00:05+07:00</Timestamp></TraceHeader>
        <bussiness><BussinessDocType>0</BussinessDocType><Paper>1</Paper></bussiness>
      </TraceHeaderList>
    </edXMLHeader>
    <edXMLBody><edXMLManifest version="1.0">
      <Reference><AttachmentName>07-SX-VP.pdf</AttachmentName><ContentType>application/pdf</ContentType><ContentId>m1</ContentId></Reference>
    </edXMLManifest></edXMLBody>
  </edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentType>application/pdf</ContentType>
      <ContentId>cid:m1</ContentId>
      <AttachmentName>07-SX-VP.pdf</AttachmentName>
      <ContentTransferEncoded>
JVBERi0xLjcK
JSVFT0YK
      </ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
`.replace(/\n/g, "\r\n");
