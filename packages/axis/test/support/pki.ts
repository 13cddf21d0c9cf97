/** A throw-away CA and leaf certificates made with openssl (an independent tool). */
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCrl, crlToPem } from "@truc/pki";

export interface Identity {
  certPem: string;
  keyPem: string;
  fingerprint: string;
  /** Certificate serial (hex, as the CRL lists it). */
  serial: string;
}

export interface TestPki {
  caPem: string;
  issue(name: string): Identity;
  /** A CRL signed by the CA (PEM) listing `revoked` serials; fresh for a day. */
  crl(revoked?: { serial: string; at: Date }[]): Promise<string>;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

export function makeTestPki(dir: string, caName = "truc test CA"): TestPki {
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "30",
      "-subj",
      `/C=VN/O=truc test/CN=${caName}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  writeFileSync(
    join(dir, "leaf.cnf"),
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  let serial = 1;
  let crlNumber = 1;
  const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
  return {
    caPem,
    async crl(revoked = []) {
      const now = Date.now();
      const der = await buildCrl({
        issuerCertificate: new X509Certificate(caPem).raw,
        issuerKey: createPrivateKey(readFileSync(join(dir, "ca.key"))),
        entries: revoked.map((r) => ({
          serial: r.serial,
          revokedAt: r.at,
          reason: "keyCompromise" as const,
        })),
        crlNumber: crlNumber++,
        thisUpdate: new Date(now - 60_000),
        nextUpdate: new Date(now + 86_400_000),
      });
      return crlToPem(der);
    },
    issue(name: string): Identity {
      const base = name.replace(/[^\w-]/g, "_");
      openssl(
        [
          "req",
          "-new",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          `${base}.key`,
          "-out",
          `${base}.csr`,
          "-subj",
          `/C=VN/O=truc test/CN=${name}`,
        ],
        dir,
      );
      openssl(
        [
          "x509",
          "-req",
          "-in",
          `${base}.csr`,
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca.key",
          "-set_serial",
          String(serial++),
          "-out",
          `${base}.pem`,
          "-days",
          "30",
          "-extfile",
          "leaf.cnf",
        ],
        dir,
      );
      const certPem = readFileSync(join(dir, `${base}.pem`), "utf8");
      return {
        certPem,
        keyPem: readFileSync(join(dir, `${base}.key`), "utf8"),
        fingerprint: new X509Certificate(certPem).fingerprint256.replace(/:/g, "").toLowerCase(),
        serial: new X509Certificate(certPem).serialNumber,
      };
    },
  };
}
