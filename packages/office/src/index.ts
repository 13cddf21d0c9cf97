export {
  ARCHIVE_FORMAT,
  type ArchiveCheck,
  type ArchiveManifest,
  MANIFEST,
  verifyArchive,
} from "./adapters/archive-zip.ts";
export { edxmlCodec } from "./adapters/edxml-codec.ts";
export * from "./adapters/keyring.ts";
export * from "./adapters/libreoffice.ts";
export * from "./adapters/pdf-signer.ts";
export * from "./adapters/pdf-validator.ts";
export { qrModules, stampPrintedCopy } from "./adapters/print-stamp.ts";
export * from "./adapters/sdkvxp-gateway.ts";
export * from "./domain/access.ts";
export * from "./domain/case-files.ts";
export * from "./domain/deadlines.ts";
export * from "./domain/document-types.ts";
export * from "./domain/incoming.ts";
export * from "./domain/numbering.ts";
export * from "./domain/outgoing.ts";
export * from "./errors.ts";
export { buildOfficeApp, type HttpOptions, SESSION_COOKIE } from "./http/app.ts";
export { HTTP_STATUS, toHttpError } from "./http/errors.ts";
export * from "./ports.ts";
export { OFFICE_MIGRATIONS } from "./repositories/migrations.ts";
export type { Actor, OfficeDeps } from "./services/context.ts";
export { newPrintCode, printCopy, verificationUrl } from "./services/print-copy.ts";
export { type ProvisionAgencyInput, provisionAgency } from "./services/provision-agency.ts";
export {
  normalisePrintCode,
  type PublicVerification,
  verifyPrintCode,
  verifyPublic,
} from "./services/verify-public.ts";
export { type OfficeConfig, type RunningOffice, startOffice } from "./start.ts";
