/** PEM/DER helpers shared by the package. */
import { PkiError } from "./errors.ts";

export type Bytes = Uint8Array;

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Buffer;
}

/** Every PEM block in `text`, optionally only those with one of `labels`. */
export function readPemBlocks(text: string, labels?: readonly string[]): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const label = m[1]!;
    if (labels && !labels.includes(label)) continue;
    out.push({ label, der: Buffer.from(m[2]!.replace(/\s+/g, ""), "base64") });
  }
  return out;
}

export function toPem(der: Bytes, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Accepts DER bytes or PEM text/bytes holding one object with the given label(s). */
export function toDer(input: Bytes | string, labels: readonly string[]): Buffer {
  const text =
    typeof input === "string"
      ? input
      : input.length > 10 && Buffer.from(input.subarray(0, 10)).toString("latin1").startsWith("-----BEGIN")
        ? Buffer.from(input).toString("utf8")
        : undefined;
  if (text === undefined) return Buffer.from(input as Bytes);
  const block = readPemBlocks(text, labels)[0];
  if (!block) throw new PkiError("PKI_MALFORMED", { what: `PEM ${labels.join("/")}` });
  return block.der;
}

export const certToDer = (input: Bytes | string) => toDer(input, ["CERTIFICATE"]);
export const crlToDer = (input: Bytes | string) => toDer(input, ["X509 CRL", "CRL"]);

/** Exact ArrayBuffer of a byte view (pkijs/asn1js want ArrayBuffer, not a Buffer's pool). */
export function toArrayBuffer(bytes: Bytes): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Canonical serial number: lower-case hex without leading zeros. */
export function normalizeSerial(serial: string): string {
  const s = serial
    .toLowerCase()
    .replace(/[^0-9a-f]/g, "")
    .replace(/^0+/, "");
  return s === "" ? "0" : s;
}
