/**
 * The one call shape for every key source (software key file, PKCS#11 token, HSM, remote
 * mobile signing), shared by edXML, PAdES and the PKI. Documenso's signing "transports"
 * are the model: callers never see where the key lives.
 */
export type SignatureAlgorithm = "RSA-SHA256" | "ECDSA-P256-SHA256";

export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /** DER of the signer's certificate. */
  readonly certificate: Uint8Array;
  /** DER of the issuing certificates, the leaf's issuer first; may be empty. */
  readonly chain: readonly Uint8Array[];
  /**
   * Signs `data` (the message itself, not a digest) with SHA-256. RSA returns the PKCS#1 v1.5
   * signature; ECDSA returns the DER-encoded ECDSA-Sig-Value (callers that need IEEE P1363
   * r||s, such as XML-DSig, convert).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Outcome of a certificate validation, as ETSI EN 319 102-1 names them. */
export type TrustStatus = "valid" | "invalid" | "indeterminate";

export interface TrustVerdict {
  readonly status: TrustStatus;
  /** Stable reason code, e.g. PKI_REVOKED, PKI_EXPIRED, PKI_REVOCATION_UNAVAILABLE. */
  readonly reason?: string;
  readonly messageVi?: string;
  readonly messageEn?: string;
  /** Subject of the validated certificate, for reports. */
  readonly subject?: string;
}

/**
 * Decides whether a certificate may be trusted at a given time. Verifiers (edXML, PAdES)
 * never trust a certificate because a message carries it; the PKI package supplies this.
 */
export type TrustCallback = (input: {
  certificate: Uint8Array;
  /** Extra certificates found next to the signature (possible intermediates). */
  candidates: readonly Uint8Array[];
  /** The time at which validity is judged (signing time from a time-stamp, or now). */
  at: Date;
  /** What the certificate is used for, so key usage can be checked. */
  purpose: "document-signature" | "package-signature" | "tls-client" | "timestamp";
}) => Promise<TrustVerdict>;
