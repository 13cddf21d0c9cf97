/**
 * Errors of the client SDK. Callers branch on `code`; a server's own error (the SDKVXP envelope's
 * ErrorCode/ErrorDesc, or a truc node's error code) is carried in `serverErrorCode` and
 * `serverErrorDesc`.
 */
import { defineErrors } from "@truc/common";

export const CLIENT_ERRORS = {
  CLIENT_SERVER_ERROR: {
    vi: "Máy chủ từ chối yêu cầu {operation}: [{errorCode}] {errorDesc}",
    en: "The server refused {operation}: [{errorCode}] {errorDesc}",
  },
  CLIENT_HTTP_STATUS: {
    vi: "Máy chủ trả về mã HTTP {status} cho {operation}",
    en: "The server answered HTTP {status} to {operation}",
  },
  CLIENT_NETWORK: {
    vi: "Lỗi kết nối khi gọi {operation}: {reason}",
    en: "Network error during {operation}: {reason}",
  },
  CLIENT_TLS: {
    vi: "Bắt tay TLS thất bại khi gọi {operation} (chứng thư bị từ chối hoặc không tin cậy): {reason}",
    en: "TLS handshake failed during {operation} (certificate refused or untrusted): {reason}",
  },
  CLIENT_TIMEOUT: {
    vi: "Hết thời gian chờ khi gọi {operation} ({timeoutMs} ms)",
    en: "Timed out during {operation} ({timeoutMs} ms)",
  },
  CLIENT_ABORTED: {
    vi: "Yêu cầu {operation} đã bị hủy",
    en: "Request {operation} was aborted",
  },
  CLIENT_BAD_RESPONSE: {
    vi: "Phản hồi không hợp lệ cho {operation}: {reason}",
    en: "Malformed response to {operation}: {reason}",
  },
  CLIENT_RESPONSE_TOO_LARGE: {
    vi: "Phản hồi cho {operation} vượt quá {maxBytes} byte",
    en: "Response to {operation} exceeds {maxBytes} bytes",
  },
  CLIENT_INVALID_ARGUMENT: {
    vi: "Tham số không hợp lệ: {argument}",
    en: "Invalid argument: {argument}",
  },
  CLIENT_PACKAGE_REJECTED: {
    vi: "Gói tin bị từ chối vĩnh viễn: {reason}",
    en: "Package permanently rejected: {reason}",
  },
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

const ClientErrorBase = defineErrors("ClientError", CLIENT_ERRORS);

export class ClientError extends ClientErrorBase {
  /** The server's own error code (SDKVXP `ErrorCode`, or a truc node's `code`), if it sent one. */
  get serverErrorCode(): string | undefined {
    const v = this.details?.errorCode;
    return typeof v === "string" ? v : undefined;
  }
  /** The server's own description (SDKVXP `ErrorDesc`), if it sent one. */
  get serverErrorDesc(): string | undefined {
    const v = this.details?.errorDesc;
    return typeof v === "string" ? v : undefined;
  }
  /** HTTP status of the response, if there was one. */
  get httpStatus(): number | undefined {
    const v = this.details?.status;
    return typeof v === "number" ? v : undefined;
  }
  /** Whether retrying the same request later may succeed (network trouble, timeouts, 5xx). */
  get retryable(): boolean {
    if (this.code === "CLIENT_NETWORK" || this.code === "CLIENT_TIMEOUT") return true;
    const status = this.httpStatus;
    return status !== undefined && status >= 500;
  }
}
