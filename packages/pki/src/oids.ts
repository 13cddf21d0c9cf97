/**
 * Object identifiers used by the test hierarchy.
 *
 * truc has no registered enterprise arc, so its test policies live under a UUID-derived arc
 * (2.25.<uuid as integer>, ITU-T X.667 / RFC 4122 §4), which anyone may use without
 * registration and which cannot collide with the real Ban Cơ yếu policies. A verifier tells
 * the kinds of certificate apart by these certificate-policy OIDs (see `classifyCertificate`).
 */
export const TRUC_ARC = "2.25.48063310050232331678011443892775440476";

export const POLICY = {
  /** Every certificate issued by a truc test CA. */
  any: `${TRUC_ARC}.1`,
  /** Personal certificate (a named person: leader, clerk…). */
  personal: `${TRUC_ARC}.1.1`,
  personalLeader: `${TRUC_ARC}.1.1.1`,
  personalClerk: `${TRUC_ARC}.1.1.2`,
  /** Organisation (body) certificate, the "con dấu" signature. */
  organisation: `${TRUC_ARC}.1.2`,
  organisationOutgoing: `${TRUC_ARC}.1.2.1`,
  organisationIncoming: `${TRUC_ARC}.1.2.2`,
  /** Interconnection node certificate (mTLS). */
  node: `${TRUC_ARC}.1.3`,
  ocspResponder: `${TRUC_ARC}.1.4`,
  timeStamping: `${TRUC_ARC}.1.5`,
} as const;

/** TSA policy placed in every TSTInfo. */
export const TSA_POLICY = `${TRUC_ARC}.2.1`;

export const OID = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
  ocspNonce: "1.3.6.1.5.5.7.48.1.2",
  ocsp: "1.3.6.1.5.5.7.48.1",
  caIssuers: "1.3.6.1.5.5.7.48.2",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha1: "1.3.14.3.2.26",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecPublicKey: "1.2.840.10045.2.1",
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  certificatePolicies: "2.5.29.32",
  crlNumber: "2.5.29.20",
  crlReason: "2.5.29.21",
} as const;

/** RFC 5280 §5.3.1 CRLReason values (7 is unused). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function reasonName(code: number | undefined): RevocationReason {
  const entry = Object.entries(REVOCATION_REASONS).find(([, v]) => v === code);
  return (entry?.[0] as RevocationReason | undefined) ?? "unspecified";
}
