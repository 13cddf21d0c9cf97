import { defineErrors } from "@truc/common";

/**
 * Every PAdES signing and validation code, declared once. Signing failures are thrown as
 * `PdfSignError`; validation never throws for a bad signature: it reports the same codes as
 * reasons in the `ValidationReport` (see verify.ts).
 */
export const PDF_ERRORS = {
  // --- input ---
  PDF_MALFORMED: {
    vi: "Tệp PDF không đọc được: {detail}",
    en: "The PDF cannot be read: {detail}",
  },
  PDF_TOO_LARGE: {
    vi: "Tệp PDF quá lớn ({size} byte, tối đa {max} byte)",
    en: "The PDF is too large ({size} bytes, at most {max} bytes)",
  },
  PDF_IMAGE_INVALID: {
    vi: "Ảnh chữ ký/con dấu phải là tệp PNG: {detail}",
    en: "The signature/seal image must be a PNG file: {detail}",
  },
  PDF_PAGE_OUT_OF_RANGE: {
    vi: "Trang {page} không tồn tại (tài liệu có {count} trang)",
    en: "Page {page} does not exist (the document has {count} pages)",
  },
  PDF_PLACEMENT_NOT_FOUND: {
    vi: "Không tìm thấy vị trí đặt chữ ký: {detail}",
    en: "Cannot find where to place the signature: {detail}",
  },
  PDF_PERSONAL_SIGNATURE_MISSING: {
    vi: "Văn bản chưa có chữ ký số của người có thẩm quyền; không thể đóng dấu của cơ quan, tổ chức",
    en: "The document has no signature of the competent person yet; the organisation seal cannot be applied",
  },
  PDF_OPTIONS_INVALID: {
    vi: "Tham số ký không hợp lệ: {detail}",
    en: "Invalid signing options: {detail}",
  },
  // --- signing ---
  PDF_SIGNER_FAILED: {
    vi: "Thiết bị/khóa ký không tạo được chữ ký: {detail}",
    en: "The signing key could not produce a signature: {detail}",
  },
  PDF_SIGNATURE_TOO_LARGE: {
    vi: "Chữ ký ({size} byte) vượt quá chỗ dành sẵn ({reserved} byte)",
    en: "The signature ({size} bytes) exceeds the reserved space ({reserved} bytes)",
  },
  PDF_TSA_FAILED: {
    vi: "Máy chủ dấu thời gian không cấp được dấu thời gian: {detail}",
    en: "The time-stamping authority did not issue a time-stamp: {detail}",
  },
  PDF_VALIDATION_DATA_MISSING: {
    vi: "Mức B-LT cần dữ liệu kiểm tra thu hồi (CRL/OCSP) cho chứng thư số",
    en: "Level B-LT needs revocation data (CRL/OCSP) for the certificate",
  },
  // --- validation reasons (reported per signature, also usable as thrown codes) ---
  PDF_NO_SIGNATURES: {
    vi: "Tệp PDF không có chữ ký số",
    en: "The PDF has no digital signature",
  },
  PDF_SIGNATURE_UNREADABLE: {
    vi: "Không đọc được chữ ký (CMS): {detail}",
    en: "The signature (CMS) cannot be read: {detail}",
  },
  PDF_SUBFILTER_UNSUPPORTED: {
    vi: "Định dạng chữ ký {subFilter} không được hỗ trợ",
    en: "Signature format {subFilter} is not supported",
  },
  PDF_BYTE_RANGE_INVALID: {
    vi: "Vùng dữ liệu được ký (ByteRange) không hợp lệ: {detail}",
    en: "The signed byte range is invalid: {detail}",
  },
  PDF_DIGEST_MISMATCH: {
    vi: "Nội dung tài liệu đã bị thay đổi sau khi ký (mã băm không khớp)",
    en: "The document content was changed after signing (digest mismatch)",
  },
  PDF_SIGNATURE_VALUE_INVALID: {
    vi: "Giá trị chữ ký không đúng với chứng thư số của người ký",
    en: "The signature value does not verify with the signer's certificate",
  },
  PDF_SIGNER_CERTIFICATE_MISSING: {
    vi: "Chữ ký không kèm chứng thư số của người ký",
    en: "The signature does not carry the signer's certificate",
  },
  PDF_SIGNING_CERTIFICATE_MISMATCH: {
    vi: "Thuộc tính signingCertificateV2 không khớp với chứng thư số của người ký",
    en: "The signingCertificateV2 attribute does not match the signer's certificate",
  },
  PDF_SIGNING_CERTIFICATE_ATTRIBUTE_MISSING: {
    vi: "Chữ ký thiếu thuộc tính signingCertificateV2 (không đạt PAdES cơ bản)",
    en: "The signature lacks the signingCertificateV2 attribute (not PAdES baseline)",
  },
  PDF_ALGORITHM_UNSUPPORTED: {
    vi: "Thuật toán {algorithm} không được hỗ trợ",
    en: "Algorithm {algorithm} is not supported",
  },
  PDF_MODIFIED_AFTER_SIGNING: {
    vi: "Tài liệu đã bị sửa đổi sau khi ký: {detail}",
    en: "The document was modified after signing: {detail}",
  },
  PDF_NOT_COVERING_WHOLE_FILE: {
    vi: "Chữ ký cuối cùng không bao trùm toàn bộ tệp ({unsigned} byte ở cuối tệp chưa được ký)",
    en: "The last signature does not cover the whole file ({unsigned} trailing bytes are unsigned)",
  },
  PDF_TIMESTAMP_INVALID: {
    vi: "Dấu thời gian của chữ ký không hợp lệ: {detail}",
    en: "The signature time-stamp is invalid: {detail}",
  },
  PDF_TIMESTAMP_UNTRUSTED: {
    vi: "Không tin cậy được máy chủ cấp dấu thời gian: {detail}",
    en: "The time-stamping authority is not trusted: {detail}",
  },
  PDF_SIGNING_TIME_UNTRUSTED: {
    vi: "Không có dấu thời gian; dùng thời điểm ký do người ký tự khai (chưa được xác thực)",
    en: "No time-stamp; the signer's claimed signing time is used (not proven)",
  },
  PDF_CERTIFICATE_UNTRUSTED: {
    vi: "Chứng thư số của người ký không hợp lệ tại thời điểm ký: {detail}",
    en: "The signer's certificate is not valid at the signing time: {detail}",
  },
  PDF_CERTIFICATE_REVOKED: {
    vi: "Chứng thư số của người ký đã bị thu hồi trước thời điểm ký ({detail})",
    en: "The signer's certificate was revoked before the signing time ({detail})",
  },
  PDF_CERTIFICATE_STATUS_UNKNOWN: {
    vi: "Không xác định được tình trạng chứng thư số: {detail}",
    en: "The certificate status cannot be determined: {detail}",
  },
  PDF_KEY_USAGE_INVALID: {
    vi: "Chứng thư số không được phép dùng để ký tài liệu (thiếu digitalSignature/nonRepudiation)",
    en: "The certificate may not sign documents (no digitalSignature/nonRepudiation key usage)",
  },
} as const;

export const PdfSignError = defineErrors("PdfSignError", PDF_ERRORS);
export type PdfSignError = InstanceType<typeof PdfSignError>;
export type PdfErrorCode = keyof typeof PDF_ERRORS;
