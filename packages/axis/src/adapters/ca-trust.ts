/**
 * Fallback trust decision when no @truc/pki trust callback is supplied: the certificate must
 * chain (through the supplied candidates) to one of the configured CA certificates and be
 * within its validity period at the given time. No revocation checking: production nodes
 * pass the PKI package's callback (CRL/OCSP) instead.
 */
import { X509Certificate } from "node:crypto";
import type { TrustCallback, TrustVerdict } from "@truc/common";

export function createCaTrust(caPems: readonly string[]): TrustCallback {
  const anchors = caPems.flatMap((pem) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (b) => new X509Certificate(b),
    ),
  );
  return async ({ certificate, candidates, at }): Promise<TrustVerdict> => {
    let current: X509Certificate;
    try {
      current = new X509Certificate(Buffer.from(certificate));
    } catch {
      return { status: "invalid", reason: "PKI_CERTIFICATE_MALFORMED" };
    }
    const pool = candidates.flatMap((c) => {
      try {
        return [new X509Certificate(Buffer.from(c))];
      } catch {
        return [];
      }
    });
    const subject = current.subject;
    for (let depth = 0; depth < 6; depth++) {
      if (at < new Date(current.validFrom) || at > new Date(current.validTo)) {
        return { status: "invalid", reason: "PKI_EXPIRED", subject };
      }
      const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
      if (anchor) return { status: "valid", subject };
      if (anchors.some((a) => a.fingerprint256 === current.fingerprint256))
        return { status: "valid", subject };
      const next = pool.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
      if (!next) break;
      current = next;
    }
    return { status: "invalid", reason: "PKI_UNTRUSTED_ROOT", subject };
  };
}
