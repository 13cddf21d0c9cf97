import { defineErrors } from "@truc/common";

/**
 * Every PKI outcome with a stable code. Validation reasons (PKI_EXPIRED … PKI_SUSPENDED) are
 * also used as `TrustVerdict.reason`; callers branch on the code, never on the text.
 */
export const PKI_ERRORS = {
  PKI_EXPIRED: {
    vi: "Chứng thư số đã hết hạn vào thời điểm kiểm tra ({subject})",
    en: "The certificate had expired at the validation time ({subject})",
  },
  PKI_NOT_YET_VALID: {
    vi: "Chứng thư số chưa có hiệu lực vào thời điểm kiểm tra ({subject})",
    en: "The certificate was not yet valid at the validation time ({subject})",
  },
  PKI_REVOKED: {
    vi: "Chứng thư số đã bị thu hồi ({subject}), lý do: {reason}",
    en: "The certificate has been revoked ({subject}), reason: {reason}",
  },
  PKI_SUSPENDED: {
    vi: "Chứng thư số đang bị tạm dừng hiệu lực ({subject})",
    en: "The certificate is suspended (on hold) ({subject})",
  },
  PKI_UNTRUSTED_ROOT: {
    vi: "Chuỗi chứng thực không kết thúc ở một chứng thư gốc được tin cậy ({subject})",
    en: "The certification path does not end at a trusted root ({subject})",
  },
  PKI_CHAIN_INCOMPLETE: {
    vi: "Không tìm được chứng thư của tổ chức cấp cho {subject}",
    en: "The issuer certificate of {subject} could not be found",
  },
  PKI_BAD_SIGNATURE: {
    vi: "Chữ ký của tổ chức cấp trên chứng thư số không hợp lệ ({subject})",
    en: "The issuer's signature on the certificate is invalid ({subject})",
  },
  PKI_NOT_CA: {
    vi: "Chứng thư số {subject} không được phép cấp chứng thư khác",
    en: "Certificate {subject} is not allowed to issue certificates",
  },
  PKI_KEY_USAGE: {
    vi: "Mục đích sử dụng khóa của chứng thư số không cho phép {purpose} ({subject})",
    en: "The certificate's key usage does not allow {purpose} ({subject})",
  },
  PKI_REVOCATION_UNAVAILABLE: {
    vi: "Không lấy được thông tin thu hồi (CRL/OCSP) cho {subject}",
    en: "Revocation information (CRL/OCSP) could not be obtained for {subject}",
  },
  PKI_PATH_TOO_LONG: {
    vi: "Chuỗi chứng thực quá dài ({subject})",
    en: "The certification path is too long ({subject})",
  },
  PKI_MALFORMED: {
    vi: "Dữ liệu không đúng định dạng: {what}",
    en: "Malformed data: {what}",
  },
  PKI_CA_NOT_FOUND: {
    vi: "Không tìm thấy thư mục CA hợp lệ tại {dir}",
    en: "No valid CA directory at {dir}",
  },
  PKI_CA_EXISTS: {
    vi: "Thư mục CA đã tồn tại: {dir}",
    en: "A CA already exists in {dir}",
  },
  PKI_BAD_PASSPHRASE: {
    vi: "Mật khẩu bảo vệ khóa không đúng",
    en: "Wrong passphrase for the private key",
  },
  PKI_UNKNOWN_PROFILE: {
    vi: "Không có mẫu chứng thư số {profile}",
    en: "Unknown certificate profile {profile}",
  },
  PKI_CERT_NOT_FOUND: {
    vi: "Không tìm thấy chứng thư số có số hiệu {serial}",
    en: "No certificate with serial number {serial}",
  },
  PKI_INVALID_STATE: {
    vi: "Không thể {operation} chứng thư số {serial} đang ở trạng thái {status}",
    en: "Cannot {operation} certificate {serial} in state {status}",
  },
  PKI_HOLD_NOT_ALLOWED: {
    vi: "Mẫu chứng thư {profile} không cho phép tạm dừng",
    en: "Profile {profile} does not allow suspension",
  },
  PKI_BAD_REQUEST: {
    vi: "Yêu cầu không hợp lệ: {what}",
    en: "Invalid request: {what}",
  },
  PKI_CSR_INVALID: {
    vi: "Yêu cầu cấp chứng thư (CSR) không hợp lệ: {what}",
    en: "Invalid certificate signing request: {what}",
  },
  PKI_KEY_NOT_FOUND: {
    vi: "Không tìm thấy khóa {keyId}",
    en: "Key {keyId} not found",
  },
  PKI_UNSUPPORTED: {
    vi: "Chưa hỗ trợ: {what}",
    en: "Not supported: {what}",
  },
  PKI_TSA_REJECTED: {
    vi: "Máy chủ cấp dấu thời gian từ chối yêu cầu: {what}",
    en: "The time-stamping authority rejected the request: {what}",
  },
  PKI_TIMESTAMP_INVALID: {
    vi: "Dấu thời gian không hợp lệ: {what}",
    en: "Invalid time-stamp token: {what}",
  },
  PKI_OCSP_INVALID: {
    vi: "Phản hồi OCSP không hợp lệ: {what}",
    en: "Invalid OCSP response: {what}",
  },
} as const;

export const PkiError = defineErrors("PkiError", PKI_ERRORS);
export type PkiErrorCode = keyof typeof PKI_ERRORS;
