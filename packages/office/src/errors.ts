import { defineErrors } from "@truc/common";

/** Every rejection of the office service. HTTP status is chosen in `http/errors.ts`. */
export const OFFICE_ERRORS = {
  OFFICE_FORBIDDEN: {
    vi: "Bạn không có quyền thực hiện thao tác này ({action}).",
    en: "You are not allowed to perform this action ({action}).",
  },
  OFFICE_NOT_FOUND: {
    vi: "Không tìm thấy {entity}.",
    en: "{entity} not found.",
  },
  OFFICE_INVALID_TRANSITION: {
    vi: "Không thể thực hiện “{action}” khi văn bản đang ở trạng thái “{state}”.",
    en: "Cannot perform “{action}” while the document is in state “{state}”.",
  },
  OFFICE_INVALID_INPUT: {
    vi: "Dữ liệu không hợp lệ: {problem}.",
    en: "Invalid input: {problem}.",
  },
  OFFICE_LOGIN_FAILED: {
    vi: "Tên đăng nhập hoặc mật khẩu không đúng.",
    en: "Wrong user name or password.",
  },
  OFFICE_TOTP_REQUIRED: {
    vi: "Cần mã xác thực hai lớp (TOTP).",
    en: "A two-factor (TOTP) code is required.",
  },
  OFFICE_TOTP_INVALID: {
    vi: "Mã xác thực hai lớp không đúng.",
    en: "The two-factor code is wrong.",
  },
  OFFICE_SESSION_REQUIRED: {
    vi: "Phiên đăng nhập không tồn tại hoặc đã hết hạn.",
    en: "No session, or the session has expired.",
  },
  OFFICE_CSRF_REJECTED: {
    vi: "Yêu cầu bị từ chối do thiếu hoặc sai mã chống giả mạo (CSRF).",
    en: "Request refused: missing or wrong anti-forgery (CSRF) token.",
  },
  OFFICE_REVIEW_PENDING: {
    vi: "Văn bản còn chờ ý kiến của người duyệt.",
    en: "The document is still waiting for reviewers.",
  },
  OFFICE_NOT_A_REVIEWER: {
    vi: "Bạn không phải người duyệt văn bản này.",
    en: "You are not a reviewer of this document.",
  },
  OFFICE_FILE_MISSING: {
    vi: "Văn bản chưa có tệp đính kèm.",
    en: "The document has no file yet.",
  },
  OFFICE_FILE_TYPE_UNSUPPORTED: {
    vi: "Định dạng tệp không được hỗ trợ ({contentType}).",
    en: "Unsupported file type ({contentType}).",
  },
  OFFICE_CONVERTER_UNAVAILABLE: {
    vi: "Máy chủ chưa cài LibreOffice nên không chuyển được DOCX sang PDF; hãy tải lên tệp PDF.",
    en: "LibreOffice is not installed on the server, so DOCX cannot be converted to PDF; upload a PDF.",
  },
  OFFICE_CONVERSION_FAILED: {
    vi: "Chuyển đổi DOCX sang PDF thất bại: {reason}.",
    en: "DOCX to PDF conversion failed: {reason}.",
  },
  OFFICE_NO_RECIPIENTS: {
    vi: "Văn bản chưa có nơi nhận điện tử.",
    en: "The document has no electronic recipients.",
  },
  OFFICE_TAKE_BACK_TOO_LATE: {
    vi: "Văn bản đã được giao xử lý nên không thể đồng ý cho lấy lại.",
    en: "The document has already been assigned for handling; a take-back can no longer be accepted.",
  },
  OFFICE_REASON_REQUIRED: {
    vi: "Cần nêu lý do.",
    en: "A reason is required.",
  },
  OFFICE_PACKAGE_INVALID: {
    vi: "Gói tin edXML không hợp lệ: {reason}.",
    en: "Invalid edXML package: {reason}.",
  },
  OFFICE_ATTACHMENT_NAME_INVALID: {
    vi: "Tên tệp đính kèm không hợp lệ (chứa đường dẫn hoặc ký tự điều khiển): {name}.",
    en: "Invalid attachment name (contains a path or control characters): {name}.",
  },
  OFFICE_SEND_FAILED: {
    vi: "Gửi qua trục liên thông thất bại: {reason}.",
    en: "Sending through the axis failed: {reason}.",
  },
  OFFICE_INTERNAL: {
    vi: "Lỗi nội bộ của máy chủ.",
    en: "Internal server error.",
  },
  OFFICE_PAYLOAD_TOO_LARGE: {
    vi: "Dữ liệu gửi lên quá lớn.",
    en: "The request body is too large.",
  },
  OFFICE_DUPLICATE: {
    vi: "Đã tồn tại: {what}.",
    en: "Already exists: {what}.",
  },
  OFFICE_SIGNING_KEY_MISSING: {
    vi: "Chưa cấu hình khóa ký số cho {whom}.",
    en: "No signing key is configured for {whom}.",
  },
  OFFICE_SIGNING_KEY_UNUSABLE: {
    vi: "Không dùng được khóa ký số của {whom}: {reason}.",
    en: "The signing key of {whom} cannot be used: {reason}.",
  },
  OFFICE_SIGNATURE_PLACEMENT: {
    vi: "Không tìm được vị trí đặt chữ ký trên văn bản: {reason}. Tên người ký phải có ở khối chữ ký, dưới chức vụ.",
    en: "Could not place the signature on the document: {reason}. The signer's name must be in the signature block, below the title.",
  },
  OFFICE_RATE_LIMITED: {
    vi: "Quá nhiều yêu cầu; vui lòng thử lại sau {seconds} giây.",
    en: "Too many requests; try again in {seconds} seconds.",
  },
  OFFICE_NOT_SIGNED: {
    vi: "Văn bản chưa được ký số.",
    en: "The document is not digitally signed.",
  },
  OFFICE_OCR_UNAVAILABLE: {
    vi: "Máy chủ chưa bật nhận dạng chữ (OCR).",
    en: "Text recognition (OCR) is not enabled on this server.",
  },
} as const;

export const OfficeError = defineErrors("OfficeError", OFFICE_ERRORS);
export type OfficeError = InstanceType<typeof OfficeError>;
export type OfficeErrorCode = keyof typeof OFFICE_ERRORS;
