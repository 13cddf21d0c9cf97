/**
 * The ports services depend on. Adapters live in `src/adapters/`; tests may pass their own.
 */
import type { Signer, TrustCallback } from "@truc/common";
import type { AppendLog, BlobStore, Database } from "@truc/store";
import type { NodeConfig } from "../config.ts";
import type { AnchorSource, EvidenceAnchor } from "../domain/evidence-anchor.ts";
import type { StatusCode } from "../domain/status.ts";
import type { AxisDatabase } from "../repositories/schema.ts";
import type { PipelinePool } from "../workers/pipeline-pool.ts";

/** What the axis needs to know about a validated package (from @truc/edxml's parser). */
export interface ParsedPackage {
  kind: "edoc" | "status";
  /** From/OrganId. */
  from: string;
  /** To/OrganId for documents; empty for statuses. */
  to: string[];
  /** MessageHeader/DocumentId, or ResponseFor/DocumentId for a status. */
  documentId: string;
  /** BussinessDocType (0 new, 1 revoke, 2 update, 3 replace); "status" for statuses. */
  businessType: string;
  /** Documents an update/revoke/replace concerns (Bussiness/DocumentId, ReplacementInfo/DocumentId). */
  targetDocumentIds: string[];
  statusCode?: StatusCode;
  /** ResponseFor/OrganId of a status. */
  responseForOrganId?: string;
  /** Status Timestamp as written by the reporter (ISO 8601). */
  statusTime?: string;
  /** Times written by the sender (TraceHeader or status Timestamp), to detect clock skew. */
  senderTimes: Date[];
  subject?: string;
  notation?: string;
  attachments: { contentId: string; name: string; contentType: string; sha256: string; size: number }[];
  /** SHA-256 and size of the exact bytes parsed. */
  sha256: string;
  size: number;
}

export interface Clock {
  now(): Date;
}

export interface NodeContext {
  config: NodeConfig;
  db: Database<AxisDatabase>;
  blobs: BlobStore;
  /** The node's append log of package bytes; new ones go there when `storage.bodies` is "log". */
  bodyLog?: AppendLog;
  clock: Clock;
  /** Node key, when configured: re-signs forwarded packages and seals the evidence log. */
  signer?: Signer;
  trust?: TrustCallback;
  /** Trust decisions for mTLS client certificates (purpose "tls-client"); absent: every one is refused. */
  clientTrust?: TrustCallback;
  /**
   * Worker threads for the CPU-bound part of accepting in-memory packages. Absent: the
   * process-wide pool (`sharedPipeline()`); null: everything on the main thread.
   */
  pipeline?: PipelinePool | null;
  /** Append-only file outside the database that keeps a copy of every seal (`adapters/anchor-file.ts`). */
  anchorFile?: AnchorFile;
  newId(): string;
  /** Called after a commit that created outbox rows, so the federation worker wakes up. */
  onOutbox?(): void;
}

/** Where the node's seals are anchored outside the database. */
export interface AnchorFile {
  readonly path: string;
  /** Appends the anchor and fsyncs it, unless it is already the file's last anchor; true when written. */
  record(anchor: EvidenceAnchor): Promise<boolean>;
  /** Every line of the file; `undefined` when there is no file yet. */
  read(): Promise<AnchorSource | undefined>;
}

/** Who is calling, after authentication at the HTTP edge. */
export type Caller =
  | { type: "agency"; id: string; agencyCodes: readonly string[] }
  | { type: "node"; nodeId: string }
  | { type: "operator"; id: string };
