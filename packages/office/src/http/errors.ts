/** The one place where error codes become HTTP statuses. Bodies: `{ code, message: { vi, en } }`. */
import { TrucError } from "@truc/common";
import { ZodError } from "zod";
import { OfficeError, type OfficeErrorCode } from "../errors.ts";

export const HTTP_STATUS: Record<OfficeErrorCode, number> = {
  OFFICE_FORBIDDEN: 403,
  OFFICE_NOT_FOUND: 404,
  OFFICE_INVALID_TRANSITION: 409,
  OFFICE_INVALID_INPUT: 400,
  OFFICE_LOGIN_FAILED: 401,
  OFFICE_TOTP_REQUIRED: 401,
  OFFICE_TOTP_INVALID: 401,
  OFFICE_SESSION_REQUIRED: 401,
  OFFICE_CSRF_REJECTED: 403,
  OFFICE_REVIEW_PENDING: 409,
  OFFICE_NOT_A_REVIEWER: 403,
  OFFICE_FILE_MISSING: 409,
  OFFICE_FILE_TYPE_UNSUPPORTED: 415,
  OFFICE_CONVERTER_UNAVAILABLE: 501,
  OFFICE_CONVERSION_FAILED: 422,
  OFFICE_NO_RECIPIENTS: 409,
  OFFICE_TAKE_BACK_TOO_LATE: 409,
  OFFICE_REASON_REQUIRED: 400,
  OFFICE_PACKAGE_INVALID: 422,
  OFFICE_ATTACHMENT_NAME_INVALID: 422,
  OFFICE_SEND_FAILED: 502,
  OFFICE_INTERNAL: 500,
  OFFICE_PAYLOAD_TOO_LARGE: 413,
  OFFICE_DUPLICATE: 409,
  OFFICE_SIGNING_KEY_MISSING: 409,
  OFFICE_SIGNING_KEY_UNUSABLE: 500,
  OFFICE_SIGNATURE_PLACEMENT: 422,
  OFFICE_RATE_LIMITED: 429,
  OFFICE_NOT_SIGNED: 409,
  OFFICE_OCR_UNAVAILABLE: 503,
};

export interface ErrorBody {
  code: string;
  message: { vi: string; en: string };
  details?: Record<string, unknown>;
}

export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ZodError) {
    const problem = error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
      .join("; ");
    const e = new OfficeError("OFFICE_INVALID_INPUT", { problem });
    return { status: 400, body: e.toJSON() };
  }
  if (OfficeError.is(error)) return { status: HTTP_STATUS[error.code] ?? 400, body: error.toJSON() };
  // Errors of other truc packages keep their code; they are the server's problem unless known.
  if (error instanceof TrucError) return { status: 502, body: error.toJSON() };
  const fastifyCode = (error as { code?: string; statusCode?: number } | null)?.code;
  if (fastifyCode === "FST_ERR_CTP_BODY_TOO_LARGE")
    return { status: 413, body: new OfficeError("OFFICE_PAYLOAD_TOO_LARGE").toJSON() };
  const statusCode = (error as { statusCode?: number } | null)?.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    const e = new OfficeError("OFFICE_INVALID_INPUT", { problem: String(fastifyCode ?? "request") });
    return { status: statusCode === 415 ? 415 : 400, body: e.toJSON() };
  }
  return { status: 500, body: new OfficeError("OFFICE_INTERNAL").toJSON() };
}
