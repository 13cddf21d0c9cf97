import { defineErrors } from "@truc/common";

/**
 * Every edXML rejection code, declared once. Codes are stable API: the axis, the office,
 * the CLI and the UI branch on them. Keep each section's codes together.
 */
export const EDXML_ERRORS = {
  // --- XML well-formedness and hostile input (scanner / parser) ---
  EDXML_XML_MALFORMED: {
    vi: "Tài liệu XML sai cú pháp tại byte {offset}: {reason}",
    en: "Malformed XML at byte {offset}: {reason}",
  },
  EDXML_XML_ENCODING: {
    vi: "Tài liệu XML không phải UTF-8 hợp lệ (byte {offset})",
    en: "The XML document is not valid UTF-8 (byte {offset})",
  },
  EDXML_XML_DTD_FORBIDDEN: {
    vi: "Không chấp nhận khai báo DOCTYPE/DTD trong gói tin (byte {offset})",
    en: "DOCTYPE/DTD declarations are forbidden (byte {offset})",
  },
  EDXML_XML_ENTITY_FORBIDDEN: {
    vi: "Không chấp nhận tham chiếu thực thể &{name}; (byte {offset})",
    en: "Entity reference &{name}; is forbidden (byte {offset})",
  },
  EDXML_XML_NAMESPACE: {
    vi: "Lỗi không gian tên XML tại byte {offset}: {reason}",
    en: "XML namespace error at byte {offset}: {reason}",
  },
  EDXML_XML_LIMIT_EXCEEDED: {
    vi: "Vượt giới hạn an toàn {limit} (giá trị {value})",
    en: "Safety limit {limit} exceeded (value {value})",
  },
  // --- model, parsing and validation ---
  EDXML_NOT_EDXML: {
    vi: "Tài liệu không phải gói tin edXML: {reason}",
    en: "The document is not an edXML package: {reason}",
  },
  EDXML_ATTACHMENT_BASE64: {
    vi: "Nội dung base64 của tệp đính kèm {contentId} không hợp lệ: {reason}",
    en: "Invalid base64 content in attachment {contentId}: {reason}",
  },
  EDXML_ATTACHMENT_SINK: {
    vi: "Không lưu được tệp đính kèm {contentId}",
    en: "Could not store attachment {contentId}",
  },
  EDXML_ATTACHMENT_ZIP: {
    vi: "Không giải nén được tệp đính kèm: {reason}",
    en: "Could not unwrap the zipped attachment: {reason}",
  },
  EDXML_BUILD_INPUT: {
    vi: "Dữ liệu để tạo gói tin không hợp lệ: {reason}",
    en: "Invalid input for building a package: {reason}",
  },
  EDXML_INVALID: {
    vi: "Gói tin edXML không hợp lệ ({count} lỗi): {summary}",
    en: "Invalid edXML package ({count} issues): {summary}",
  },
  EDXML_TRACE_INSERT: {
    vi: "Không chèn được TraceHeader: {reason}",
    en: "Could not insert a TraceHeader: {reason}",
  },
  // --- signatures (dsig) ---
  EDXML_SIGNATURE_MISSING: {
    vi: "Gói tin không có chữ ký số XML (ds:Signature) trong edXMLHeader",
    en: "The package carries no XML signature (ds:Signature) in edXMLHeader",
  },
  EDXML_SIGNATURE_MULTIPLE: {
    vi: "Gói tin chứa nhiều hơn một phần tử ds:Signature ({count})",
    en: "The package contains more than one ds:Signature element ({count})",
  },
  EDXML_SIGNATURE_MISPLACED: {
    vi: "Phần tử ds:Signature phải là phần tử con cuối cùng của edXMLHeader ({where})",
    en: "The ds:Signature element must be the last child of edXMLHeader ({where})",
  },
  EDXML_SIGNATURE_MALFORMED: {
    vi: "Cấu trúc chữ ký số XML không hợp lệ: {reason}",
    en: "Malformed XML signature: {reason}",
  },
  EDXML_SIGNATURE_REFERENCE: {
    vi: 'Chữ ký phải có đúng một Reference với URI="" (toàn bộ gói tin): {reason}',
    en: 'The signature must have exactly one Reference with URI="" (the whole package): {reason}',
  },
  EDXML_SIGNATURE_TRANSFORM_UNSUPPORTED: {
    vi: "Phép biến đổi hoặc chuẩn hóa không được chấp nhận: {algorithm}",
    en: "Transform or canonicalization not accepted: {algorithm}",
  },
  EDXML_SIGNATURE_ALGORITHM_UNSUPPORTED: {
    vi: "Thuật toán chữ ký hoặc băm không được hỗ trợ: {algorithm}",
    en: "Unsupported signature or digest algorithm: {algorithm}",
  },
  EDXML_SIGNATURE_ALGORITHM_DISALLOWED: {
    vi: "Thuật toán cũ {algorithm} chỉ được chấp nhận khi chính sách cho phép RSA-SHA1",
    en: "Legacy algorithm {algorithm} is accepted only when the policy allows RSA-SHA1",
  },
  EDXML_SIGNATURE_BASE64: {
    vi: "Giá trị {element} không phải base64 hợp lệ",
    en: "{element} is not valid base64",
  },
  EDXML_SIGNATURE_CERTIFICATE: {
    vi: "Chứng thư số trong KeyInfo không dùng được: {reason}",
    en: "The KeyInfo certificate cannot be used: {reason}",
  },
  EDXML_SIGNATURE_TOO_LARGE: {
    vi: "Vượt giới hạn kích thước khi kiểm tra chữ ký: {what}",
    en: "Size limit exceeded while checking the signature: {what}",
  },
  EDXML_SIGNATURE_DIGEST_MISMATCH: {
    vi: "Nội dung gói tin đã bị thay đổi sau khi ký (giá trị băm không khớp)",
    en: "The package was modified after signing (digest mismatch)",
  },
  EDXML_SIGNATURE_INVALID: {
    vi: "Giá trị chữ ký không khớp với khóa công khai của chứng thư số",
    en: "The signature value does not verify with the certificate's public key",
  },
  EDXML_SIGNATURE_UNTRUSTED: {
    vi: "Chứng thư số ký gói tin không được tin cậy: {reason}",
    en: "The package signing certificate is not trusted: {reason}",
  },
  EDXML_SIGNATURE_TRUST_INDETERMINATE: {
    vi: "Chưa xác định được hiệu lực của chứng thư số ký gói tin: {reason}",
    en: "The validity of the package signing certificate could not be determined: {reason}",
  },
  EDXML_SIGN_NO_HEADER: {
    vi: "Không tìm thấy đúng một phần tử edXMLHeader để đặt chữ ký",
    en: "Exactly one edXMLHeader element is needed to place the signature",
  },
  EDXML_SIGN_ALREADY_SIGNED: {
    vi: "Gói tin đã có chữ ký; dùng replaceExisting để ký lại",
    en: "The package is already signed; use replaceExisting to re-sign it",
  },
  EDXML_SIGN_SIGNER_FAILED: {
    vi: "Thiết bị ký trả về kết quả không hợp lệ: {reason}",
    en: "The signer returned an unusable result: {reason}",
  },
} as const;

export const EdxmlError = defineErrors("EdxmlError", EDXML_ERRORS);
export type EdxmlError = InstanceType<typeof EdxmlError>;
export type EdxmlErrorCode = keyof typeof EDXML_ERRORS;
