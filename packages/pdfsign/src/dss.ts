import { createHash } from "node:crypto";
import { PDF, PdfArray, PdfDict, PdfName, type PdfObject, PdfRef, PdfStream } from "@libpdf/core";
import { PdfSignError } from "./errors.ts";

/** Validation material for PAdES B-LT (ETSI EN 319 142-1 §5.4, the Document Security Store). */
export interface RevocationData {
  certificates?: readonly Uint8Array[];
  crls?: readonly Uint8Array[];
  ocspResponses?: readonly Uint8Array[];
}

export interface DssContents {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocspResponses: Uint8Array[];
}

const hex = (data: Uint8Array, algorithm: "sha1" | "sha256") =>
  createHash(algorithm).update(data).digest("hex").toUpperCase();

function streamsOf(pdf: PDF, array: PdfArray | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const item of array ?? []) {
    const obj = item instanceof PdfRef ? pdf.getObject(item) : item;
    if (obj instanceof PdfStream) out.push(obj.getDecodedData());
  }
  return out;
}

/** Reads the /DSS of a loaded document. */
export function readDss(pdf: PDF): DssContents {
  const resolve = (ref: PdfRef) => pdf.getObject(ref);
  const dss = pdf.getCatalog().getDict("DSS", resolve);
  return {
    certificates: streamsOf(pdf, dss?.getArray("Certs", resolve)),
    crls: streamsOf(pdf, dss?.getArray("CRLs", resolve)),
    ocspResponses: streamsOf(pdf, dss?.getArray("OCSPs", resolve)),
  };
}

export interface AddDssOptions extends RevocationData {
  /** DER of the CMS of each signature the data is for (keys of the /VRI entries). */
  signatureContents?: readonly Uint8Array[];
}

/**
 * Appends (or extends) the Document Security Store in an incremental update: certificates,
 * CRLs and OCSP responses as streams, plus a /VRI entry per signature. Items already present
 * are not duplicated. Later DSS updates are allowed modifications for earlier signatures.
 */
export async function addDss(input: Uint8Array, options: AddDssOptions): Promise<Uint8Array> {
  let pdf: PDF;
  try {
    pdf = await PDF.load(input);
  } catch (error) {
    throw new PdfSignError("PDF_MALFORMED", { detail: (error as Error).message }, { cause: error });
  }
  const resolve = (ref: PdfRef) => pdf.getObject(ref);
  const catalog = pdf.getCatalog();
  const dss = catalog.getDict("DSS", resolve) ?? new PdfDict();
  const refsByHash = new Map<string, PdfRef>();
  const section = (key: "Certs" | "CRLs" | "OCSPs", items: readonly Uint8Array[] | undefined): PdfRef[] => {
    let array = dss.getArray(key, resolve);
    if (!array) {
      array = new PdfArray([]);
      dss.set(key, array);
    }
    for (const item of array) {
      if (!(item instanceof PdfRef)) continue;
      const obj = pdf.getObject(item);
      if (obj instanceof PdfStream) refsByHash.set(`${key}:${hex(obj.getDecodedData(), "sha256")}`, item);
    }
    const refs: PdfRef[] = [];
    for (const data of items ?? []) {
      const id = `${key}:${hex(data, "sha256")}`;
      let ref = refsByHash.get(id);
      if (!ref) {
        ref = pdf.createStream({}, data);
        refsByHash.set(id, ref);
        array.push(ref);
      }
      refs.push(ref);
    }
    return refs;
  };
  const certs = section("Certs", options.certificates);
  const crls = section("CRLs", options.crls);
  const ocsps = section("OCSPs", options.ocspResponses);
  if (options.signatureContents?.length) {
    const vri = dss.getDict("VRI", resolve) ?? new PdfDict();
    for (const contents of options.signatureContents) {
      const entry: Record<string, PdfObject> = {};
      if (certs.length) entry.Cert = new PdfArray(certs);
      if (crls.length) entry.CRL = new PdfArray(crls);
      if (ocsps.length) entry.OCSP = new PdfArray(ocsps);
      vri.set(hex(contents, "sha1"), PdfDict.of(entry));
    }
    dss.set("VRI", vri);
  }
  dss.set("Type", PdfName.of("DSS"));
  if (!pdf.context.getRef(dss)) catalog.set("DSS", pdf.register(dss));
  else catalog.set("DSS", pdf.context.getRef(dss)!);
  return pdf.save({ incremental: true });
}
