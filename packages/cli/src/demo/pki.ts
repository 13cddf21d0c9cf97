/**
 * The demo's certificate authority (the test hierarchy of @truc/pki that mirrors the
 * government one) and every certificate the network needs: node certificates for mTLS,
 * one client certificate per office deployment, an organisation certificate per agency and
 * personal certificates for leaders and clerks.
 */
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { Signer } from "@truc/common";
import {
  CertificateAuthority,
  createPkiHttpHandler,
  createTsa,
  listen,
  type ProfileId,
  toPem,
} from "@truc/pki";
import type { DemoState } from "./state.ts";

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate DER, lower-case hex. */
  fingerprint: string;
}

export interface DemoPki {
  ca: CertificateAuthority;
  /** Root and issuing CA certificates (PEM), trust anchors for every TLS connection. */
  caPems: string[];
  tls(name: string, dnsNames?: string[]): Promise<TlsIdentity>;
  signer(name: string, profile: ProfileId, subject: string): Promise<Signer>;
}

/**
 * Opens (or creates) the demo CA. `publicationUrl` is where its CRLs, OCSP responder and TSA
 * are served (`servePki`); it is written into every certificate's CRLDP/AIA at creation.
 */
export async function openDemoPki(
  dataDir: string,
  state: DemoState,
  publicationUrl: string,
): Promise<DemoPki> {
  const dir = join(dataDir, "pki");
  const ca = existsSync(join(dir, "ca.json"))
    ? await CertificateAuthority.open({ dir, passphrase: state.caPassphrase, actor: "truc-demo" })
    : await CertificateAuthority.init({
        dir,
        passphrase: state.caPassphrase,
        actor: "truc-demo",
        // RSA-2048 keeps the first start quick; production hierarchies use RSA-3072.
        algorithm: "RSA-2048",
        publicationUrl,
      });

  const serialFor = async (name: string, issue: () => ReturnType<CertificateAuthority["issue"]>) => {
    const known = state.serials[name];
    if (known) return known;
    const issued = await issue();
    state.serials[name] = issued.record.serial;
    return issued.record.serial;
  };

  return {
    ca,
    caPems: [toPem(ca.issuingCertificate, "CERTIFICATE"), toPem(ca.rootCertificate, "CERTIFICATE")],
    async tls(name, dnsNames = ["localhost"]) {
      const serial = await serialFor(`tls:${name}`, () =>
        ca.issue({
          profile: "node",
          subject: { C: "VN", O: "truc demo", CN: name },
          dnsNames,
          ipAddresses: ["127.0.0.1"],
          algorithm: "ECDSA-P256",
        }),
      );
      const { certificate } = ca.get(serial);
      const certPem = toPem(certificate, "CERTIFICATE");
      return {
        certPem,
        keyPem: ca.privateKeyFor(serial).export({ type: "pkcs8", format: "pem" }).toString(),
        fingerprint: new X509Certificate(certificate).fingerprint256.replace(/:/g, "").toLowerCase(),
      };
    },
    async signer(name, profile, subject) {
      const serial = await serialFor(`${profile}:${name}`, () =>
        ca.issue({ profile, subject, algorithm: "RSA-2048" }),
      );
      return ca.signerFor(serial);
    },
  };
}

/** Serves CRLs, the OCSP responder (RFC 6960) and the time-stamping authority (RFC 3161). */
export async function servePki(
  pki: DemoPki,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const tsa = createTsa({
    certificate: pki.ca.tsaCertificate,
    privateKey: pki.ca.tsaKey(),
    chain: pki.ca.chain,
  });
  return listen(createPkiHttpHandler({ ca: pki.ca, tsa: tsa.handler }), port, host);
}
