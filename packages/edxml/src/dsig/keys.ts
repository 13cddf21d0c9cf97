import { createHash, type KeyObject, X509Certificate } from "node:crypto";
import { EdxmlError } from "../errors.ts";

export interface CertificateKey {
  readonly certificate: X509Certificate;
  readonly key: KeyObject;
  readonly der: Buffer;
  /** SHA-256 of the DER, hex. */
  readonly fingerprint: string;
}

const CACHE_MAX = 256;
const cache = new Map<string, CertificateKey>();

/**
 * Parses a certificate and imports its public key once per certificate (key import costs
 * about six RSA-2048 verifications). The cache only saves work: trust is never inferred from
 * a certificate being in it.
 */
export function certificateKey(der: Uint8Array): CertificateKey {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const fingerprint = createHash("sha256").update(bytes).digest("hex");
  const hit = cache.get(fingerprint);
  if (hit) {
    cache.delete(fingerprint);
    cache.set(fingerprint, hit);
    return hit;
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(bytes);
  } catch (cause) {
    throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", { reason: "not an X.509 certificate" }, { cause });
  }
  const entry: CertificateKey = {
    certificate,
    key: certificate.publicKey,
    der: Buffer.from(bytes),
    fingerprint,
  };
  cache.set(fingerprint, entry);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return entry;
}

/** Checks that the key fits the signature method: RSA ≥ 2048 bits (1024 for legacy), EC P-256. */
export function checkKeyFits(entry: CertificateKey, kind: "rsa" | "ec", legacy: boolean): void {
  const { key } = entry;
  if (kind === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== "rsa") {
      throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", {
        reason: `an RSA method with a ${key.asymmetricKeyType} key`,
      });
    }
    if (bits < (legacy ? 1024 : 2048)) {
      throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", { reason: `RSA key of ${bits} bits` });
    }
    return;
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new EdxmlError("EDXML_SIGNATURE_CERTIFICATE", {
      reason: `ECDSA P-256 method with a ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""} key`,
    });
  }
}
