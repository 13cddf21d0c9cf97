import type { JsonNameParams } from "@peculiar/x509";
import { nfc } from "@truc/common";
import { PkiError } from "./errors.ts";
import { x509 } from "./setup.ts";

/**
 * Subject of a certificate, as the Ban Cơ yếu profiles write it: person
 * `C=VN, L=<province>, O=<parent body>, OU=<body>, OU=<unit>, CN=<full name>, E=<email>`,
 * body `C=VN, L=<city>, O=<parent>, CN=<BODY NAME>`. Text is NFC and encoded as UTF8String
 * (C is PrintableString and E IA5String, as RFC 5280 requires).
 */
export interface SubjectDn {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string | readonly string[];
  CN: string;
  E?: string;
}

const ORDER = ["C", "ST", "L", "O", "OU", "CN", "E"] as const;

export function buildName(subject: SubjectDn): InstanceType<typeof x509.Name> {
  if (!subject.CN?.trim()) throw new PkiError("PKI_BAD_REQUEST", { what: "subject CN is required" });
  const parts: JsonNameParams = [];
  for (const key of ORDER) {
    const raw = subject[key];
    if (raw === undefined || raw === "") continue;
    const values = typeof raw === "string" ? [raw] : [...raw];
    for (const value of values) {
      const v = nfc(value.trim());
      if (key === "C") {
        if (!/^[A-Z]{2}$/.test(v)) throw new PkiError("PKI_BAD_REQUEST", { what: `C=${v}` });
        parts.push({ C: [{ printableString: v }] });
      } else if (key === "E") {
        if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(v)) throw new PkiError("PKI_BAD_REQUEST", { what: `E=${v}` });
        parts.push({ E: [{ ia5String: v }] });
      } else {
        parts.push({ [key]: [{ utf8String: v }] });
      }
    }
  }
  return new x509.Name(parts);
}

/** Parses `C=VN, L=Hà Nội, O=…, OU=…, CN=…, E=…` (the CLI and batch form) into a SubjectDn. */
export function parseSubject(text: string): SubjectDn {
  const out: { [k: string]: string | string[] } = {};
  // split on commas not escaped with a backslash
  for (const piece of text.split(/(?<!\\),/)) {
    const trimmed = piece.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    if (eq < 1) throw new PkiError("PKI_BAD_REQUEST", { what: `subject part "${trimmed}"` });
    const key = trimmed.slice(0, eq).trim().toUpperCase();
    const value = trimmed
      .slice(eq + 1)
      .trim()
      .replace(/\\,/g, ",");
    const k = key === "EMAIL" || key === "EMAILADDRESS" ? "E" : key;
    if (!(ORDER as readonly string[]).includes(k))
      throw new PkiError("PKI_BAD_REQUEST", { what: `subject attribute ${key}` });
    if (k === "OU") {
      const prev = out.OU;
      out.OU = prev === undefined ? [value] : [...(prev as string[]), value];
    } else out[k] = value;
  }
  if (typeof out.CN !== "string") throw new PkiError("PKI_BAD_REQUEST", { what: "subject CN is required" });
  return out as unknown as SubjectDn;
}

/** Display form of a subject (same order as the certificate). */
export function formatSubject(subject: SubjectDn): string {
  const parts: string[] = [];
  for (const key of ORDER) {
    const raw = subject[key];
    if (raw === undefined || raw === "") continue;
    for (const v of typeof raw === "string" ? [raw] : raw)
      parts.push(`${key}=${nfc(v).replace(/,/g, "\\,")}`);
  }
  return parts.join(", ");
}
