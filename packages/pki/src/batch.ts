/**
 * Batch input for CA operations: CSV (header row) or JSON lines, one operation per line.
 * Columns / keys: op (issue|renew|revoke|suspend|reinstate, default issue), profile, subject,
 * serial, reason, algorithm, dns, ip (space- or semicolon-separated lists), reuseKey.
 */
import type { BatchItem } from "./ca.ts";
import { PkiError } from "./errors.ts";
import { KEY_ALGORITHMS, type KeyAlgorithm } from "./keys.ts";
import { REVOCATION_REASONS, type RevocationReason } from "./oids.ts";
import { PROFILES, type ProfileId } from "./profiles.ts";

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

const list = (v: unknown): string[] | undefined =>
  v === undefined || v === ""
    ? undefined
    : Array.isArray(v)
      ? v.map(String)
      : String(v)
          .split(/[;\s]+/)
          .filter(Boolean);

function toItem(raw: Record<string, unknown>, line: number): BatchItem {
  const bad = (what: string) => new PkiError("PKI_BAD_REQUEST", { what: `line ${line}: ${what}` });
  const op = String(raw.op || "issue");
  const str = (k: string) => (raw[k] === undefined || raw[k] === "" ? undefined : String(raw[k]));
  switch (op) {
    case "issue": {
      const profile = str("profile");
      if (!profile || !(profile in PROFILES)) throw bad(`profile ${profile ?? "(missing)"}`);
      const algorithm = str("algorithm");
      if (algorithm && !KEY_ALGORITHMS.includes(algorithm as KeyAlgorithm))
        throw bad(`algorithm ${algorithm}`);
      const dnsNames = list(raw.dns);
      const ipAddresses = list(raw.ip);
      return {
        op: "issue",
        profile: profile as ProfileId,
        ...(str("subject") ? { subject: str("subject")! } : {}),
        ...(algorithm ? { algorithm: algorithm as KeyAlgorithm } : {}),
        ...(dnsNames ? { dnsNames } : {}),
        ...(ipAddresses ? { ipAddresses } : {}),
      };
    }
    case "renew":
    case "revoke":
    case "suspend":
    case "reinstate": {
      const serial = str("serial");
      if (!serial) throw bad("serial is required");
      if (op === "renew") return { op, serial, reuseKey: raw.reuseKey === true || raw.reuseKey === "true" };
      if (op === "revoke") {
        const reason = str("reason") ?? "unspecified";
        if (!(reason in REVOCATION_REASONS)) throw bad(`reason ${reason}`);
        return { op, serial, reason: reason as RevocationReason };
      }
      return { op, serial };
    }
    default:
      throw bad(`op ${op}`);
  }
}

/** Parses a batch file; the format is JSON lines if the first non-blank character is `{`. */
export function parseBatch(text: string): BatchItem[] {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("{")) {
    return body
      .split(/\r?\n/)
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l !== "")
      .map(([l, n]) => {
        let raw: unknown;
        try {
          raw = JSON.parse(l);
        } catch {
          throw new PkiError("PKI_BAD_REQUEST", { what: `line ${n}: not JSON` });
        }
        return toItem(raw as Record<string, unknown>, n);
      });
  }
  const [header, ...rows] = parseCsv(body);
  if (!header) return [];
  const keys = header.map((h) => h.trim());
  return rows.map((r, i) => toItem(Object.fromEntries(keys.map((k, j) => [k, r[j]?.trim() ?? ""])), i + 2));
}
