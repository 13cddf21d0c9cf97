/**
 * Types of the office API (`packages/office`, see its README) and the hooks the office screens
 * use. Every read is a react-query query under the "office" key, so an action invalidates them
 * all at once.
 */
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";

export type Role = "van_thu" | "lanh_dao" | "chuyen_vien" | "quan_tri";
export type Urgency = "thuong" | "khan" | "thuong_khan" | "hoa_toc";

export interface SessionView {
  user: {
    id: string;
    username: string;
    fullName: string;
    position: string;
    roles: Role[];
    totpEnabled: boolean;
  };
  agency: { id: string; code: string; name: string };
  csrfToken: string;
  expiresAt: string;
}

export interface OutgoingDoc {
  id: string;
  state: string;
  typeCode: string;
  typeName: string;
  subject: string;
  content: string | null;
  notation: string;
  number: number | null;
  code: string | null;
  documentId: string | null;
  promulgationDate: string | null;
  urgency: Urgency;
  dueDate: string | null;
  pageCount: number | null;
  places: string[];
  recipients: { organId: string; organName: string }[];
  signer: {
    userId: string | null;
    competence: string | null;
    position: string | null;
    fullName: string | null;
  };
  signedAt: string | null;
  sealedAt: string | null;
  issuedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  replaces: string[];
  fileVersion: number;
  reviewRound: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface OutgoingDetail {
  document: OutgoingDoc;
  versions: {
    version: number;
    kind: string;
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
    note: string | null;
    createdBy: string;
    createdAt: string;
  }[];
  reviews: {
    round: number;
    reviewerId: string;
    decision: string;
    comment: string | null;
    decidedAt: string | null;
  }[];
  recipients: {
    organId: string;
    organName: string;
    state: string;
    updatedAt: string;
    timeline: { code: string; description: string; direction: string; at: string; recordedAt: string }[];
  }[];
}

export interface SignatureEntry {
  /** Common name of the signing certificate (person or body). */
  signer: string;
  status: "valid" | "invalid" | "indeterminate";
  /** Stable code of the first problem (PDF_*, PKI_*). */
  reason?: string;
  signedAt?: string;
  timestamped?: boolean;
  kind?: "personal" | "organisation";
  organisation?: string;
  certificate?: { status: string; reason?: string; issuer?: string; notAfter?: string };
}

export interface IncomingDoc {
  id: string;
  state: string;
  documentId: string;
  businessType: number;
  from: { organId: string; name: string };
  code: string;
  promulgationDate: string;
  typeName: string;
  subject: string;
  signer: { competence: string | null; position: string | null; fullName: string | null };
  urgency: Urgency;
  dueDate: string | null;
  places: string[];
  attachments: { index: number; name: string; contentType: string; size: number; available: boolean }[];
  validation: {
    package: string;
    signatures: {
      attachment: string;
      status: "valid" | "invalid" | "indeterminate" | "unsigned";
      signatures: SignatureEntry[];
    }[];
  };
  duplicateFlags: string[];
  arrivalYear: number | null;
  arrivalNumber: number | null;
  receivedAt: string;
  registeredAt: string | null;
  rejectedReason: string | null;
  assignment: {
    unitId: string | null;
    userId: string | null;
    at: string | null;
    deadline: string | null;
    instructions: string | null;
  };
  completedAt: string | null;
  resultNote: string | null;
  replyOutgoingId: string | null;
  pendingRequest: {
    kind: "take-back" | "update";
    reason: string;
    receivedAt: string;
    changes?: Record<string, unknown>;
  } | null;
  replacedBy: string | null;
  replaces: string[];
  revokedAt: string | null;
  revokeReason: string | null;
  updatedAt: string;
}

export interface SearchHit {
  direction: "incoming" | "outgoing";
  id: string;
  code: string | null;
  typeName: string;
  subject: string;
  issuer: string;
  date: string | null;
  state: string;
  urgency: Urgency;
  exactMatch: boolean;
}

export interface Reference {
  documentTypes: { code: string; name: string; abbreviation: string; legalNormative: boolean }[];
  urgencies: Urgency[];
  outgoingStates: string[];
  incomingStates: string[];
  competencePrefixes: string[];
}

export interface People {
  units: { id: string; name: string; abbreviation: string }[];
  users: {
    id: string;
    username: string;
    fullName: string;
    position: string;
    unitId: string | null;
    roles: Role[];
    isHead: boolean;
  }[];
}

export interface Organization {
  organId: string;
  organName: string;
  organizationInCharge?: string;
}

export interface Register {
  columns: string[];
  rows: string[][];
}

/** The signed-in user (GET /api/session), keeping the CSRF token it returns. */
export function useSession() {
  return useQuery({
    queryKey: ["office", "session"],
    queryFn: async () => {
      const session = await api<SessionView>("GET", "/api/session");
      setCsrfToken(session.csrfToken);
      return session;
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useOffice<T>(path: string | null) {
  return useQuery({
    queryKey: ["office", path],
    queryFn: () => api<T>("GET", path as string),
    enabled: path !== null,
  });
}

/** A state-changing call: notifies success or the server's message, then refreshes every office query. */
export function useOfficeAction<V>(run: (vars: V) => Promise<unknown>) {
  const { t, lang } = useI18n();
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      notifications.show({ color: "green", message: t("office.done") });
      await client.invalidateQueries({ queryKey: ["office"] });
    },
    onError: (error) => {
      notifications.show({
        color: "red",
        title: t("office.failed"),
        message: error instanceof ApiError ? error.messages[lang] : t("error.network"),
      });
    },
  });
}

export const post = <T = unknown>(path: string, body: unknown = {}) => api<T>("POST", path, body);

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : "";
}

/** A paper scan and its OCR (GET /api/scans/:id). */
export interface ScanView {
  id: string;
  state: "queued" | "running" | "done" | "failed" | "registered";
  fileName: string;
  contentType: string;
  progress: {
    stage: "rasterise" | "recognise" | "page" | "done";
    page: number;
    pages: number;
    fraction: number;
  } | null;
  pages: number | null;
  /** Mean word confidence of tesseract, 0–100. */
  confidence: number | null;
  text: string | null;
  errorCode: string | null;
  incomingId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Phụ lục VI metadata of a case file (field names of the appendix). */
export interface CaseFileMetadata {
  FileCode: { OrganId: string; FileCatalog: number; FileNotation: string; Text: string };
  Title: string;
  Maintenance: string;
  Rights: string;
  Creator: string;
  Language: string;
  StartDate: string | null;
  EndDate: string | null;
  DocTotal: number;
  PageTotal: number;
  Description: string;
}

export interface CaseFile {
  id: string;
  state: "open" | "closed";
  year: number;
  fileNotation: string;
  retentionYears: number | null;
  closedAt: string | null;
  retentionExpiresOn: string | null;
  createdBy: string;
  createdAt: string;
  metadata: CaseFileMetadata;
}

export interface CaseFileDetail extends CaseFile {
  documents: {
    docOrdinal: number;
    direction: "incoming" | "outgoing";
    id: string;
    date: string | null;
    pageCount: number | null;
    code: string | null;
    typeName: string | null;
    subject: string | null;
    issuer: string | null;
  }[];
}

/** One audit row of a document (GET /api/{incoming|outgoing}/:id/history), oldest first. */
export interface HistoryEntry {
  id: number;
  userId: string | null;
  userName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: Record<string, unknown> | null;
  at: string;
}

/** The current file of an outgoing document checked now (GET /api/outgoing/:id/validation). */
export interface OutgoingValidation {
  outgoingId: string;
  state: string;
  version: number;
  fileName: string;
  sha256: string;
  checkedAt: string;
  report: {
    status: "valid" | "invalid" | "indeterminate" | "unsigned";
    signatures: SignatureEntry[];
    sha256?: string;
  };
}
