/**
 * Rejections of the SDKVXP-compatible API's header authentication (spec §4.2). The catalogue is
 * exported so the axis can merge it into its own package catalogue later; codes never change.
 * Suggested HTTP mapping at the edge: MISSING/UNKNOWN_SYSTEM/BAD_SIGNATURE/HEADER_MISMATCH/
 * STALE_TIMESTAMP/REPLAY → 401, SENDER_MISMATCH → 403, HASH_FILE_MISMATCH → 400.
 */
import { defineErrors } from "@truc/common";

export const SDKVXP_AUTH_ERRORS = {
  AXIS_AUTH_MISSING: {
    vi: "Thiếu thông tin xác thực: {missing}",
    en: "Authentication data missing: {missing}",
  },
  AXIS_AUTH_UNKNOWN_SYSTEM: {
    vi: "Mã hệ thống (systemid) không được đăng ký: {systemId}",
    en: "Unknown system id: {systemId}",
  },
  AXIS_AUTH_BAD_SIGNATURE: {
    vi: "Chữ ký HMAC của tiêu đề yêu cầu không hợp lệ",
    en: "The request header HMAC does not verify",
  },
  AXIS_AUTH_HEADER_MISMATCH: {
    vi: "Tiêu đề đã ký không khớp với tiêu đề gửi kèm: {key}",
    en: "Signed header does not match the header sent: {key}",
  },
  AXIS_AUTH_STALE_TIMESTAMP: {
    vi: "Dấu thời gian của yêu cầu không hợp lệ hoặc nằm ngoài khoảng cho phép: {timestamp}",
    en: "Request timestamp is malformed or outside the allowed window: {timestamp}",
  },
  AXIS_AUTH_REPLAY: {
    vi: "Yêu cầu đã được gửi trước đó (phát lại)",
    en: "Request was already received (replay)",
  },
  AXIS_HASH_FILE_MISMATCH: {
    vi: "Giá trị hash-file không khớp với nội dung gói tin",
    en: "hash-file does not match the package bytes",
  },
  AXIS_SENDER_MISMATCH: {
    vi: "Đơn vị gửi {from} không đúng với mã đã đăng ký cho hệ thống {systemId}",
    en: "Sender {from} is not an agency registered for system {systemId}",
  },
} as const;

export type SdkvxpAuthErrorCode = keyof typeof SDKVXP_AUTH_ERRORS;

export const AxisAuthError = defineErrors("AxisAuthError", SDKVXP_AUTH_ERRORS);
export type AxisAuthError = InstanceType<typeof AxisAuthError>;
