import { verify as cryptoVerify, X509Certificate } from "node:crypto";
import type { TrustCallback, TrustVerdict } from "@truc/common";
import * as pkijs from "pkijs";
import { OID, parseDer } from "./cms.ts";

export interface AnchorTrustOptions {
  /** Trust anchors (DER): the only certificates trusted for what they are. */
  anchors: readonly Uint8Array[];
  /** Extra intermediates (DER) besides those carried next to the signature. */
  intermediates?: readonly Uint8Array[];
  /** CRLs (DER) for revocation at the validation time; without one for an issuer the result is indeterminate. */
  crls?: readonly Uint8Array[];
}

const SIG_DIGEST: Record<string, string> = {
  [OID.sha256WithRsa]: "sha256",
  [OID.sha384WithRsa]: "sha384",
  [OID.sha512WithRsa]: "sha512",
  [OID.ecdsaWithSha256]: "sha256",
  [OID.ecdsaWithSha384]: "sha384",
  [OID.ecdsaWithSha512]: "sha512",
};

const verdict = (
  status: TrustVerdict["status"],
  reason: string,
  vi: string,
  en: string,
  subject?: string,
): TrustVerdict => ({
  status,
  reason,
  messageVi: vi,
  messageEn: en,
  ...(subject ? { subject } : {}),
});

/**
 * A small, offline `TrustCallback` for the CLI and demos: builds the path by issuer name and
 * signature to a configured anchor, checks validity periods and CRL revocation at `at`, and
 * key usage for document signatures. It is a stop-gap for deployments without the PKI
 * package's validator (`@truc/pki` `createTrustCallback`), which should be preferred: no
 * OCSP, no AIA fetching, no policy or name constraints here.
 */
export function createAnchorTrustCallback(options: AnchorTrustOptions): TrustCallback {
  const anchors = options.anchors.map((d) => new X509Certificate(d));
  const extra = (options.intermediates ?? []).map((d) => new X509Certificate(d));
  const crls = (options.crls ?? []).map(
    (d) => new pkijs.CertificateRevocationList({ schema: parseDer(d, "CRL") }),
  );
  return async ({ certificate, candidates, at, purpose }) => {
    const leaf = new X509Certificate(certificate);
    if (anchors.length === 0)
      return verdict(
        "indeterminate",
        "PKI_NO_TRUST_ANCHOR",
        "chưa cấu hình chứng thư gốc tin cậy",
        "no trust anchor configured",
        leaf.subject,
      );
    const pool = [...extra, ...candidates.map((c) => new X509Certificate(c))];
    const path = [leaf];
    for (;;) {
      const current = path.at(-1)!;
      const anchor = anchors.find(
        (a) =>
          a.fingerprint256 === current.fingerprint256 ||
          (current.checkIssued(a) && current.verify(a.publicKey)),
      );
      if (anchor) {
        if (anchor.fingerprint256 !== current.fingerprint256) path.push(anchor);
        break;
      }
      const next = pool.find(
        (c) =>
          c.ca &&
          !path.some((p) => p.fingerprint256 === c.fingerprint256) &&
          current.checkIssued(c) &&
          current.verify(c.publicKey),
      );
      if (!next || path.length > 8)
        return verdict(
          "invalid",
          "PKI_NO_PATH",
          "không xây dựng được đường dẫn tới chứng thư gốc tin cậy",
          "no certification path to a trust anchor",
          leaf.subject,
        );
      path.push(next);
    }
    for (const cert of path)
      if (at < new Date(cert.validFrom) || at > new Date(cert.validTo))
        return verdict(
          "invalid",
          "PKI_EXPIRED",
          `chứng thư "${cert.subject}" không có hiệu lực tại thời điểm ${at.toISOString()}`,
          `certificate "${cert.subject}" is not valid at ${at.toISOString()}`,
          leaf.subject,
        );
    // Revocation of every non-anchor certificate, from a CRL its issuer signed.
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      const serial = cert.serialNumber.toUpperCase().replace(/^0+/, "");
      const crl = crls.find((c) => {
        const digest = SIG_DIGEST[c.signatureAlgorithm.algorithmId];
        try {
          return (
            !!digest &&
            cryptoVerify(
              digest,
              c.tbsView,
              issuer.publicKey,
              new Uint8Array(c.signatureValue.valueBlock.valueHexView),
            )
          );
        } catch {
          return false;
        }
      });
      if (!crl)
        return verdict(
          "indeterminate",
          "PKI_REVOCATION_UNAVAILABLE",
          `không có CRL của "${issuer.subject}"`,
          `no CRL from "${issuer.subject}"`,
          leaf.subject,
        );
      const entry = crl.revokedCertificates?.find(
        (e) =>
          Buffer.from(e.userCertificate.valueBlock.valueHexView)
            .toString("hex")
            .toUpperCase()
            .replace(/^0+/, "") === serial,
      );
      if (entry && entry.revocationDate.value <= at)
        return verdict(
          "invalid",
          "PKI_REVOKED",
          `chứng thư "${cert.subject}" bị thu hồi ngày ${entry.revocationDate.value.toISOString()}`,
          `certificate "${cert.subject}" revoked on ${entry.revocationDate.value.toISOString()}`,
          leaf.subject,
        );
    }
    if (purpose === "document-signature" || purpose === "package-signature") {
      const ku = new pkijs.Certificate({
        schema: parseDer(new Uint8Array(leaf.raw), "certificate"),
      }).extensions?.find((e) => e.extnID === "2.5.29.15");
      const bits = ku
        ? (new Uint8Array(
            (
              parseDer(new Uint8Array(ku.extnValue.valueBlock.valueHexView), "keyUsage") as unknown as {
                valueBlock: { valueHexView: Uint8Array };
              }
            ).valueBlock.valueHexView,
          )[0] ?? 0)
        : 0xff;
      if ((bits & 0xc0) === 0)
        return verdict(
          "invalid",
          "PKI_KEY_USAGE",
          "chứng thư không được phép dùng để ký",
          "key usage does not allow signing",
          leaf.subject,
        );
    }
    return { status: "valid", subject: leaf.subject };
  };
}
