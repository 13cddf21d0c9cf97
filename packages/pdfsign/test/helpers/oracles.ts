/** Independent checks with poppler, qpdf and OpenSSL (none of our code parses the PDF here). */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const work = mkdtempSync(join(tmpdir(), "truc-pdf-oracle-"));
let counter = 0;

export function writeTemp(bytes: Uint8Array, ext = "pdf"): string {
  const file = join(work, `f${counter++}.${ext}`);
  writeFileSync(file, bytes);
  return file;
}

export interface ToolResult {
  status: number;
  out: string;
}

export function tool(cmd: string, args: string[]): ToolResult {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export const pdfsig = (pdf: Uint8Array) => tool("pdfsig", [writeTemp(pdf)]);
export const qpdfCheck = (pdf: Uint8Array) => tool("qpdf", ["--check", writeTemp(pdf)]);
export const pdftotext = (pdf: Uint8Array) =>
  execFileSync("pdftotext", ["-layout", writeTemp(pdf), "-"], { encoding: "utf8" });

export interface ExtractedSignature {
  byteRange: [number, number, number, number];
  cms: Uint8Array;
  signedBytes: Uint8Array;
}

/** The first DER value of a zero-padded buffer (its length from the header). */
function derPrefix(bytes: Uint8Array): Uint8Array {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, 2 + n + len);
}

/** Every `/ByteRange [...]` in the file, with its CMS and the bytes it covers. */
export function extractSignatures(pdf: Uint8Array): ExtractedSignature[] {
  const text = Buffer.from(pdf).toString("latin1");
  const out: ExtractedSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [a, b, c, d] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const hex = text.slice(a + b + 1, c - 1);
    const signedBytes = new Uint8Array(b + d);
    signedBytes.set(pdf.subarray(a, a + b), 0);
    signedBytes.set(pdf.subarray(c, Math.min(pdf.length, c + d)), b);
    out.push({
      byteRange: [a, b, c, d],
      cms: derPrefix(new Uint8Array(Buffer.from(hex, "hex"))),
      signedBytes,
    });
  }
  return out;
}

/** `openssl cms -verify` of a detached CMS over the given content, chain to the CA file. */
export function opensslCmsVerify(sig: ExtractedSignature, caFile: string, extra: string[] = []): ToolResult {
  const cms = writeTemp(sig.cms, "der");
  const data = writeTemp(sig.signedBytes, "bin");
  return tool("openssl", [
    "cms",
    "-verify",
    "-binary",
    "-inform",
    "DER",
    "-in",
    cms,
    "-content",
    data,
    "-CAfile",
    caFile,
    "-purpose",
    "any",
    "-out",
    "/dev/null",
    ...extra,
  ]);
}

export function opensslCmsPrint(sig: ExtractedSignature): string {
  return tool("openssl", ["cms", "-cmsout", "-print", "-inform", "DER", "-in", writeTemp(sig.cms, "der")])
    .out;
}

/** `openssl verify` of a certificate against root + CA with CRL checking, optionally at a time. */
export function opensslVerify(
  certFile: string,
  rootFile: string,
  caFile: string,
  crlFile: string,
  atUnix?: number,
): ToolResult {
  return tool("openssl", [
    "verify",
    "-CAfile",
    rootFile,
    "-untrusted",
    caFile,
    "-crl_check",
    "-CRLfile",
    crlFile,
    ...(atUnix ? ["-attime", String(atUnix)] : []),
    certFile,
  ]);
}
