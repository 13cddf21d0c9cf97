import { createHash } from "node:crypto";
import {
  type PDF,
  PdfArray,
  PdfBool,
  PdfDict,
  PdfName,
  PdfNull,
  PdfNumber,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
} from "@libpdf/core";

/**
 * What changed between a signed revision and the final document, object by object. Later
 * incremental updates may only add signatures (a signature field + widget, its appearance,
 * /AcroForm and page /Annots bookkeeping), the DSS, or document metadata — the modifications
 * PAdES LTV needs and DocMDP level 2 permits. Anything else (page content, resources, other
 * annotations, the page tree) makes the earlier signature "signed then modified".
 */
export interface ChangeReport {
  /** Later signature fields and DSS/metadata updates: allowed. */
  allowed: string[];
  /** Everything else: each makes the signature invalid. */
  disallowed: string[];
}

const INFO_KEYS = new Set([
  "Title",
  "Author",
  "Subject",
  "Keywords",
  "Creator",
  "Producer",
  "CreationDate",
  "ModDate",
  "Trapped",
]);

/** A canonical text form of an object, to compare two revisions' versions of it. */
export function canonical(o: PdfObject | undefined): string {
  if (o === undefined) return "∅";
  if (o instanceof PdfStream) {
    const dict = [...o]
      .map(([k, v]) => `/${k.value} ${canonical(v)}`)
      .sort()
      .join(" ");
    return `stream<<${dict}>>#${createHash("sha256").update(o.data).digest("hex")}`;
  }
  if (o instanceof PdfDict)
    return `<<${[...o]
      .map(([k, v]) => `/${k.value} ${canonical(v)}`)
      .sort()
      .join(" ")}>>`;
  if (o instanceof PdfArray) return `[${o.toArray().map(canonical).join(" ")}]`;
  if (o instanceof PdfRef) return `${o.objectNumber} ${o.generation} R`;
  if (o instanceof PdfName) return `/${o.value}`;
  if (o instanceof PdfNumber) return String(o.value);
  if (o instanceof PdfString) return `<${Buffer.from(o.bytes).toString("hex")}>`;
  if (o instanceof PdfBool) return String(o.value);
  if (o instanceof PdfNull) return "null";
  return `?${String(o)}`;
}

function changedKeys(before: PdfDict, after: PdfDict): string[] {
  const keys = new Set<string>();
  for (const [k] of before) keys.add(k.value);
  for (const [k] of after) keys.add(k.value);
  return [...keys].filter((k) => canonical(before.get(k)) !== canonical(after.get(k)));
}

export function compareRevisions(signed: PDF, final: PDF): ChangeReport {
  const allowed: string[] = [];
  const disallowed: string[] = [];
  const resolveFinal = (ref: PdfRef) => final.getObject(ref);
  const deref = (doc: PDF, o: PdfObject | undefined) =>
    o instanceof PdfRef ? (doc.getObject(o) ?? undefined) : o;

  const isSignatureField = (o: PdfObject | undefined): boolean => {
    const d = deref(final, o);
    if (!(d instanceof PdfDict)) return false;
    if (d.getName("FT", resolveFinal)?.value === "Sig") return true;
    const parent = deref(final, d.get("Parent"));
    return parent instanceof PdfDict && parent.getName("FT", resolveFinal)?.value === "Sig";
  };
  /** `after` keeps every entry of `before` in order and only adds signature fields/widgets. */
  const onlyAddsSignatures = (before: PdfObject | undefined, after: PdfObject | undefined): boolean => {
    const b = deref(signed, before);
    const a = deref(final, after);
    const bi = b instanceof PdfArray ? b.toArray().map(canonical) : b === undefined ? [] : null;
    if (bi === null || !(a instanceof PdfArray)) return false;
    const ai = a.toArray();
    if (ai.length < bi.length || !bi.every((v, i) => v === canonical(ai[i]))) return false;
    return ai.slice(bi.length).every(isSignatureField);
  };

  const catalogRef = final.context.getRef(final.getCatalog());
  const signedCatalog = signed.getCatalog();
  const finalCatalog = final.getCatalog();
  const finalAcroRef = finalCatalog.getRef("AcroForm");
  const dssRefs = new Set<number>();
  const collect = (o: PdfObject | undefined, depth: number) => {
    if (depth > 4 || o === undefined) return;
    if (o instanceof PdfRef) {
      dssRefs.add(o.objectNumber);
      collect(final.getObject(o) ?? undefined, depth + 1);
    } else if (o instanceof PdfArray) for (const item of o) collect(item, depth + 1);
    else if (o instanceof PdfDict && !(o instanceof PdfStream)) for (const [, v] of o) collect(v, depth + 1);
  };
  collect(finalCatalog.get("DSS"), 0);
  const pageIndexByObject = new Map(final.getPages().map((p) => [p.ref.objectNumber, p.index]));
  const contentOwner = new Map<number, number>();
  for (const page of final.getPages()) {
    const contents = page.dict.get("Contents");
    const refs =
      contents instanceof PdfRef ? [contents] : contents instanceof PdfArray ? contents.toArray() : [];
    for (const r of refs) if (r instanceof PdfRef) contentOwner.set(r.objectNumber, page.index);
  }

  const acroFormChange = (before: PdfDict | undefined, after: PdfDict | undefined, label: string) => {
    if (!after) return disallowed.push(`${label}: AcroForm removed`);
    const bad = changedKeys(before ?? new PdfDict(), after).filter((k) => {
      if (k === "SigFlags" || k === "DR" || k === "DA") return false;
      if (k === "Fields") return !onlyAddsSignatures(before?.get("Fields"), after.get("Fields"));
      return true;
    });
    if (bad.length) disallowed.push(`${label}: /AcroForm ${bad.join(", ")}`);
    else allowed.push(`${label}: signature fields added to /AcroForm`);
  };

  const last = Math.max(signed.context.registry.nextObjectNumber, 1);
  for (let num = 1; num < last; num++) {
    const ref = PdfRef.of(num, 0);
    const before = signed.getObject(ref) ?? undefined;
    if (before === undefined) continue;
    const after = final.getObject(ref) ?? undefined;
    if (canonical(before) === canonical(after)) continue;
    const label = `object ${num}`;
    if (after === undefined) {
      disallowed.push(`${label} removed`);
      continue;
    }
    if (
      catalogRef &&
      num === catalogRef.objectNumber &&
      before instanceof PdfDict &&
      after instanceof PdfDict
    ) {
      const bad = changedKeys(before, after).filter((k) => {
        if (k === "DSS") return false;
        if (k === "AcroForm") {
          const b = signedCatalog.get("AcroForm");
          const a = finalCatalog.get("AcroForm");
          if (
            a instanceof PdfRef &&
            (b === undefined || (b instanceof PdfRef && b.objectNumber === a.objectNumber))
          )
            return false; // checked as its own object
          acroFormChange(
            deref(signed, b) as PdfDict | undefined,
            deref(final, a) as PdfDict | undefined,
            "catalog",
          );
          return false;
        }
        return true;
      });
      if (bad.length) disallowed.push(`catalog: ${bad.map((k) => `/${k}`).join(", ")}`);
      else allowed.push("catalog: /AcroForm or /DSS updated");
      continue;
    }
    if (finalAcroRef && num === finalAcroRef.objectNumber) {
      acroFormChange(before as PdfDict, after as PdfDict, label);
      continue;
    }
    if (dssRefs.has(num)) {
      allowed.push(`${label}: DSS`);
      continue;
    }
    const pageIndex = pageIndexByObject.get(num);
    if (pageIndex !== undefined && before instanceof PdfDict && after instanceof PdfDict) {
      const bad = changedKeys(before, after).filter(
        (k) => k !== "Annots" || !onlyAddsSignatures(before.get("Annots"), after.get("Annots")),
      );
      if (bad.length) disallowed.push(`page ${pageIndex + 1}: ${bad.map((k) => `/${k}`).join(", ")} changed`);
      else allowed.push(`page ${pageIndex + 1}: signature widget added`);
      continue;
    }
    if (before instanceof PdfArray && after instanceof PdfArray && onlyAddsSignatures(before, after)) {
      allowed.push(`${label}: signature field/widget list extended`);
      continue;
    }
    if (before instanceof PdfDict && before.getName("FT")?.value === "Sig" && !before.has("V")) {
      allowed.push(`${label}: empty signature field signed`);
      continue;
    }
    if (
      before instanceof PdfDict &&
      !(before instanceof PdfStream) &&
      [...before].every(([k]) => INFO_KEYS.has(k.value))
    ) {
      allowed.push(`${label}: document information (metadata)`);
      continue;
    }
    if (before instanceof PdfStream && before.getName("Type")?.value === "Metadata") {
      allowed.push(`${label}: XMP metadata`);
      continue;
    }
    const owner = contentOwner.get(num);
    disallowed.push(owner !== undefined ? `content of page ${owner + 1} (${label})` : label);
  }
  return { allowed, disallowed };
}
