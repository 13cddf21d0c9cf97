/**
 * The ports services depend on. Adapters live in `src/adapters/`; tests may pass their own.
 */
import type { Signer, TrustCallback } from "@truc/common";
import type { BlobStore, Database } from "@truc/store";
import type { NodeConfig } from "../config.ts";
import type { StatusCode } from "../domain/status.ts";
import type { AxisDatabase } from "../repositories/schema.ts";

/** What the axis needs to know about a package; produced by the edXML adapter. */
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
  /** Status Timestamp as written by the reporter. */
  statusTime?: string;
  subject?: string;
  notation?: string;
  /** True when the package carries an XML-DSig Signature element. */
  signed: boolean;
  attachments: { name: string; sha256: string; size: number }[];
}

export type SignatureVerdict =
  | { verdict: "valid" }
  | { verdict: "absent" }
  | { verdict: "invalid"; reason: string };

export interface PackageCodec {
  /** Streams attachments into `blobs`; throws AxisError AXIS_PACKAGE_INVALID with the edXML code. */
  parse(raw: Buffer, blobs: BlobStore): Promise<ParsedPackage>;
  verifySignature(raw: Buffer, trust: TrustCallback, at: Date): Promise<SignatureVerdict>;
  /** Appends this hop's TraceHeader (OrganId + Vietnam-time timestamp); never touches MessageHeader. */
  appendTrace(raw: Buffer, organId: string, at: Date): Buffer | Promise<Buffer>;
  /** Replaces the package signature with one by `signer`. */
  sign(raw: Buffer, signer: Signer): Promise<Buffer>;
}

export interface Clock {
  now(): Date;
}

export interface NodeContext {
  config: NodeConfig;
  db: Database<AxisDatabase>;
  blobs: BlobStore;
  codec: PackageCodec;
  clock: Clock;
  /** Node key, when configured: re-signs forwarded packages and seals the evidence log. */
  signer?: Signer;
  trust?: TrustCallback;
  newId(): string;
  /** Called after a commit that created outbox rows, so the federation worker wakes up. */
  onOutbox?(): void;
}

/** Who is calling, after authentication at the HTTP edge. */
export type Caller =
  | { type: "agency"; id: string; agencyCodes: readonly string[] }
  | { type: "node"; nodeId: string }
  | { type: "operator"; id: string };
