/**
 * The office's public verification API (no account, rate-limited per client):
 * `POST /api/public/verify` with the raw PDF, `GET /api/public/verify/:code` for a printed
 * copy's code, `GET /api/public/verify/:code/file` for its signed original.
 */
import { api, apiUpload } from "../api/http.ts";

export type Verdict = "valid" | "invalid" | "indeterminate" | "unsigned";
export type RegistryStatus = "current" | "revoked" | "replaced" | "unknown";

export interface PublicSignature {
  kind: "personal" | "organisation" | null;
  signer: string;
  organisation: string | null;
  signedAt: string | null;
  timestamped: boolean;
  status: "valid" | "invalid" | "indeterminate";
  problem: string | null;
  certificate: {
    valid: boolean;
    status: "valid" | "invalid" | "indeterminate" | "unknown";
    reason: string | null;
    issuer: string | null;
    notAfter: string | null;
  };
}

export interface PublicVerification {
  verdict: Verdict;
  authentic: boolean;
  unchanged: boolean;
  signatures: PublicSignature[];
  registry: { status: RegistryStatus };
  file: { sha256: string | null; size: number };
  checkedAt: string;
  printedCopy?: { code: string };
}

/** The office refuses larger uploads (OFFICE_PAYLOAD_TOO_LARGE); checked here before sending. */
export const PUBLIC_MAX_BYTES = 20 * 1024 * 1024;

export const verifyFile = (file: Blob) =>
  apiUpload<PublicVerification>("POST", "/api/public/verify", file, "application/pdf");

export const verifyCode = (code: string) =>
  api<PublicVerification>("GET", `/api/public/verify/${encodeURIComponent(code)}`);

export const originalUrl = (code: string) => `/api/public/verify/${encodeURIComponent(code)}/file`;

/**
 * Printed codes are 12 characters of Crockford base32; people type them with dashes, spaces,
 * lower case, O for 0 and I/L for 1 (the office normalises the same way).
 */
export function normaliseCode(text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(compact) ? compact : null;
}

/** ABCDEFGHJKMN → ABCD-EFGH-JKMN, as printed next to the QR code. */
export const groupCode = (code: string) => code.replace(/(.{4})(?=.)/g, "$1-");

/** 1234567 → "1,2 MB" (Vietnamese) / "1.2 MB" (English). */
export function formatSize(bytes: number, lang: "vi" | "en"): string {
  const locale = lang === "vi" ? "vi-VN" : "en-GB";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 1 : 0;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A date and time in Vietnam's time zone, e.g. "14:05 ngày 05/03/2025". */
export function formatDateTime(iso: string | null, lang: "vi" | "en"): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = { timeZone: "Asia/Ho_Chi_Minh" } as const;
  if (lang === "vi") {
    const time = date.toLocaleTimeString("vi-VN", { ...zone, hour: "2-digit", minute: "2-digit" });
    const day = date.toLocaleDateString("vi-VN", {
      ...zone,
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
    });
    return `${time} ngày ${day}`;
  }
  return `${date.toLocaleString("en-GB", { ...zone, dateStyle: "medium", timeStyle: "short" })} (Vietnam time)`;
}
