import { defineErrors } from "@truc/common";

/**
 * Rejections of the operator console and the public statistics API. HTTP statuses are
 * chosen in `ADMIN_HTTP_STATUS`, at the edge, like the rest of the node.
 */
export const ADMIN_ERRORS = {
  AXIS_ADMIN_LOGIN_FAILED: {
    vi: "Tên đăng nhập hoặc mật khẩu không đúng.",
    en: "Wrong username or password.",
  },
  AXIS_ADMIN_SESSION_REQUIRED: {
    vi: "Phiên làm việc không tồn tại hoặc đã hết hạn. Vui lòng đăng nhập lại.",
    en: "No session, or the session has expired. Please sign in again.",
  },
  AXIS_ADMIN_CSRF: {
    vi: "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.",
    en: "The anti-forgery (CSRF) token is missing or wrong. Reload the page.",
  },
  AXIS_ADMIN_RATE_LIMITED: {
    vi: "Quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
    en: "Too many requests. Try again in {seconds} seconds.",
  },
  AXIS_ADMIN_OPERATOR_INVALID: {
    vi: "Tài khoản quản trị không hợp lệ: {reason}",
    en: "Invalid operator account: {reason}",
  },
  AXIS_ADMIN_SYSTEM_INVALID: {
    vi: "Hệ thống kết nối không hợp lệ: {reason}",
    en: "Invalid connected system: {reason}",
  },
  AXIS_ADMIN_NOT_FOUND: {
    vi: "Không tìm thấy địa chỉ {path}.",
    en: "Nothing at {path}.",
  },
} as const;

export const AdminError = defineErrors("AxisAdminError", ADMIN_ERRORS);
export type AdminError = InstanceType<typeof AdminError>;

export const ADMIN_HTTP_STATUS: Readonly<Record<keyof typeof ADMIN_ERRORS, number>> = {
  AXIS_ADMIN_LOGIN_FAILED: 401,
  AXIS_ADMIN_SESSION_REQUIRED: 401,
  AXIS_ADMIN_CSRF: 403,
  AXIS_ADMIN_RATE_LIMITED: 429,
  AXIS_ADMIN_OPERATOR_INVALID: 400,
  AXIS_ADMIN_SYSTEM_INVALID: 400,
  AXIS_ADMIN_NOT_FOUND: 404,
};
