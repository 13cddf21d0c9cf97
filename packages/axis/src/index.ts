export { readAnchorFile } from "./adapters/anchor-file.ts";
export { createPemSigner } from "./adapters/pem-signer.ts";
export { createNodeTrust } from "./adapters/pki-trust.ts";
export { loadNodeConfig, type NodeConfig, type NodeConfigInput, parseNodeConfig } from "./config.ts";
export { agencyCodeForm, isAgencyCode, levelOfCode, normaliseAgencyCode } from "./domain/agency.ts";
export {
  type AnchorSource,
  type EvidenceAnchor,
  formatAnchor,
  parseAnchor,
  parseAnchorLine,
} from "./domain/evidence-anchor.ts";
export { packageIdentityKey } from "./domain/package-identity.ts";
export { routeStatus, STATUS_CODES, type StatusCode } from "./domain/status.ts";
export { AXIS_ERRORS, AxisError, type AxisErrorCode } from "./errors.ts";
export { createOperator, hashPassword, verifyPassword } from "./http/admin/auth.ts";
export {
  DEFAULT_LEGACY_MAX_AGE_MS,
  DEFAULT_MAX_SKEW_MS,
  formatUtcOffset,
  freshnessRule,
  parseSdkvxpTimestamp,
  parseUtcOffset,
  SDK_COMPATIBILITY_MODES,
  SDKVXP_CALL_KINDS,
  type SdkCompatibility,
  type SdkvxpCallKind,
  type SdkvxpOperation,
  VIETNAM_UTC_OFFSET_MINUTES,
} from "./http/sdkvxp/auth.ts";
export { type RunningNode, type StartNodeOptions, startNode } from "./node.ts";
export { ADMIN_MIGRATIONS, type AdminDb, type AdminTables } from "./repositories/admin-repository.ts";
export { AXIS_MIGRATIONS, type AxisDatabase } from "./repositories/schema.ts";
export type { ConnectSystemInput } from "./services/connect-system.ts";
export type { Caller, NodeContext, ParsedPackage } from "./services/ports.ts";
export {
  type AnchorSourceReport,
  type EvidenceReport,
  evidenceReportError,
  type VerifyEvidenceOptions,
  verifyEvidenceLog,
} from "./services/verify-evidence-log.ts";
