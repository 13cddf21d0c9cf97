/**
 * The only place where error codes become HTTP statuses (native API) or SDKVXP envelopes.
 */
import { TrucError } from "@truc/common";
import { isStorageFull, STORE_ERRORS } from "@truc/store";

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  AXIS_AUTH_CERT_MISSING: 401,
  AXIS_AUTH_CERT_UNKNOWN: 401,
  AXIS_AUTH_CERT_UNTRUSTED: 401,
  AXIS_AUTH_CERT_EXPIRED: 401,
  AXIS_AUTH_CERT_REVOKED: 401,
  AXIS_AUTH_CERT_REVOCATION_UNKNOWN: 401,
  AXIS_AUTH_CERT_KIND: 401,
  AXIS_AUTH_MISSING: 401,
  AXIS_AUTH_UNKNOWN_SYSTEM: 401,
  AXIS_AUTH_BAD_SIGNATURE: 401,
  AXIS_AUTH_HEADER_MISMATCH: 401,
  AXIS_AUTH_STALE_TIMESTAMP: 401,
  AXIS_AUTH_REPLAY: 401,
  AXIS_FORBIDDEN: 403,
  AXIS_SENDER_MISMATCH: 403,
  AXIS_HASH_FILE_MISMATCH: 400,
  AXIS_PACKAGE_TOO_LARGE: 413,
  AXIS_PACKAGE_NOT_FOUND: 404,
  AXIS_PACKAGE_PURGED: 410,
  AXIS_AGENCY_NOT_FOUND: 404,
  AXIS_RECIPIENT_UNKNOWN: 422,
  AXIS_RECIPIENT_SUSPENDED: 422,
  AXIS_NOT_READY: 503,
  STORE_UNAVAILABLE: 503,
  STORE_BUSY: 503,
  STORE_CLOSED: 503,
  STORE_FULL: 507,
  AXIS_PEER_UNKNOWN: 403,
  AXIS_EVIDENCE_SEAL_REFUSED: 409,
};

export interface MappedError {
  status: number;
  code: string;
  message: { vi: string; en: string };
  details?: unknown;
}

export function mapError(error: unknown): MappedError {
  // Out of space anywhere underneath (a blob write inside the edXML attachment sink, SQLite,
  // PostgreSQL) is the node's problem, not the sender's: 507 with a stable code, so the sender
  // retries later instead of being told its package is bad.
  if (isStorageFull(error))
    return { status: 507, code: "STORE_FULL", message: { ...STORE_ERRORS.STORE_FULL } };
  if (error instanceof TrucError) {
    const status =
      STATUS_BY_CODE[error.code] ??
      (error.code.startsWith("EDXML_") || error.code.startsWith("AXIS_")
        ? 400
        : error.code.startsWith("STORE_")
          ? 500
          : 400);
    // Details are only echoed for client errors; server-side details may name internals.
    const { list, ...details } = (error.details ?? {}) as Record<string, unknown>;
    return {
      status,
      code: error.code,
      message: { vi: error.messageVi, en: error.messageEn },
      ...(status < 500 ? { details: list ? { ...details, list } : details } : {}),
    };
  }
  const fastifyCode = (error as { code?: string } | null)?.code;
  if (fastifyCode === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return {
      status: 413,
      code: "AXIS_PACKAGE_TOO_LARGE",
      message: { vi: "Gói tin quá lớn.", en: "Request body too large." },
    };
  }
  const statusCode = (error as { statusCode?: number } | null)?.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return {
      status: statusCode,
      code: "AXIS_REQUEST_INVALID",
      message: { vi: "Yêu cầu không hợp lệ.", en: (error as Error).message },
    };
  }
  return { status: 500, code: "AXIS_INTERNAL", message: { vi: "Lỗi nội bộ.", en: "Internal error." } };
}
