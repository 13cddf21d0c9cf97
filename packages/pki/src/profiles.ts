import type { KeyAlgorithm } from "./keys.ts";
import { OID, POLICY } from "./oids.ts";

export type KeyUsageName =
  | "digitalSignature"
  | "nonRepudiation"
  | "keyEncipherment"
  | "dataEncipherment"
  | "keyAgreement"
  | "keyCertSign"
  | "cRLSign";

/** What a certificate is, as a verifier can read it back (see `classifyCertificate`). */
export type CertificateKind =
  | "root-ca"
  | "issuing-ca"
  | "organisation"
  | "personal"
  | "node"
  | "ocsp"
  | "tsa";

/** Certificate profiles are data: the CA code only interprets these fields. */
export interface CertificateProfile {
  readonly id: string;
  readonly kind: CertificateKind;
  readonly description: { readonly vi: string; readonly en: string };
  /** Issued by the root (CAs) or by the issuing CA (everything else). */
  readonly issuer: "self" | "root" | "issuing";
  readonly ca?: { readonly pathLength?: number };
  readonly keyUsage: readonly KeyUsageName[];
  readonly extendedKeyUsage?: readonly string[];
  readonly extendedKeyUsageCritical?: boolean;
  readonly validityDays: number;
  /** First entry is the default. */
  readonly algorithms: readonly KeyAlgorithm[];
  readonly policies: readonly string[];
  /** Whether certificateHold (suspend/reinstate) is allowed. */
  readonly allowHold: boolean;
  /** id-pkix-ocsp-nocheck, for the OCSP responder itself. */
  readonly ocspNoCheck?: boolean;
  /** SAN content: email from subject E, DNS/IP names given at issue, or nothing. */
  readonly subjectAltName: "email" | "dns-ip" | "none";
  /** Whether CRLDP/AIA pointers are written (not on the root, not on the OCSP responder). */
  readonly revocationPointers: boolean;
}

const SIGNING_ALGORITHMS: readonly KeyAlgorithm[] = ["RSA-2048", "RSA-3072", "ECDSA-P256"];

export const PROFILES = {
  "root-ca": {
    id: "root-ca",
    kind: "root-ca",
    description: { vi: "Test Root CA chuyên dùng Chính phủ", en: "Test government root CA" },
    issuer: "self",
    ca: {},
    keyUsage: ["keyCertSign", "cRLSign"],
    validityDays: 20 * 365,
    algorithms: ["RSA-3072", "RSA-2048", "ECDSA-P256"],
    policies: [],
    allowHold: false,
    subjectAltName: "none",
    revocationPointers: false,
  },
  "issuing-ca": {
    id: "issuing-ca",
    kind: "issuing-ca",
    description: { vi: "Test CA phục vụ các cơ quan Nhà nước", en: "Test CA for state agencies" },
    issuer: "root",
    ca: { pathLength: 0 },
    keyUsage: ["keyCertSign", "cRLSign", "digitalSignature"],
    validityDays: 10 * 365,
    algorithms: ["RSA-3072", "RSA-2048", "ECDSA-P256"],
    policies: [POLICY.any],
    allowHold: false,
    subjectAltName: "none",
    revocationPointers: true,
  },
  "organisation-outgoing": {
    id: "organisation-outgoing",
    kind: "organisation",
    description: {
      vi: "Chứng thư số của cơ quan, tổ chức — ký văn bản đi",
      en: "Organisation certificate — signing outgoing documents",
    },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "nonRepudiation"],
    validityDays: 5 * 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.organisation, POLICY.organisationOutgoing],
    allowHold: true,
    subjectAltName: "email",
    revocationPointers: true,
  },
  "organisation-incoming": {
    id: "organisation-incoming",
    kind: "organisation",
    description: {
      vi: "Chứng thư số của cơ quan, tổ chức — văn bản đến (ký xác nhận, giải mã)",
      en: "Organisation certificate — incoming documents (acknowledgement, decryption)",
    },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment"],
    validityDays: 5 * 365,
    algorithms: ["RSA-2048", "RSA-3072"],
    policies: [POLICY.any, POLICY.organisation, POLICY.organisationIncoming],
    allowHold: true,
    subjectAltName: "email",
    revocationPointers: true,
  },
  "personal-leader": {
    id: "personal-leader",
    kind: "personal",
    description: { vi: "Chứng thư số cá nhân — lãnh đạo", en: "Personal certificate — leader" },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "nonRepudiation"],
    validityDays: 3 * 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.personal, POLICY.personalLeader],
    allowHold: true,
    subjectAltName: "email",
    revocationPointers: true,
  },
  "personal-clerk": {
    id: "personal-clerk",
    kind: "personal",
    description: { vi: "Chứng thư số cá nhân — văn thư, chuyên viên", en: "Personal certificate — clerk" },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "nonRepudiation", "keyEncipherment"],
    validityDays: 3 * 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.personal, POLICY.personalClerk],
    allowHold: true,
    subjectAltName: "email",
    revocationPointers: true,
  },
  node: {
    id: "node",
    kind: "node",
    description: {
      vi: "Chứng thư số máy chủ trục liên thông (mTLS)",
      en: "Interconnection node certificate (mTLS)",
    },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "keyEncipherment"],
    extendedKeyUsage: [OID.serverAuth, OID.clientAuth],
    validityDays: 2 * 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.node],
    allowHold: false,
    subjectAltName: "dns-ip",
    revocationPointers: true,
  },
  "ocsp-responder": {
    id: "ocsp-responder",
    kind: "ocsp",
    description: { vi: "Chứng thư số máy chủ OCSP", en: "OCSP responder certificate" },
    issuer: "issuing",
    keyUsage: ["digitalSignature"],
    extendedKeyUsage: [OID.ocspSigning],
    validityDays: 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.ocspResponder],
    allowHold: false,
    ocspNoCheck: true,
    subjectAltName: "none",
    revocationPointers: false,
  },
  tsa: {
    id: "tsa",
    kind: "tsa",
    description: { vi: "Chứng thư số máy chủ cấp dấu thời gian", en: "Time-stamping authority certificate" },
    issuer: "issuing",
    keyUsage: ["digitalSignature", "nonRepudiation"],
    extendedKeyUsage: [OID.timeStamping],
    extendedKeyUsageCritical: true,
    validityDays: 5 * 365,
    algorithms: SIGNING_ALGORITHMS,
    policies: [POLICY.any, POLICY.timeStamping],
    allowHold: false,
    subjectAltName: "none",
    revocationPointers: true,
  },
} as const satisfies Record<string, CertificateProfile>;

export type ProfileId = keyof typeof PROFILES;
export const END_ENTITY_PROFILES = Object.values(PROFILES)
  .filter((p) => p.issuer === "issuing")
  .map((p) => p.id as ProfileId);

/** Reads the certificate kind back from its policy OIDs (truc test hierarchy only). */
export function kindFromPolicies(policies: readonly string[]): CertificateKind | undefined {
  if (policies.includes(POLICY.personal)) return "personal";
  if (policies.includes(POLICY.organisation)) return "organisation";
  if (policies.includes(POLICY.node)) return "node";
  if (policies.includes(POLICY.ocspResponder)) return "ocsp";
  if (policies.includes(POLICY.timeStamping)) return "tsa";
  return undefined;
}
