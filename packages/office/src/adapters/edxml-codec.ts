/**
 * `PackageCodec` on @truc/edxml: builds QCVN 102:2016 packages with the VPCP prefix layout and
 * parses received ones with the strict streaming parser, then validates them (stable EDXML_*
 * codes). Attachments wrapped in a ZIP by legacy producers are unwrapped.
 */
import { randomUUID } from "node:crypto";
import {
  assertValid,
  buildDocument,
  buildStatus,
  type EdxmlDocument,
  EdxmlError,
  formatLocalDate,
  isStatusCode,
  type LocalDate,
  memorySink,
  parseEdxml,
  parseLocalDate,
  unwrapAttachment,
  verifyEdxml,
} from "@truc/edxml";
import { OfficeError } from "../errors.ts";
import type { EdocHeader, PackageCodec, ParsedPackage } from "../ports.ts";

function localDate(text: string, field: string): LocalDate {
  const parsed = parseLocalDate(text);
  if (!parsed) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `${field} ${text}` });
  return parsed.value;
}

function toDocument(header: EdocHeader, at: Date): EdxmlDocument {
  const b = header.business;
  return {
    header: {
      from: header.from,
      to: header.to,
      documentId: header.documentId,
      code: { codeNumber: header.codeNumber, codeNotation: header.codeNotation },
      promulgationInfo: {
        place: header.place,
        promulgationDate: localDate(header.promulgationDate, "promulgationDate"),
      },
      documentType: { type: header.typeCode, typeDetail: 0, typeName: header.typeName },
      subject: header.subject,
      ...(header.content ? { content: header.content } : {}),
      signerInfo: {
        competence: header.signer.competence,
        position: header.signer.position,
        fullName: header.signer.fullName,
      },
      ...(header.dueDate ? { dueDate: localDate(header.dueDate, "dueDate") } : {}),
      otherInfo: {
        priority: header.priority,
        ...(header.promulgationAmount !== undefined ? { promulgationAmount: header.promulgationAmount } : {}),
        ...(header.pageAmount !== undefined ? { pageAmount: header.pageAmount } : {}),
        ...(header.appendixes.length > 0 ? { appendixes: header.appendixes } : {}),
      },
      steeringType: 0,
      ...(header.toPlaces.length > 0 ? { toPlaces: header.toPlaces } : {}),
    },
    traces: [{ organId: header.from.organId, timestamp: at }],
    business: {
      docType: b.type,
      paper: 0,
      ...(b.type === 1 || b.type === 2 ? { documentId: b.documentId ?? header.documentId } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
      ...(b.staff ? { staffInfo: b.staff } : {}),
      ...(b.type === 2 ? { documentInfo: { documentInfo: 1, documentReceiver: 0 } } : {}),
      ...(b.type === 3 && b.replaces ? { replacements: b.replaces } : {}),
    },
    manifest: [],
  };
}

/** Same rule as the axis (AXIS_ATTACHMENT_NAME_INVALID): a bare file name, no path, no control characters. */
function isSafeFileName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (name === "." || name === ".." || name.includes("/") || name.includes("\\")) return false;
  if (/^[a-zA-Z]:/.test(name)) return false;
  return !/[\u0000-\u001f\u007f]/.test(name);
}

/**
 * Verify-if-present: an unsigned package is accepted; a signed one must verify. The codec has
 * no trust configuration, so the certificate's trust is left indeterminate (the legally
 * meaningful signatures are the PAdES ones, validated separately); a digest or signature-value
 * mismatch is always refused. Structural faults throw EdxmlError from verifyEdxml itself.
 */
async function verifyPackageSignature(bytes: Buffer): Promise<void> {
  const result = await verifyEdxml(bytes, {
    trust: async () => ({ status: "indeterminate", reason: "OFFICE_PACKAGE_TRUST_NOT_CONFIGURED" }),
  });
  if (result.status === "invalid") throw new EdxmlError(result.code ?? "EDXML_SIGNATURE_INVALID");
}

export const edxmlCodec: PackageCodec = {
  async buildDocument({ header, attachments, at }) {
    return buildDocument(
      toDocument(header, at),
      attachments.map((a) => ({
        contentId: randomUUID(),
        name: a.name,
        contentType: a.contentType,
        content: a.bytes,
        ...(a.description ? { description: a.description } : {}),
      })),
    );
  },

  async buildStatus(status) {
    if (!isStatusCode(status.statusCode))
      throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `status ${status.statusCode}` });
    return buildStatus({
      from: status.from,
      responseFor: {
        organId: status.responseFor.organId,
        code: status.responseFor.code,
        documentId: status.responseFor.documentId,
        ...(parseLocalDate(status.responseFor.promulgationDate)
          ? { promulgationDate: localDate(status.responseFor.promulgationDate, "promulgationDate") }
          : {}),
      },
      ...(status.staff ? { staffInfo: status.staff } : {}),
      statusCode: status.statusCode,
      description: status.description,
      timestamp: status.timestamp,
    });
  },

  async parse(bytes): Promise<ParsedPackage> {
    const sink = memorySink();
    const parsed = await parseEdxml(bytes, { attachmentSink: sink });
    assertValid(parsed);
    await verifyPackageSignature(bytes);
    if (parsed.kind === "status") {
      const s = parsed.status;
      return {
        kind: "status",
        status: {
          from: { organId: s.from.organId, organName: s.from.organName ?? "" },
          responseFor: {
            organId: s.responseFor.organId,
            code: s.responseFor.code,
            promulgationDate: s.responseFor.promulgationDate
              ? formatLocalDate(s.responseFor.promulgationDate)
              : "",
            documentId: s.responseFor.documentId,
          },
          statusCode: s.statusCode,
          description: s.description ?? "",
          timestamp: s.timestamp,
          ...(s.staffInfo ? { staff: s.staffInfo } : {}),
        },
      };
    }
    for (const a of parsed.attachments) {
      // Recipients save attachments under these names: a name that is a path is refused.
      if (!isSafeFileName(a.name))
        throw new OfficeError("OFFICE_ATTACHMENT_NAME_INVALID", {
          name: JSON.stringify(a.name.slice(0, 120)),
        });
    }
    const d = parsed.document;
    const h = d.header;
    const b = d.business;
    return {
      kind: "edoc",
      header: {
        from: {
          organId: h.from.organId,
          organName: h.from.organName ?? "",
          ...(h.from.organizationInCharge ? { organizationInCharge: h.from.organizationInCharge } : {}),
        },
        to: h.to.map((t) => ({ organId: t.organId, organName: t.organName ?? "" })),
        documentId: h.documentId,
        codeNumber: h.code.codeNumber,
        codeNotation: h.code.codeNotation,
        place: h.promulgationInfo.place,
        promulgationDate: formatLocalDate(h.promulgationInfo.promulgationDate),
        typeCode: h.documentType.type,
        typeName: h.documentType.typeName,
        subject: h.subject,
        ...(h.content ? { content: h.content } : {}),
        signer: {
          competence: h.signerInfo.competence ?? "",
          position: h.signerInfo.position ?? "",
          fullName: h.signerInfo.fullName,
        },
        ...(h.dueDate ? { dueDate: formatLocalDate(h.dueDate) } : {}),
        priority: h.otherInfo.priority,
        ...(h.otherInfo.pageAmount !== undefined ? { pageAmount: h.otherInfo.pageAmount } : {}),
        ...(h.otherInfo.promulgationAmount !== undefined
          ? { promulgationAmount: h.otherInfo.promulgationAmount }
          : {}),
        appendixes: h.otherInfo.appendixes ?? [],
        toPlaces: h.toPlaces ?? [],
        business: {
          type: b.docType,
          ...(b.documentId ? { documentId: b.documentId } : {}),
          ...(b.reason ? { reason: b.reason } : {}),
          ...(b.replacements ? { replaces: b.replacements } : {}),
          ...(b.staffInfo ? { staff: b.staffInfo } : {}),
        },
      },
      attachments: parsed.attachments.map((a) => {
        const content = sink.get(a.ref);
        if (!content)
          throw new OfficeError("OFFICE_PACKAGE_INVALID", { reason: `attachment ${a.name} missing` });
        const file = unwrapAttachment({ name: a.name, contentType: a.contentType, content });
        return {
          name: a.name,
          contentType: file.unwrapped ? "application/octet-stream" : a.contentType,
          bytes: file.content,
          ...(a.description ? { description: a.description } : {}),
        };
      }),
    };
  },
};
