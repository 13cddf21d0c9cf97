/**
 * What the office needs from the rest of the system, as interfaces. Real implementations:
 * `AxisGateway` ← @truc/client `SdkvxpClient`; `PackageCodec` ← @truc/edxml builder/parser;
 * `DocumentSigner` and `SignatureValidator` ← @truc/pdfsign. Tests may pass in-memory ones.
 */

/** Organisation block of edXML (`From`, `To`, status `From`). */
export interface Organization {
  organId: string;
  organName: string;
  organizationInCharge?: string;
}

export interface SignerInfo {
  /** "KT. GIÁM ĐỐC", or "" when the head signs in their own name. */
  competence: string;
  position: string;
  fullName: string;
}

/** BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace (spec §2.3). */
export type BusinessDocType = 0 | 1 | 2 | 3;

export interface EdocHeader {
  from: Organization;
  to: Organization[];
  documentId: string;
  codeNumber: string;
  codeNotation: string;
  place: string;
  /** yyyy/MM/dd */
  promulgationDate: string;
  typeCode: number;
  typeName: string;
  subject: string;
  content?: string;
  signer: SignerInfo;
  /** yyyy/MM/dd */
  dueDate?: string;
  priority: number;
  pageAmount?: number;
  promulgationAmount?: number;
  appendixes: string[];
  toPlaces: string[];
  business: {
    type: BusinessDocType;
    /** Target document for revoke/update. */
    documentId?: string;
    reason?: string;
    /** Replace: which earlier documents this one replaces. */
    replaces?: { documentId: string; organIds: string[] }[];
    staff?: { department?: string; staff?: string };
  };
}

export interface PackageAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
  description?: string;
}

export interface StatusMessage {
  from: Organization;
  responseFor: { organId: string; code: string; promulgationDate: string; documentId: string };
  statusCode: string;
  description: string;
  timestamp: Date;
  staff?: { department?: string; staff?: string };
}

export type ParsedPackage =
  | { kind: "edoc"; header: EdocHeader; attachments: PackageAttachment[] }
  | { kind: "status"; status: StatusMessage };

export interface PackageCodec {
  buildDocument(input: { header: EdocHeader; attachments: PackageAttachment[]; at: Date }): Promise<Buffer>;
  buildStatus(status: StatusMessage): Promise<Buffer>;
  /** Parses and validates; throws with a stable code when the package is not acceptable. */
  parse(bytes: Buffer): Promise<ParsedPackage>;
}

export type MessageKind = "edoc" | "status";

export interface AxisMessage {
  /** The axis's id of this delivery (used to acknowledge it). */
  id: string;
  bytes: Buffer;
}

/** The connection of one office deployment to its axis node, for any of its agencies. */
export interface AxisGateway {
  send(input: {
    agencyCode: string;
    kind: MessageKind;
    to: string[];
    bytes: Buffer;
  }): Promise<{ id: string }>;
  /** Messages waiting for this agency (already downloaded). */
  receive(input: { agencyCode: string; kind: MessageKind }): Promise<AxisMessage[]>;
  /** Transport acknowledgement (spec §3.3 layer 1): done = consumed, fail = not consumable. */
  acknowledge(input: {
    agencyCode: string;
    kind: MessageKind;
    id: string;
    outcome: "done" | "fail";
  }): Promise<void>;
  /** The axis agency directory, for choosing recipients. */
  directory(input: { agencyCode: string }): Promise<Organization[]>;
}

/** Visible appearance of the leader's personal signature (NĐ 30 Phụ lục I box 7c). */
export interface PersonalSignatureRequest {
  pdf: Buffer;
  agencyCode: string;
  signerUserId: string;
  /** The user's login name: key stores are configured per agency and user name. */
  signerUsername: string;
  signer: SignerInfo;
  at: Date;
}

/** The organisation's seal signature (box 8), applied by the clerk after numbering. */
export interface OrganisationSignatureRequest {
  pdf: Buffer;
  agencyCode: string;
  organName: string;
  /** "05/QĐ-UBND", shown with the signing time. */
  code: string;
  at: Date;
}

/** An attachment (appendix in its own file, a copy) signed by the organisation without an image. */
export interface AttachmentSignatureRequest {
  pdf: Buffer;
  agencyCode: string;
  /** Number and notation of the main document, shown with the signing time. */
  code: string;
  at: Date;
}

export interface DocumentSigner {
  signPersonal(request: PersonalSignatureRequest): Promise<Buffer>;
  signOrganisation(request: OrganisationSignatureRequest): Promise<Buffer>;
  signAttachment?(request: AttachmentSignatureRequest): Promise<Buffer>;
}

export interface SignatureReportEntry {
  /** Common name of the signing certificate (person or body). */
  signer: string;
  status: "valid" | "invalid" | "indeterminate";
  /** Stable code of the first problem (PDF_*, PKI_*), if any. */
  reason?: string;
  /** Time-stamped time when there is one, else the claimed signing time (ISO 8601). */
  signedAt?: string;
  timestamped?: boolean;
  kind?: "personal" | "organisation";
  /** O= of the certificate. */
  organisation?: string;
  certificate?: {
    status: "valid" | "invalid" | "indeterminate";
    reason?: string;
    issuer?: string;
    serialNumber?: string;
    notAfter?: string;
  };
  /** SHA-256 of the revision this signature signed (the file as it was when signed). */
  revisionSha256?: string;
  /** The signed bytes are exactly what was signed (digest and signature value check out). */
  intact?: boolean;
  /** Changes after this signature that are not allowed (content edited after signing). */
  modifiedAfter?: boolean;
}

export interface SignatureReport {
  status: "valid" | "invalid" | "indeterminate" | "unsigned";
  signatures: SignatureReportEntry[];
  /** SHA-256 of the whole file. */
  sha256?: string;
  /** The validator's full report (kept with the document as evidence). */
  details?: unknown;
}

export interface SignatureValidator {
  validate(pdf: Buffer, at: Date): Promise<SignatureReport>;
}

/** DOCX → PDF conversion (LibreOffice when installed). */
export interface DocumentConverter {
  available(): Promise<boolean>;
  toPdf(input: { bytes: Buffer; fileName: string }): Promise<Buffer>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
