/**
 * Turns an error code (and the text that came with it: a refusal's details, an outbox
 * `last_error`, a recipient's failure note) into a stable reason key. The UI shows one plain
 * sentence per key in Vietnamese or English; operators should not have to read error codes.
 * The most specific code wins: a signature refusal caused by an expired certificate is
 * "cert-expired", not "signature-invalid".
 */
export type ReasonKey =
  | "cert-expired"
  | "cert-not-yet-valid"
  | "cert-revoked"
  | "cert-untrusted"
  | "ocsp-not-fresh"
  | "clock-skew"
  | "wrong-sender"
  | "duplicate"
  | "replay"
  | "invalid-package"
  | "signature-missing"
  | "signature-invalid"
  | "too-large"
  | "recipient-unknown"
  | "recipient-suspended"
  | "unknown-caller"
  | "auth-failed"
  | "peer-unreachable"
  | "peer-refused"
  | "recipient-failed"
  | "internal"
  | "other";

/** Most specific first. */
const RULES: readonly [RegExp, ReasonKey][] = [
  [/PKI_EXPIRED|CERT_HAS_EXPIRED|certificate has expired/i, "cert-expired"],
  [/PKI_NOT_YET_VALID|CERT_NOT_YET_VALID/i, "cert-not-yet-valid"],
  [/PKI_REVOKED|PKI_SUSPENDED/, "cert-revoked"],
  [/PKI_REVOCATION_UNAVAILABLE|PKI_OCSP_INVALID|OCSP/i, "ocsp-not-fresh"],
  [
    /PKI_UNTRUSTED_ROOT|PKI_CHAIN_INCOMPLETE|EDXML_SIGNATURE_UNTRUSTED|EDXML_SIGNATURE_TRUST_INDETERMINATE|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT/i,
    "cert-untrusted",
  ],
  [/AXIS_AUTH_STALE_TIMESTAMP|EDXML_V_TIMESTAMP/, "clock-skew"],
  [/AXIS_SENDER_MISMATCH/, "wrong-sender"],
  [/AXIS_AUTH_REPLAY/, "replay"],
  [/^duplicate$/, "duplicate"],
  [/AXIS_SIGNATURE_REQUIRED|EDXML_SIGNATURE_MISSING/, "signature-missing"],
  [/AXIS_SIGNATURE_INVALID|EDXML_SIGNATURE_|PKI_BAD_SIGNATURE/, "signature-invalid"],
  [/AXIS_PACKAGE_TOO_LARGE|EDXML_XML_LIMIT_EXCEEDED/, "too-large"],
  [/AXIS_RECIPIENT_UNKNOWN|AXIS_NO_RECIPIENTS/, "recipient-unknown"],
  [/AXIS_RECIPIENT_SUSPENDED/, "recipient-suspended"],
  [
    /AXIS_AUTH_CERT_MISSING|AXIS_AUTH_CERT_UNKNOWN|AXIS_AUTH_UNKNOWN_SYSTEM|AXIS_PEER_UNKNOWN/,
    "unknown-caller",
  ],
  [/AXIS_AUTH_|AXIS_HASH_FILE_MISMATCH|AXIS_FORBIDDEN/, "auth-failed"],
  [
    /AXIS_PACKAGE_INVALID|AXIS_PACKAGE_EMPTY|AXIS_MESSAGE_TYPE_MISMATCH|AXIS_ORIGINAL_UNKNOWN|AXIS_REQUEST_INVALID|EDXML_/,
    "invalid-package",
  ],
  [
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket hang up|CLIENT_NETWORK|CLIENT_TIMEOUT/i,
    "peer-unreachable",
  ],
  [/AXIS_PEER_FAILED|CLIENT_/, "peer-refused"],
  [/AXIS_INTERNAL|STORE_/, "internal"],
];

export function explainFailure(...texts: (string | null | undefined)[]): ReasonKey {
  const all = texts.filter((t): t is string => typeof t === "string" && t.length > 0);
  for (const [re, key] of RULES) if (all.some((t) => re.test(t))) return key;
  return "other";
}
