import { type PDF, PdfArray, PdfDict, PdfName, PdfNumber, type PdfRef } from "@libpdf/core";
import { toVietnamIso } from "@truc/common";
import { PdfSignError } from "./errors.ts";
import { serifFont } from "./fonts.ts";

/** A rectangle in PDF user space (points, origin bottom-left). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * How a signature looks on the page (NĐ 30/2020 Art. 13(7), Phụ lục I; spec §6.4).
 * - `personal`: the competent person's signature image (blue, transparent PNG) centred
 *   between the title line and the name; by default found on the last page by the signer's
 *   name (`name`, else the certificate's common name).
 * - `organisation`: the body's seal image (red, transparent PNG, real size) overlapping the
 *   left third of the competent person's signature image; by default placed from the
 *   existing personal signature's rectangle.
 * - `invisible`: no image; number/notation and the ISO 8601 signing time in Vietnam time,
 *   Times New Roman (Liberation Serif) 10 pt black, top-right of the first page — for
 *   appendices in separate files and for copies.
 * `page` is 1-based; `rect` overrides the automatic placement.
 */
export type AppearanceSpec =
  | { kind: "personal"; image: Uint8Array; page?: number; rect?: Rect; name?: string }
  | { kind: "organisation"; image: Uint8Array; page?: number; rect?: Rect; sizeMm?: number }
  | { kind: "invisible"; notation: string; page?: number; lines?: readonly string[] };

export const FIELD_PREFIX = {
  personal: "ChuKyCaNhan",
  organisation: "DauCoQuan",
  invisible: "ChuKySo",
  none: "ChuKySo",
};

const MM = 72 / 25.4;
/** Real size of the sample seal (round seals of state bodies are ~35–42 mm across). */
export const DEFAULT_SEAL_MM = 36;

export interface PlacedAppearance {
  pageIndex: number;
  rect: Rect;
  /** The /AP /N stream of the signature widget. */
  appearance: PdfRef;
}

function pageAt(pdf: PDF, page: number | undefined, fallback: "first" | "last") {
  const count = pdf.getPageCount();
  const index = page === undefined ? (fallback === "first" ? 0 : count - 1) : page - 1;
  const p = pdf.getPage(index);
  if (!p || !Number.isInteger(index)) throw new PdfSignError("PDF_PAGE_OUT_OF_RANGE", { page, count });
  return p;
}

function embedImage(pdf: PDF, png: Uint8Array) {
  if (png.length < 8 || png[0] !== 0x89 || png[1] !== 0x50 || png[2] !== 0x4e || png[3] !== 0x47)
    throw new PdfSignError("PDF_IMAGE_INVALID", { detail: "not a PNG" });
  try {
    return pdf.embedPng(png);
  } catch (error) {
    throw new PdfSignError("PDF_IMAGE_INVALID", { detail: (error as Error).message }, { cause: error });
  }
}

function formStream(pdf: PDF, width: number, height: number, resources: PdfDict, content: string): PdfRef {
  return pdf.createStream(
    {
      Type: PdfName.of("XObject"),
      Subtype: PdfName.of("Form"),
      BBox: new PdfArray([PdfNumber.of(0), PdfNumber.of(0), PdfNumber.of(width), PdfNumber.of(height)]),
      Resources: resources,
    },
    new TextEncoder().encode(content),
  );
}

const n = (v: number) => Number(v.toFixed(3)).toString();

function imageAppearance(pdf: PDF, png: Uint8Array, rect: Rect): PdfRef {
  const image = embedImage(pdf, png);
  const resources = PdfDict.of({ XObject: PdfDict.of({ Im0: image.ref }) });
  return formStream(
    pdf,
    rect.width,
    rect.height,
    resources,
    `q ${n(rect.width)} 0 0 ${n(rect.height)} 0 0 cm /Im0 Do Q\n`,
  );
}

/**
 * Finds the gap between the title line (e.g. "PHÓ CHỦ TỊCH") and the signer's name on a page
 * by text search, and returns the signature image rectangle centred in it.
 */
export function findPersonalSignatureRect(pdf: PDF, pageIndex: number, name: string, aspect: number): Rect {
  const matches = pdf.findText(name.normalize("NFC"), { pages: [pageIndex] });
  const nameBox = matches.at(-1)?.bbox;
  if (!nameBox)
    throw new PdfSignError("PDF_PLACEMENT_NOT_FOUND", {
      detail: `"${name}" is not on page ${pageIndex + 1}`,
    });
  const centreX = nameBox.x + nameBox.width / 2;
  const nameTop = nameBox.y + nameBox.height;
  // The nearest text above the name that spans its centre is the title line.
  let titleBottom = Number.POSITIVE_INFINITY;
  for (const line of pdf.extractText()[pageIndex]?.lines ?? [])
    for (const span of line.spans) {
      const b = span.bbox;
      if (b.y > nameTop && b.x <= centreX && b.x + b.width >= centreX && b.y < titleBottom) titleBottom = b.y;
    }
  if (!Number.isFinite(titleBottom))
    throw new PdfSignError("PDF_PLACEMENT_NOT_FOUND", { detail: `no title line above "${name}"` });
  const gap = titleBottom - nameTop;
  if (gap < 10 * MM)
    throw new PdfSignError("PDF_PLACEMENT_NOT_FOUND", { detail: `gap above "${name}" is too small` });
  const height = Math.min(gap - 4, 30 * MM);
  const width = height * aspect;
  return { x: centreX - width / 2, y: nameTop + (gap - height) / 2, width, height };
}

/** The seal covers the left third of the personal signature image, vertically centred on it. */
export function sealRectFor(personal: Rect, diameter: number): Rect {
  return {
    x: personal.x + personal.width / 3 - diameter,
    y: personal.y + personal.height / 2 - diameter / 2,
    width: diameter,
    height: diameter,
  };
}

function pngAspect(png: Uint8Array): number {
  // IHDR: width and height are the first two fields after the 8-byte signature + chunk header.
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (png.length < 24) throw new PdfSignError("PDF_IMAGE_INVALID", { detail: "truncated PNG" });
  return view.getUint32(16) / view.getUint32(20);
}

export interface PlacementContext {
  /** Common name of the signer's certificate, the default name to look for. */
  signerCommonName?: string;
  /** Rectangle and page of the latest visible personal signature, if any. */
  personal?: { pageIndex: number; rect: Rect };
  signingTime: Date;
}

export function placeAppearance(pdf: PDF, spec: AppearanceSpec, ctx: PlacementContext): PlacedAppearance {
  switch (spec.kind) {
    case "personal": {
      const page = pageAt(pdf, spec.page, "last");
      const name = spec.name ?? ctx.signerCommonName;
      let rect = spec.rect;
      if (!rect) {
        if (!name)
          throw new PdfSignError("PDF_PLACEMENT_NOT_FOUND", { detail: "no signer name to look for" });
        rect = findPersonalSignatureRect(pdf, page.index, name, pngAspect(spec.image));
      }
      return { pageIndex: page.index, rect, appearance: imageAppearance(pdf, spec.image, rect) };
    }
    case "organisation": {
      let rect = spec.rect;
      let pageIndex: number;
      if (rect) pageIndex = pageAt(pdf, spec.page, "last").index;
      else {
        if (!ctx.personal) throw new PdfSignError("PDF_PERSONAL_SIGNATURE_MISSING");
        pageIndex = ctx.personal.pageIndex;
        rect = sealRectFor(ctx.personal.rect, (spec.sizeMm ?? DEFAULT_SEAL_MM) * MM);
      }
      return { pageIndex, rect, appearance: imageAppearance(pdf, spec.image, rect) };
    }
    case "invisible": {
      const page = pageAt(pdf, spec.page ?? 1, "first");
      const lines = spec.lines ?? [spec.notation, toVietnamIso(ctx.signingTime)];
      const font = pdf.embedFont(serifFont("Regular"));
      const size = 10;
      const leading = 12;
      const width = Math.max(...lines.map((l) => font.getTextWidth(l, size))) + 2;
      const height = leading * lines.length + 2;
      const box = page.getCropBox();
      const rect = {
        x: box.x + box.width - 15 * MM - width,
        y: box.y + box.height - 5 * MM - height,
        width,
        height,
      };
      const fontRef = pdf.getFontRef(font);
      if (!fontRef) throw new PdfSignError("PDF_OPTIONS_INVALID", { detail: "font could not be embedded" });
      const shown = lines
        .map((l, i) => {
          const hex = font
            .encodeTextToGids(l.normalize("NFC"))
            .map((c) => c.toString(16).padStart(4, "0"))
            .join("");
          const x = width - 1 - font.getTextWidth(l, size); // right-aligned
          return `BT /F0 ${size} Tf 0 g ${n(x)} ${n(height - 1 - leading * (i + 1) + 3)} Td <${hex}> Tj ET`;
        })
        .join("\n");
      const resources = PdfDict.of({ Font: PdfDict.of({ F0: fontRef }) });
      return {
        pageIndex: page.index,
        rect,
        appearance: formStream(pdf, width, height, resources, `${shown}\n`),
      };
    }
  }
}
