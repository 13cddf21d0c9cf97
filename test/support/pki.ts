/**
 * Test PKI for the cross-package suites, made with @truc/pki's CertificateAuthority (root →
 * issuing CA → leaves), so the certificates look like the government hierarchy's: node
 * certificates for TLS, personal certificates, revoked and expired ones. A certificate from an
 * unknown CA is made with openssl, an independent tool.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CertificateAuthority, type IssuedCertificate, type KeyAlgorithm } from "@truc/pki";

export interface Identity {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, lower-case hex without colons. */
  fingerprint: string;
  serial: string;
}

export interface SuitePki {
  /** Root and issuing CA certificates (PEM), what a node trusts. */
  caPems: string[];
  ca: CertificateAuthority;
  /** Node/system certificate for mutual TLS (serverAuth + clientAuth, 127.0.0.1). */
  node(name: string, algorithm?: KeyAlgorithm): Promise<Identity>;
  /** A personal certificate (văn thư): the wrong kind for a system's mTLS identity. */
  personal(name: string): Promise<Identity>;
  /** A node certificate whose validity ended yesterday. */
  expired(name: string): Promise<Identity>;
  /** A node certificate, then revoked at the CA (CRL/OCSP say revoked). */
  revoked(name: string): Promise<Identity>;
  /** A self-signed certificate from a CA nobody configured (openssl). */
  foreign(name: string): Identity;
  /** Fresh CRLs of the root and the issuing CA (PEM), listing every revocation so far. */
  crls(): Promise<string[]>;
}

export const fingerprintOf = (pem: string) =>
  new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();

function identity(issued: IssuedCertificate): Identity {
  const keyPem = issued.privateKey!.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    certPem: issued.certificatePem,
    keyPem,
    fingerprint: fingerprintOf(issued.certificatePem),
    serial: issued.record.serial,
  };
}

const DAY = 86_400_000;

export async function makeSuitePki(dir: string): Promise<SuitePki> {
  mkdirSync(dir, { recursive: true });
  const ca = await CertificateAuthority.init({
    dir: join(dir, "ca"),
    passphrase: "truc-test",
    algorithm: "ECDSA-P256",
    actor: "test",
  });
  const toPem = (der: Buffer) => new X509Certificate(der).toString();
  const caPems = [toPem(ca.rootCertificate), toPem(ca.issuingCertificate)];
  const subject = (cn: string) => ({ C: "VN", O: "truc test", CN: cn });
  const node = async (
    name: string,
    extra: { notBefore?: Date; notAfter?: Date; algorithm?: KeyAlgorithm } = {},
  ) =>
    identity(
      await ca.issue({
        profile: "node",
        subject: subject(name),
        ipAddresses: ["127.0.0.1"],
        dnsNames: ["localhost"],
        algorithm: "ECDSA-P256" as KeyAlgorithm,
        ...extra,
      }),
    );
  let foreignSerial = 1;
  return {
    caPems,
    ca,
    node: (name, algorithm) => node(name, algorithm ? { algorithm } : {}),
    async personal(name) {
      return identity(
        await ca.issue({
          profile: "personal-clerk",
          subject: { ...subject(name), E: `${name.replace(/\W/g, "")}@example.vn` },
          algorithm: "ECDSA-P256",
        }),
      );
    },
    async expired(name) {
      const now = Date.now();
      return node(name, { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) });
    },
    async revoked(name) {
      const id = await node(name);
      await ca.revoke({ serial: id.serial, reason: "keyCompromise" });
      return id;
    },
    async crls() {
      return [
        (await ca.generateCrl({ issuer: "root" })).pem,
        (await ca.generateCrl({ issuer: "issuing" })).pem,
      ];
    },
    foreign(name) {
      const base = join(dir, `foreign-${foreignSerial++}`);
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          `${base}.key`,
          "-out",
          `${base}.pem`,
          "-days",
          "30",
          "-subj",
          `/C=VN/O=rogue/CN=${name}`,
          "-addext",
          "extendedKeyUsage=clientAuth,serverAuth",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const certPem = readFileSync(`${base}.pem`, "utf8");
      return {
        certPem,
        keyPem: readFileSync(`${base}.key`, "utf8"),
        fingerprint: fingerprintOf(certPem),
        serial: "foreign",
      };
    },
  };
}
