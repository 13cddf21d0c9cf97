import {
  PDF,
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  type PdfObject,
  type PdfRef,
  PdfString,
} from "@libpdf/core";
import { type Signer, toVietnamParts } from "@truc/common";
import { type AppearanceSpec, FIELD_PREFIX, placeAppearance, type Rect } from "./appearance.ts";
import { addSignatureTimeStamp, buildCadesSignature, encodeCms, parseCertificate, sha256 } from "./cms.ts";
import { addDss, type RevocationData } from "./dss.ts";
import { PdfSignError } from "./errors.ts";
import { commonName } from "./names.ts";
import type { TimestampAuthority } from "./tsa.ts";

export type PadesLevel = "B-B" | "B-T" | "B-LT";

export interface SignPdfOptions {
  signer: Signer;
  /** PAdES baseline level; B-T and B-LT need `tsa`, B-LT needs `validationData`. Default B-B. */
  level?: PadesLevel;
  tsa?: TimestampAuthority;
  appearance?: AppearanceSpec;
  /**
   * Revocation data embedded in the DSS for B-LT: CRLs/OCSP responses for the signer's chain
   * (and the TSA's). A function is called with the chain (leaf first) after signing.
   */
  validationData?: RevocationData | ((chain: readonly Uint8Array[]) => Promise<RevocationData>);
  /** Claimed signing time written to /M (not proven; B-T proves it). Default: now. */
  signingTime?: Date;
  reason?: string;
  location?: string;
  /** Signature field name; default `<ChuKyCaNhan|DauCoQuan|ChuKySo>_<n>`. */
  fieldName?: string;
  /** Bytes reserved for the CMS; default fits RSA-4096 with a chain and a time-stamp. */
  reservedBytes?: number;
  /** Refuse larger inputs. Default 200 MiB. */
  maxInputBytes?: number;
}

export interface SignPdfResult {
  bytes: Uint8Array;
  fieldName: string;
  level: PadesLevel;
  /** Where the appearance was placed, if visible (1-based page). */
  placement?: { page: number; rect: Rect };
}

const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;
const DEFAULT_RESERVED = 24 * 1024;

/** `D:YYYYMMDDHHmmss+07'00'`, the PDF date of the claimed signing time, in Vietnam time. */
export function pdfDate(instant: Date): string {
  const p = toVietnamParts(instant);
  const pad = (v: number, w = 2) => String(v).padStart(w, "0");
  return `D:${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}+07'00'`;
}

/** The latest signed, visible personal signature widget (the seal is placed against it). */
function findPersonalSignature(pdf: PDF): { pageIndex: number; rect: Rect } | undefined {
  const form = pdf.getForm();
  if (!form) return undefined;
  const resolve = (ref: PdfRef) => pdf.getObject(ref);
  const pages = pdf.getPages();
  let found: { pageIndex: number; rect: Rect } | undefined;
  for (const field of form.getSignatureFields()) {
    if (!field.isSigned()) continue;
    const dict = field.getDict();
    const rect = dict.getArray("Rect", resolve);
    const p = dict.getRef("P");
    if (rect?.length !== 4 || !p) continue;
    const [x1, y1, x2, y2] = rect.toArray().map((v) => (v instanceof PdfNumber ? v.value : 0)) as [
      number,
      number,
      number,
      number,
    ];
    if (x2 - x1 <= 0 || y2 - y1 <= 0) continue;
    const pageIndex = pages.findIndex((pg) => pg.ref.objectNumber === p.objectNumber);
    if (pageIndex < 0) continue;
    const entry = {
      pageIndex,
      rect: { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) },
    };
    if (field.name.startsWith(FIELD_PREFIX.personal) || !found) found = entry;
  }
  return found;
}

function uniqueName(pdf: PDF, prefix: string): string {
  const names = new Set(pdf.getForm()?.getFieldNames() ?? []);
  for (let i = 1; ; i++) if (!names.has(`${prefix}_${i}`)) return `${prefix}_${i}`;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first!, from);
    i !== -1 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first!, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Signs a PDF at PAdES baseline B-B, B-T or B-LT (SubFilter ETSI.CAdES.detached, SHA-256) as an
 * incremental update, so earlier signatures stay valid. The visible appearance (if any) is
 * the signature widget's own appearance stream: page content is never rewritten, so a seal
 * added after the competent person's signature does not count as a modification of it.
 */
export async function signPdf(input: Uint8Array, options: SignPdfOptions): Promise<SignPdfResult> {
  const level = options.level ?? "B-B";
  const max = options.maxInputBytes ?? 200 * 1024 * 1024;
  if (input.length > max) throw new PdfSignError("PDF_TOO_LARGE", { size: input.length, max });
  if (level !== "B-B" && !options.tsa)
    throw new PdfSignError("PDF_OPTIONS_INVALID", {
      detail: `level ${level} needs a time-stamping authority`,
    });
  if (level === "B-LT" && !options.validationData) throw new PdfSignError("PDF_VALIDATION_DATA_MISSING");
  let pdf: PDF;
  try {
    pdf = await PDF.load(input);
  } catch (error) {
    throw new PdfSignError("PDF_MALFORMED", { detail: (error as Error).message }, { cause: error });
  }
  if (pdf.getPageCount() === 0) throw new PdfSignError("PDF_MALFORMED", { detail: "no pages" });
  const signingTime = options.signingTime ?? new Date();
  const cert = parseCertificate(options.signer.certificate);
  const signerName = commonName(cert.subject);

  const placed = options.appearance
    ? placeAppearance(pdf, options.appearance, {
        signerCommonName: signerName,
        personal: findPersonalSignature(pdf),
        signingTime,
      })
    : undefined;

  const reserved = options.reservedBytes ?? DEFAULT_RESERVED;
  const sigDict: Record<string, PdfObject> = {
    Type: PdfName.of("Sig"),
    Filter: PdfName.of("Adobe.PPKLite"),
    SubFilter: PdfName.of("ETSI.CAdES.detached"),
    ByteRange: new PdfArray(
      [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER].map((v) => PdfNumber.of(v)),
    ),
    Contents: new PdfString(new Uint8Array(reserved), "hex"),
    M: PdfString.fromString(pdfDate(signingTime)),
  };
  if (signerName) sigDict.Name = PdfString.fromString(signerName);
  if (options.reason) sigDict.Reason = PdfString.fromString(options.reason);
  if (options.location) sigDict.Location = PdfString.fromString(options.location);
  const sigRef = pdf.createDict(sigDict);

  const fieldName = options.fieldName ?? uniqueName(pdf, FIELD_PREFIX[options.appearance?.kind ?? "none"]);
  const form = pdf.getOrCreateForm();
  if (form.hasField(fieldName))
    throw new PdfSignError("PDF_OPTIONS_INVALID", { detail: `field ${fieldName} exists` });
  const fieldDict: PdfDict = form.createSignatureField(fieldName).getDict();
  const fieldRef = pdf.context.getRef(fieldDict);
  if (!fieldRef) throw new PdfSignError("PDF_MALFORMED", { detail: "signature field not registered" });
  const page = pdf.getPage(placed?.pageIndex ?? 0)!;
  const rect = placed?.rect ?? { x: 0, y: 0, width: 0, height: 0 };
  fieldDict.delete("Kids");
  fieldDict.set("V", sigRef);
  fieldDict.set("Type", PdfName.of("Annot"));
  fieldDict.set("Subtype", PdfName.of("Widget"));
  fieldDict.set("F", PdfNumber.of(132)); // Print | Locked
  fieldDict.set("P", page.ref);
  fieldDict.set(
    "Rect",
    new PdfArray(
      [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height].map((v) =>
        PdfNumber.of(Number(v.toFixed(3))),
      ),
    ),
  );
  if (placed) fieldDict.set("AP", PdfDict.of({ N: placed.appearance }));
  const resolve = (ref: PdfRef) => pdf.getObject(ref);
  const annots = page.dict.getArray("Annots", resolve);
  if (annots) annots.push(fieldRef);
  else page.dict.set("Annots", new PdfArray([fieldRef]));
  const acroForm = pdf.getCatalog().getDict("AcroForm", resolve);
  acroForm?.set("SigFlags", PdfNumber.of(3)); // SignaturesExist | AppendOnly

  const bytes = await pdf.save({ incremental: true, subsetFonts: true });

  // Locate the placeholders in the appended section, then patch ByteRange and Contents.
  const enc = new TextEncoder();
  const contentsNeedle = enc.encode(`<${"0".repeat(reserved * 2)}>`);
  const contentsAt = indexOf(bytes, contentsNeedle, input.length);
  const rangeNeedle = enc.encode(
    `${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER}]`,
  );
  const rangeAt = indexOf(bytes, rangeNeedle, input.length);
  if (contentsAt < 0 || rangeAt < 0)
    throw new PdfSignError("PDF_MALFORMED", { detail: "signature placeholders not found after save" });
  const rangeStart = bytes.lastIndexOf(0x5b /* [ */, rangeAt);
  const rangeEnd = rangeAt + rangeNeedle.length; // after ]
  const contentsEnd = contentsAt + contentsNeedle.length;
  const byteRange = [0, contentsAt, contentsEnd, bytes.length - contentsEnd];
  const rangeText = `[${byteRange.join(" ")}]`;
  if (rangeText.length > rangeEnd - rangeStart)
    throw new PdfSignError("PDF_TOO_LARGE", { size: bytes.length, max: 9_999_999_999 });
  bytes.set(enc.encode(rangeText.padEnd(rangeEnd - rangeStart, " ")), rangeStart);
  const signedBytes = new Uint8Array(contentsAt + (bytes.length - contentsEnd));
  signedBytes.set(bytes.subarray(0, contentsAt), 0);
  signedBytes.set(bytes.subarray(contentsEnd), contentsAt);
  const { signedData, signatureValue } = await buildCadesSignature(options.signer, sha256(signedBytes));
  if (level !== "B-B")
    addSignatureTimeStamp(signedData, await options.tsa!.timestamp(sha256(signatureValue)));
  const cms = encodeCms(signedData);
  if (cms.length > reserved)
    throw new PdfSignError("PDF_SIGNATURE_TOO_LARGE", { size: cms.length, reserved });
  bytes.set(enc.encode(Buffer.from(cms).toString("hex")), contentsAt + 1);

  let output = bytes;
  if (level === "B-LT") {
    const chain = [options.signer.certificate, ...options.signer.chain];
    const data =
      typeof options.validationData === "function"
        ? await options.validationData(chain)
        : options.validationData!;
    output = await addDss(output, {
      signatureContents: [cms],
      certificates: [...chain, ...(data.certificates ?? [])],
      crls: data.crls,
      ocspResponses: data.ocspResponses,
    });
  }
  return {
    bytes: output,
    fieldName,
    level,
    ...(placed ? { placement: { page: placed.pageIndex + 1, rect: placed.rect } } : {}),
  };
}
