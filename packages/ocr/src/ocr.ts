import { type Box, createOcrEngine, type OcrEngine, type OcrLine, type OcrWord } from "./engine.ts";
import { OcrError } from "./errors.ts";
import { ocrImage, openScan, type RasterPage } from "./raster.ts";

export type OcrStage = "rasterise" | "recognise" | "page" | "done";

/**
 * Progress of one document. `fraction` (0–1) never decreases and the last report is
 * `{ stage: "done", fraction: 1 }`. Stages:
 * - `rasterise`: page `page` has been turned into pixels;
 * - `recognise`: tesseract is part-way through page `page` (two pages may be in flight);
 * - `page`: page `page` is finished; these arrive in page order, one per page.
 */
export interface OcrProgress {
  page: number;
  pages: number;
  fraction: number;
  stage: OcrStage;
}

export interface OcrOptions {
  onProgress?: (progress: OcrProgress) => void;
  signal?: AbortSignal;
  /** Resolution PDF pages are rendered at, and assumed for images that do not record one. Default 300. */
  dpi?: number;
  /** A long-lived engine (the OCR service passes its own); otherwise one is started and closed for this call. */
  engine?: OcrEngine;
  /** Default 100 MiB. */
  maxBytes?: number;
  /** Default 500. */
  maxPages?: number;
  /** Default 64 million (A3 at 400 dpi). */
  maxPagePixels?: number;
  /** Per page; default 180 s. */
  pageTimeoutMs?: number;
}

export interface OcrPage {
  /** 1-based. */
  number: number;
  /** Pixel size of the page image the boxes refer to. */
  width: number;
  height: number;
  dpi: number;
  text: string;
  /** tesseract's page confidence, 0–100. */
  confidence: number;
  words: OcrWord[];
  lines: OcrLine[];
}

export interface OcrResult {
  pages: OcrPage[];
  /** All pages' text, NFC, pages separated by a blank line. */
  text: string;
  /** Mean word confidence (0–100) over the document; 0 when no word was found. */
  meanConfidence: number;
}

export const DEFAULT_DPI = 300;
const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const DEFAULT_MAX_PAGES = 500;
const DEFAULT_MAX_PAGE_PIXELS = 64_000_000;
/** Share of a page's progress spent rasterising (the rest is recognition). */
const RASTER_SHARE = 0.1;

export function checkOptions(
  input: Uint8Array,
  options: OcrOptions,
): Required<Pick<OcrOptions, "dpi" | "maxPages" | "maxPagePixels">> {
  const {
    dpi = DEFAULT_DPI,
    maxBytes = DEFAULT_MAX_BYTES,
    maxPages = DEFAULT_MAX_PAGES,
    maxPagePixels = DEFAULT_MAX_PAGE_PIXELS,
  } = options;
  if (!Number.isFinite(dpi) || dpi < 72 || dpi > 1200) {
    throw new OcrError("OCR_OPTIONS_INVALID", { detail: "dpi must be between 72 and 1200" });
  }
  if (input.byteLength === 0) throw new OcrError("OCR_INPUT_EMPTY");
  if (input.byteLength > maxBytes)
    throw new OcrError("OCR_INPUT_TOO_LARGE", { size: input.byteLength, max: maxBytes });
  return { dpi, maxPages, maxPagePixels };
}

/**
 * Recognises the Vietnamese text of a scan (PDF, PNG, JPEG or TIFF), page by page, fully
 * offline. Pages are rasterised on the calling thread (PDFium WASM, sharp) while earlier
 * pages are recognised in worker threads, so at most `engine.size + 1` page images are held.
 */
export async function ocrDocument(input: Uint8Array, options: OcrOptions = {}): Promise<OcrResult> {
  const limits = checkOptions(input, options);
  const { onProgress, signal, pageTimeoutMs } = options;
  if (signal?.aborted) throw new OcrError("OCR_ABORTED");
  const scan = await openScan(input, limits);
  const pages = scan.pageCount;
  const engine = options.engine ?? createOcrEngine({ workers: Math.min(2, pages) });
  // One failed page stops the others: an internal controller joined with the caller's signal.
  const failed = new AbortController();
  const stop = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;

  const rasterised = new Array<number>(pages).fill(0);
  const recognised = new Array<number>(pages).fill(0);
  const results = new Array<OcrPage | undefined>(pages);
  let reported = 0;
  let nextToReport = 0;
  const report = (stage: OcrStage, page: number) => {
    let total = 0;
    for (let i = 0; i < pages; i++)
      total += RASTER_SHARE * rasterised[i]! + (1 - RASTER_SHARE) * recognised[i]!;
    const fraction = Math.min(1, Math.max(reported, total / pages));
    // Intra-page reports only when the bar moves visibly; milestones always.
    if (stage === "recognise" && fraction - reported < 0.01) return;
    reported = fraction;
    onProgress?.({ page, pages, fraction: stage === "done" ? 1 : fraction, stage });
  };
  const reportFinishedPages = () => {
    while (nextToReport < pages && results[nextToReport]) report("page", ++nextToReport);
  };

  const inFlight = new Set<Promise<void>>();
  let firstError: unknown;
  try {
    for (let index = 0; index < pages; index++) {
      while (inFlight.size > engine.size) await Promise.race(inFlight);
      if (stop.aborted) break;
      const raster: RasterPage = await scan.render(index);
      const image = await ocrImage(raster);
      rasterised[index] = 1;
      report("rasterise", index + 1);
      const job = engine
        .recognise(image, {
          signal: stop,
          page: index + 1,
          ...(pageTimeoutMs ? { timeoutMs: pageTimeoutMs } : {}),
          onProgress: (fraction) => {
            recognised[index] = Math.max(recognised[index]!, Math.min(fraction, 0.99));
            report("recognise", index + 1);
          },
        })
        .then((page) => {
          recognised[index] = 1;
          results[index] = {
            number: index + 1,
            width: raster.width,
            height: raster.height,
            dpi: raster.dpi,
            ...page,
          };
          reportFinishedPages();
        })
        .catch((error: unknown) => {
          firstError ??= error;
          failed.abort();
        })
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    }
    await Promise.all(inFlight);
  } catch (error) {
    firstError ??= error;
    failed.abort();
    await Promise.allSettled(inFlight);
  } finally {
    scan.close();
    if (!options.engine) await engine.close();
  }
  if (signal?.aborted) throw new OcrError("OCR_ABORTED");
  if (firstError) throw firstError;
  const done = results as OcrPage[];
  report("done", pages);
  return {
    pages: done,
    text: done.map((p) => p.text.trim()).join("\n\n"),
    meanConfidence: meanConfidence(done),
  };
}

function meanConfidence(pages: readonly OcrPage[]): number {
  let sum = 0;
  let count = 0;
  for (const page of pages) {
    for (const word of page.words) {
      sum += word.confidence;
      count++;
    }
  }
  return count ? sum / count : 0;
}

export type { Box, OcrLine, OcrWord };
