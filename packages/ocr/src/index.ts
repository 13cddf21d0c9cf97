export {
  type Box,
  createOcrEngine,
  type OcrEngine,
  type OcrEngineOptions,
  type OcrLine,
  type OcrWord,
  VIE_LANG_PATH,
} from "./engine.ts";
export { OCR_ERRORS, OcrError, type OcrErrorCode } from "./errors.ts";
export {
  DEFAULT_DPI,
  type OcrOptions,
  type OcrPage,
  type OcrProgress,
  type OcrResult,
  type OcrStage,
  ocrDocument,
} from "./ocr.ts";
export { detectKind, type ScanKind } from "./raster.ts";
export { makeSearchablePdf, type SearchablePdfOptions } from "./searchable-pdf.ts";
export {
  createOcrService,
  type OcrJob,
  type OcrJobState,
  type OcrJobStatus,
  type OcrService,
  type OcrServiceOptions,
} from "./service.ts";
