/**
 * Types of the node console API (/admin/api) and of the public statistics (/public/stats),
 * plus the query hooks the screens use. A 401 anywhere sends the operator to the login page.
 */
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../api/http.ts";

export type ReasonKey = string;

export interface Me {
  username: string;
  displayName: string;
  expiresAt: string;
}

export interface Overview {
  node: { nodeId: string; role: "national" | "lgsp"; organId: string; tls: boolean; dialect: string };
  agencies: { total: number; local: number; suspended: number };
  systems: number;
  mailboxPending: number;
  outboxPending: number;
  refusedLast24h: number;
  evidenceRecords: number;
  neighbours: number;
}

export interface Agency {
  code: string;
  code102: string | null;
  name: string;
  parent: string | null;
  level: number;
  node: string;
  state: "active" | "suspended";
  email: string | null;
  phone: string | null;
  local?: boolean;
  modifiedAt: string;
}

export interface AgencyDetail {
  agency: Agency;
  children: Agency[];
  systems: { systemId: string; certFingerprint: string | null; hasSecret: boolean }[];
  backlog: { kind: string; pending: number; oldest: string }[];
}

export interface SystemItem {
  systemId: string;
  agencyCodes: string[];
  certFingerprint: string | null;
  hasSecret: boolean;
  createdAt: string;
}

export interface CertificateItem {
  role: "node" | "ca" | "system" | "neighbour" | "unbound";
  boundTo: string;
  subject: string | null;
  issuer: string | null;
  fingerprint: string | null;
  validTo: string | null;
  daysLeft: number | null;
  lastSeenAt: string | null;
}

export interface Queues {
  mailbox: { agency: string; name: string | null; kind: string; pending: number; oldest: string | null }[];
  outbox: {
    nodeId: string;
    pending: number;
    maxAttempts: number;
    nextAttemptAt: string | null;
    oldest: string | null;
    failing: number;
  }[];
}

export interface Failures {
  refused: {
    seq: number;
    at: string;
    source: string;
    outcome: "refused" | "duplicate";
    caller: string | null;
    sender: string | null;
    documentId: string | null;
    code: string;
    message: { vi: string; en: string };
    diagnostic: { code?: string; vi?: string; en?: string } | null;
    reason: ReasonKey;
  }[];
  outbox: {
    packageId: string;
    nodeId: string;
    attempts: number;
    nextAttemptAt: string;
    lastError: string | null;
    createdAt: string;
    kind: string;
    sender: string;
    documentId: string;
    reason: ReasonKey;
  }[];
  deliveries: {
    packageId: string;
    recipient: string;
    kind: string;
    ackedAt: string | null;
    note: string | null;
    sender: string;
    documentId: string;
    reason: ReasonKey;
  }[];
}

export interface FederationLink {
  nodeId: string;
  relation: "parent" | "child";
  organId: string | null;
  url: string | null;
  fingerprint: string | null;
  lastSent: string | null;
  lastReceived: string | null;
  lastExchange: string | null;
  pending: number;
  failing: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  reason: ReasonKey | null;
  certificateDaysLeft: number | null;
  health: "ok" | "error" | "idle";
}

export interface Federation {
  self: { nodeId: string; role: string; organId: string };
  links: FederationLink[];
}

export interface EvidenceReport {
  ok: boolean;
  records: number;
  seals: number;
  unsealed: number;
  headHash: string;
  problem?: { seq: number; reason: string; source?: string; anchoredSeq?: number; detail?: string };
  /** Seals anchored outside the database that the chain was compared with. */
  anchors?: {
    source: string;
    accepted: number;
    latestSeq: number | null;
    refusedCount: number;
    error?: string;
  }[];
  /** Why the log is not intact (AXIS_EVIDENCE_BROKEN, AXIS_EVIDENCE_TRUNCATED, …). */
  error?: { code: string; message: { vi: string; en: string } };
  checkedAt: string;
  durationMs: number;
}

export interface DashboardAgency {
  code: string;
  name: string;
  level: number | null;
  province: string;
  sent: number;
  received: number;
  signedShare: number | null;
  statuses: Record<string, number>;
  medianMs: Record<string, number | null>;
  returnsAll: boolean;
  pending?: number;
  overdue?: number;
}

export interface Dashboard {
  node: { nodeId: string; role: string; organId: string };
  period: { from: string; to: string };
  /** How close the medians are (they are read from histograms). */
  medianResolution?: { relative: number; belowOneSecondMs: number; note: { vi: string; en: string } };
  generatedAt: string;
  scope: {
    level: "node" | "province" | "agency";
    code?: string;
    name?: string;
    province?: string;
    provinceName?: string;
  };
  totals: {
    sent: number;
    received: number;
    signedValid: number;
    signedShare: number | null;
    agencies: number;
    pending: number;
    overdue: number;
  };
  byMonth: { month: string; sent: number; received: number; signedShare: number | null }[];
  byLevel: { level: number; sent: number; received: number }[];
  byProvince: { code: string; name: string; sent: number; received: number; signedShare: number | null }[];
  agencies: DashboardAgency[];
}

function redirectOn401(error: unknown): never {
  if (error instanceof ApiError && error.status === 401 && !location.pathname.startsWith("/admin/login")) {
    location.assign(`/admin/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  throw error;
}

export function useAdmin<T>(path: string, options: { refetchInterval?: number } = {}) {
  return useQuery<T>({
    queryKey: ["admin", path],
    queryFn: () => api<T>("GET", path).catch(redirectOn401),
    ...options,
  });
}
