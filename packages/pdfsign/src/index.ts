export {
  type AppearanceSpec,
  DEFAULT_SEAL_MM,
  findPersonalSignatureRect,
  type Rect,
  sealRectFor,
} from "./appearance.ts";
export { addDss, type DssContents, type RevocationData, readDss } from "./dss.ts";
export { PDF_ERRORS, type PdfErrorCode, PdfSignError } from "./errors.ts";
export { formatReport, type Lang } from "./report.ts";
export { makeSampleDocument, type SampleDocumentOptions } from "./sample-document.ts";
export { type PadesLevel, pdfDate, type SignPdfOptions, type SignPdfResult, signPdf } from "./sign.ts";
export { HttpTimestampAuthority, type HttpTsaOptions, type TimestampAuthority } from "./tsa.ts";
export {
  classifySigner,
  type Reason,
  type SignatureReport,
  type SignerKind,
  type ValidationReport,
  type Verdict,
  type VerifyPdfOptions,
  verifyPdf,
} from "./verify.ts";
