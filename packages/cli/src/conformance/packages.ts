/**
 * The packages the conformance kit sends: documents for each business operation (new, revoke,
 * update, replace), statuses (13 from the sender, answers from the simulated agency), and the
 * deliberately wrong ones (foreign sender, tampered signature, malformed XML, unknown recipient,
 * oversized attachment). Every document gets a fresh number so runs never collide.
 */
import { createHash } from "node:crypto";
import type { Signer } from "@truc/common";
import {
  type AttachmentInput,
  type Business,
  buildDocument,
  buildStatus,
  type EdxmlDocument,
  type LocalDate,
  localDateOf,
  type StatusCode,
  signEdxml,
} from "@truc/edxml";
import { minimalDocument } from "../support/document.ts";

/** A small but real PDF (one empty page), so receivers that open attachments are satisfied. */
export function samplePdf(text = "truc conformance"): Buffer {
  const stream = `BT /F1 12 Tf 72 770 Td (${text.replace(/[()\\]/g, "")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.7\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export interface DocumentRef {
  documentId: string;
  code: string;
  issuer: string;
  date: LocalDate;
}

export class PackageFactory {
  readonly #runner: string;
  readonly #peer: string;
  readonly #base: string;
  #counter = 0;
  /** Name, digest and size of the last default (PDF) attachment built. */
  lastAttachment = { name: "", sha256: "", size: 0 };

  constructor(runnerAgency: string, peerAgency: string, now = new Date()) {
    this.#runner = runnerAgency;
    this.#peer = peerAgency;
    // A number unique to this run (seconds of the year, 8 digits) keeps DocumentIds fresh.
    this.#base = String(Math.floor(now.getTime() / 1000) % 100_000_000).padStart(8, "0");
  }

  get runnerAgency(): string {
    return this.#runner;
  }

  get peerAgency(): string {
    return this.#peer;
  }

  /** A fresh document model (number NNNNNNNNKK/KTLT-VP) from the runner to the peer. */
  document(
    subject: string,
    o: { business?: Business; from?: string; to?: string[]; reuse?: DocumentRef } = {},
  ) {
    const number = o.reuse
      ? o.reuse.code.split("/")[0]!
      : `${this.#base}${String(++this.#counter).padStart(2, "0")}`;
    const now = new Date();
    const model: EdxmlDocument = minimalDocument({
      from: { organId: o.from ?? this.#runner, organName: "Hệ thống kiểm thử liên thông (truc conformance)" },
      to: (o.to ?? [this.#peer]).map((organId) => ({ organId })),
      codeNumber: number,
      codeNotation: "KTLT-VP",
      subject,
      typeName: "Công văn",
      place: "Hà Nội",
      ...(o.reuse ? { date: o.reuse.date, documentId: o.reuse.documentId } : {}),
      signer: { fullName: "Nguyễn Văn Kiểm", position: "Chánh Văn phòng" },
      ...(o.business ? { business: o.business } : {}),
      staff: { department: "Văn phòng", staff: "Văn thư kiểm thử" },
      now,
    });
    const ref: DocumentRef = {
      documentId: model.header.documentId,
      code: `${number}/KTLT-VP`,
      issuer: model.header.from.organId,
      date: model.header.promulgationInfo.promulgationDate,
    };
    return { model, ref };
  }

  async build(model: EdxmlDocument, attachments?: AttachmentInput[]): Promise<Buffer> {
    if (attachments) return buildDocument(model, attachments);
    const pdf = samplePdf(`${model.header.documentId}`.replace(/[^\x20-\x7e]/g, "?"));
    this.lastAttachment = { name: "van-ban.pdf", sha256: sha256Hex(pdf), size: pdf.length };
    return buildDocument(model, [
      { contentId: "a1", name: "van-ban.pdf", contentType: "application/pdf", content: pdf },
    ]);
  }

  /** A new document (BussinessDocType 0) with a PDF attachment. */
  async newDocument(subject: string) {
    const { model, ref } = this.document(subject);
    return { ref, bytes: await this.build(model) };
  }

  /** Revoke (1): the original document's metadata and DocumentId, with a reason. */
  async revoke(original: DocumentRef, reason: string) {
    const { model, ref } = this.document("Thu hồi văn bản (kiểm thử)", {
      reuse: original,
      business: {
        docType: 1,
        reason,
        paper: 0,
        staffInfo: { department: "Văn phòng", staff: "Văn thư kiểm thử" },
      },
    });
    return { ref, bytes: await this.build(model) };
  }

  /** Update (2) of an earlier document: metadata changed. */
  async update(original: DocumentRef) {
    const { model, ref } = this.document("Cập nhật trích yếu (kiểm thử)", {
      reuse: original,
      business: {
        docType: 2,
        documentId: original.documentId,
        paper: 0,
        documentInfo: { documentInfo: 1, documentReceiver: 0 },
        staffInfo: { department: "Văn phòng", staff: "Văn thư kiểm thử" },
      },
    });
    return { ref, bytes: await this.build(model) };
  }

  /** Replace (3): a new document that replaces `original` at the peer. */
  async replace(original: DocumentRef) {
    const { model, ref } = this.document("Văn bản thay thế (kiểm thử)", {
      business: {
        docType: 3,
        paper: 0,
        replacements: [{ documentId: original.documentId, organIds: [this.#peer] }],
        staffInfo: { department: "Văn phòng", staff: "Văn thư kiểm thử" },
      },
    });
    return { ref, bytes: await this.build(model) };
  }

  /** Status 13 (take-back request) from the runner, naming the peer in ResponseFor/OrganId. */
  takeBack(doc: DocumentRef, description: string): Buffer {
    return status({ from: this.#runner, answering: doc, to: this.#peer, code: "13", description });
  }

  /** A package that claims another agency as its sender. */
  async foreignSender(claimed: string) {
    const { model, ref } = this.document("Gói tin mạo danh đơn vị gửi (kiểm thử)", {
      from: claimed,
      to: [this.#peer],
    });
    return { ref, bytes: await this.build(model) };
  }

  async unknownRecipient(code: string) {
    const { model, ref } = this.document("Gửi tới đơn vị không có trong danh bạ (kiểm thử)", { to: [code] });
    return { ref, bytes: await this.build(model) };
  }

  /** A document whose attachment is `bytes` long (the attachment streams into the built package). */
  async oversized(bytes: number) {
    const { model, ref } = this.document("Tệp đính kèm quá lớn (kiểm thử)");
    const content = (async function* () {
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      for (let left = bytes; left > 0; left -= chunk.length)
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })();
    return {
      ref,
      bytes: await this.build(model, [
        { contentId: "a1", name: "rat-lon.pdf", contentType: "application/pdf", content },
      ]),
    };
  }

  /** Signed, then one byte of the subject changed: the digest no longer matches. */
  async tamperedSignature(signer: Signer) {
    const { model, ref } = this.document("Chữ ký bị sửa sau khi ký (kiểm thử)");
    const signed = await signEdxml(await this.build(model), signer);
    const text = signed.toString("utf8");
    const at = text.indexOf("Chữ ký bị sửa");
    const tampered = Buffer.from(
      `${text.slice(0, at)}Chữ ký bị SỬA${text.slice(at + "Chữ ký bị sửa".length)}`,
      "utf8",
    );
    return { ref, bytes: tampered };
  }

  /** Not well-formed: the envelope is cut in the middle of the header. */
  async truncated() {
    const { ref, bytes } = await this.newDocument("Gói tin hỏng (kiểm thử)");
    return { ref, bytes: bytes.subarray(0, Math.floor(bytes.indexOf("</edXML:MessageHeader>") / 2)) };
  }

  /** A DOCTYPE with an internal entity (the "billion laughs" shape): must be refused unparsed. */
  entityBomb(): Buffer {
    return Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader><edXML:From><edXML:OrganId>${this.#runner}</edXML:OrganId></edXML:From><edXML:Subject>&b;</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>`,
      "utf8",
    );
  }
}

/** A status package about `answering` (a document issued by `answering.issuer`). */
export function status(o: {
  from: string;
  answering: DocumentRef;
  /** ResponseFor/OrganId: the issuer for 01–16, the recipient for 13 (the roles invert). */
  to: string;
  code: StatusCode;
  description?: string;
  at?: Date;
}): Buffer {
  const at = o.at ?? new Date();
  return buildStatus({
    from: { organId: o.from },
    responseFor: {
      organId: o.to,
      code: o.answering.code,
      documentId: o.answering.documentId,
      promulgationDate: o.answering.date,
    },
    staffInfo: { department: "Văn phòng", staff: "Văn thư" },
    statusCode: o.code,
    ...(o.description ? { description: o.description } : {}),
    timestamp: at,
  });
}

export function todayRef(documentId: string, code: string, issuer: string): DocumentRef {
  return { documentId, code, issuer, date: localDateOf(new Date()) };
}
