/** The conformance report: what was run, what happened, and what the standard expects. */

export type Outcome = "pass" | "fail" | "not-supported";

export interface Text {
  vi: string;
  en: string;
}

export interface PackageEvidence {
  /** Who handled it: the runner (sending agency) or the peer agency. */
  party: "runner" | "peer";
  action: "sent" | "received" | "refused";
  kind: "edoc" | "status" | "raw";
  /** What it was meant to test, e.g. "revoke", "status 13". */
  label?: string;
  documentId?: string;
  businessType?: number;
  statusCode?: string;
  description?: string;
  /** Package id on the axis. */
  docId?: string;
  sha256: string;
  size: number;
  at: string;
  attachments?: { name: string; sha256: string; size: number }[];
}

export interface ServerAnswer {
  party: "runner" | "peer";
  operation: string;
  ok: boolean;
  docId?: string;
  duplicate?: boolean;
  /** The envelope's ErrorCode/ErrorDesc, or the client's own code when there was no envelope. */
  errorCode?: string;
  errorDesc?: string;
  httpStatus?: number;
  at: string;
}

export interface ScenarioResult {
  id: string;
  title: Text;
  /** What the standard expects, one sentence each. */
  expectation: Text;
  reference: string;
  outcome: Outcome;
  /** Why it failed or is not supported, or a note on a pass. */
  reason?: Text;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  packages: PackageEvidence[];
  answers: ServerAnswer[];
}

export const STATUS_FEEDBACK_CODES = ["01", "02", "03", "04", "05", "06"] as const;

export interface ConformanceReport {
  format: "truc-conformance-report/1";
  runId: string;
  startedAt: string;
  finishedAt: string;
  endpoint: string;
  runner: { systemId: string; agency: string };
  peer: { agency: string; mode: "simulated" | "external"; systemId?: string };
  settings: {
    signaturePolicy: "require" | "verify-if-present" | "off";
    oversizeBytes: number;
    unknownAgency: string;
    timeoutMs: number;
  };
  summary: {
    total: number;
    passed: number;
    failed: number;
    notSupported: number;
    /** Status feedbacks 01–06 seen working end to end (the measure connections are judged by). */
    statusFeedbacks: { received: string[]; missing: string[]; count: number; of: 6 };
    line: Text;
  };
  scenarios: ScenarioResult[];
  /** The runner certificate that signs the report (detached CMS over report.json). */
  signer?: { subject: string; issuer: string; serial: string; fingerprint256: string };
  /** SHA-256 of the Markdown and HTML renderings, so the one signature covers all three. */
  renderings?: { markdown: string; html: string };
}
