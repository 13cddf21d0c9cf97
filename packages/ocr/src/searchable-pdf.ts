import { type EmbeddedFont, ops, PDF, type PDFPage, PdfString } from "@libpdf/core";
import sharp from "sharp";
import type { OcrLine, OcrWord } from "./engine.ts";
import { OcrError } from "./errors.ts";
import { textLayerFont } from "./fonts.ts";
import { checkOptions, type OcrPage, type OcrResult } from "./ocr.ts";
import { detectKind, openScan, pageJpeg } from "./raster.ts";

export interface SearchablePdfOptions {
  /** JPEG quality of re-encoded page images. Default 85. */
  jpegQuality?: number;
  title?: string;
  signal?: AbortSignal;
  maxBytes?: number;
}

/**
 * Builds a PDF (1.7, so ≥ 1.4 as spec §6.4 asks) whose pages are the scan's pages in colour,
 * each at 100 % of the scan's resolution (page size = pixels ÷ dpi), with the recognised
 * words laid over them as invisible text (render mode 3): viewers select and search it,
 * `pdftotext` extracts it, and nothing of it is painted.
 *
 * `scan` must be the exact input `ocr` was computed from (PDF pages are rendered again at
 * the same dpi; a single-page JPEG is embedded unchanged).
 */
export async function makeSearchablePdf(
  scan: Uint8Array,
  ocr: OcrResult,
  options: SearchablePdfOptions = {},
): Promise<Buffer> {
  const first = ocr.pages[0];
  if (!first) throw new OcrError("OCR_RESULT_MISMATCH", { detail: "the OCR result has no pages" });
  const limits = checkOptions(scan, {
    dpi: first.dpi,
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
  const opened = await openScan(scan, limits);
  try {
    if (opened.pageCount !== ocr.pages.length) {
      throw new OcrError("OCR_RESULT_MISMATCH", {
        detail: `the scan has ${opened.pageCount} pages, the result ${ocr.pages.length}`,
      });
    }
    const pdf = PDF.create();
    if (options.title) pdf.setTitle(options.title);
    pdf.setLanguage("vi-VN");
    pdf.setProducer("truc @truc/ocr (tesseract.js, vie)");
    const font = pdf.embedFont(textLayerFont());
    const reuseJpeg = opened.kind === "jpeg" && (await isPlainJpeg(scan));
    for (const ocrPage of ocr.pages) {
      if (options.signal?.aborted) throw new OcrError("OCR_ABORTED");
      const raster = await opened.render(ocrPage.number - 1);
      if (raster.width !== ocrPage.width || raster.height !== ocrPage.height) {
        throw new OcrError("OCR_RESULT_MISMATCH", {
          detail: `page ${ocrPage.number} is ${raster.width}×${raster.height} px, the result ${ocrPage.width}×${ocrPage.height}`,
        });
      }
      const jpeg = reuseJpeg ? scan : await pageJpeg(raster, options.jpegQuality);
      const k = 72 / ocrPage.dpi;
      const width = ocrPage.width * k;
      const height = ocrPage.height * k;
      const page = pdf.addPage({ width, height });
      page.drawImage(pdf.embedJpeg(jpeg), { x: 0, y: 0, width, height });
      drawTextLayer(page, font, ocrPage, k);
    }
    return Buffer.from(await pdf.save({ subsetFonts: true }));
  } finally {
    opened.close();
  }
}

/** A JPEG that needs no rotation or colour conversion can go into the PDF byte for byte. */
async function isPlainJpeg(scan: Uint8Array): Promise<boolean> {
  if (detectKind(scan) !== "jpeg") return false;
  const meta = await sharp(scan).metadata();
  return (meta.orientation ?? 1) === 1 && (meta.space === "srgb" || meta.space === "b-w") && !meta.hasAlpha;
}

const MIN_FONT_SIZE = 1;

/**
 * One text object per page: each word at its box's left edge on its line's baseline, the
 * font size from the line height and a horizontal scale that stretches the word to its box
 * width, so that selection highlights cover the printed word.
 */
function drawTextLayer(page: PDFPage, font: EmbeddedFont, ocrPage: OcrPage, k: number): void {
  const words = ocrPage.words.filter((w) => w.text.length > 0);
  if (words.length === 0) return;
  const fontName = page.registerFont(font);
  const pageHeight = ocrPage.height * k;
  const operators = [ops.beginText(), ops.setTextRenderMode(3)];
  for (const word of words) {
    const text = encodable(font, word.text);
    if (!text) continue;
    const line = ocrPage.lines[word.line];
    const size = Math.max(MIN_FONT_SIZE, fontSizeFor(word, line) * k);
    const natural = font.getTextWidth(text, size);
    const boxWidth = (word.bbox.x1 - word.bbox.x0) * k;
    const scale = natural > 0 ? (100 * boxWidth) / natural : 100;
    const x = word.bbox.x0 * k;
    const y = pageHeight - baselineAt(word, line) * k;
    operators.push(
      ops.setFont(fontName, round(size)),
      ops.setHorizontalScale(round(scale)),
      ops.setTextMatrix(1, 0, 0, 1, round(x), round(y)),
      ops.showText(gids(font, text)),
    );
  }
  operators.push(ops.endText());
  page.drawOperators(operators);
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Characters the font has no glyph for would extract as garbage: drop them. */
function encodable(font: EmbeddedFont, text: string): string {
  if (font.canEncode(text)) return text;
  return [...text].filter((c) => font.canEncode(c)).join("");
}

function gids(font: EmbeddedFont, text: string): PdfString {
  const ids = font.encodeTextToGids(text);
  const bytes = new Uint8Array(ids.length * 2);
  ids.forEach((id, i) => {
    bytes[i * 2] = (id >> 8) & 0xff;
    bytes[i * 2 + 1] = id & 0xff;
  });
  return PdfString.fromBytes(bytes);
}

/** The printed line's height (ascenders to descenders) is about 1.2 em for a serif face. */
function fontSizeFor(word: OcrWord, line: OcrLine | undefined): number {
  const box = line?.bbox ?? word.bbox;
  return (box.y1 - box.y0) / 1.2;
}

/** tesseract's baseline is two points relative to the line box; fall back to the word box bottom. */
function baselineAt(word: OcrWord, line: OcrLine | undefined): number {
  const b = line?.baseline;
  if (!b || b.x1 === b.x0) return word.bbox.y1;
  const y = b.y0 + ((b.y1 - b.y0) * (word.bbox.x0 - b.x0)) / (b.x1 - b.x0);
  return Number.isFinite(y) && y > word.bbox.y0 ? y : word.bbox.y1;
}
