/**
 * A throw-away test PKI made with the `openssl` command line (root → issuing CA → personal,
 * organisation and TSA certificates, a revoked and an expired personal certificate, CRLs), an
 * RFC 3161 TSA over HTTP backed by `openssl ts -reply`, software `Signer`s and a small
 * `TrustCallback`. Independent of our own code on purpose: it is the oracle's side.
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, sign as cryptoSign, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Signer, TrustCallback } from "@truc/common";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

export interface Identity {
  name: string;
  keyPem: string;
  certPem: string;
  certDer: Uint8Array;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  root: Identity;
  ca: Identity;
  person: Identity;
  organisation: Identity;
  revoked: Identity;
  expired: Identity;
  tsa: Identity;
  /** PEM file with root + CA, for `openssl verify -CAfile` / `cms -verify -CAfile`. */
  chainFile: string;
  caCrlDer: Uint8Array;
  rootCrlDer: Uint8Array;
  crlFile: string;
  signer(identity: Identity): Signer;
  trust: TrustCallback;
  /** OCSP response (DER) for a certificate issued by the CA, made by `openssl ocsp`. */
  ocspResponse(identity: Identity): Uint8Array;
}

const run = (cwd: string, args: string[]) =>
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

const CONFIG = `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
string_mask = utf8only
utf8 = yes
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[ dn ]
[ root_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca_ext ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ person_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.1.1
[ org_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.1.2
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = $dir/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.2.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

function issue(
  base: string,
  dirName: string,
  name: string,
  subject: string,
  ext: string,
  opts: { selfSign?: boolean; start?: string; end?: string } = {},
): Identity {
  const keyFile = join(base, `${name}.key`);
  const certFile = join(base, `${name}.crt`);
  run(base, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile]);
  if (opts.selfSign) {
    run(base, [
      "req",
      "-config",
      "openssl.cnf",
      "-new",
      "-x509",
      "-utf8",
      "-key",
      keyFile,
      "-subj",
      subject,
      "-days",
      "3650",
      "-extensions",
      ext,
      "-out",
      certFile,
      "-sha256",
    ]);
  } else {
    const csr = join(base, `${name}.csr`);
    run(base, [
      "req",
      "-config",
      "openssl.cnf",
      "-new",
      "-utf8",
      "-key",
      keyFile,
      "-subj",
      subject,
      "-out",
      csr,
    ]);
    const dates = opts.start ? ["-startdate", opts.start, "-enddate", opts.end!] : ["-days", "730"];
    run(join(base, dirName), [
      "ca",
      "-batch",
      "-config",
      "../openssl.cnf",
      "-utf8",
      "-extensions",
      ext,
      "-cert",
      "../" + (dirName === "root" ? "root" : "ca") + ".crt",
      "-keyfile",
      "../" + (dirName === "root" ? "root" : "ca") + ".key",
      "-in",
      csr,
      "-out",
      certFile,
      "-notext",
      ...dates,
    ]);
  }
  const certPem = readFileSync(certFile, "utf8");
  return {
    name,
    keyFile,
    certFile,
    keyPem: readFileSync(keyFile, "utf8"),
    certPem,
    certDer: new Uint8Array(new X509Certificate(certPem).raw),
  };
}

function caDir(base: string, name: string) {
  const dir = join(base, name);
  mkdirSync(join(dir, "newcerts"), { recursive: true });
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), name === "root" ? "1000\n" : "2000\n");
  writeFileSync(join(dir, "crlnumber"), "01\n");
}

export function softwareSigner(identity: Identity, chain: readonly Identity[]): Signer {
  const key = createPrivateKey(identity.keyPem);
  return {
    algorithm: "RSA-SHA256",
    certificate: identity.certDer,
    chain: chain.map((c) => c.certDer),
    sign: async (data) => new Uint8Array(cryptoSign("sha256", data, key)),
  };
}

function parseCrl(der: Uint8Array) {
  const ab = der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
  return new pkijs.CertificateRevocationList({ schema: asn1js.fromBER(ab).result });
}

/**
 * Path validation at a time, for tests only: chain by issuer/signature to the root, validity
 * periods at `at`, CRL revocation at `at`, key usage for document signatures.
 */
function makeTrust(anchors: Identity[], intermediates: Identity[], crls: () => Uint8Array[]): TrustCallback {
  return async ({ certificate, candidates, at, purpose }) => {
    const leaf = new X509Certificate(certificate);
    const pool = [
      ...intermediates.map((i) => new X509Certificate(i.certPem)),
      ...candidates.map((c) => new X509Certificate(c)),
    ];
    const roots = anchors.map((a) => new X509Certificate(a.certPem));
    const path = [leaf];
    for (let depth = 0; depth < 5; depth++) {
      const current = path.at(-1)!;
      const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (root) {
        path.push(root);
        break;
      }
      const next = pool.find(
        (c) =>
          c.fingerprint256 !== current.fingerprint256 &&
          current.checkIssued(c) &&
          current.verify(c.publicKey),
      );
      if (!next)
        return {
          status: "invalid",
          reason: "PKI_NO_PATH",
          messageEn: "no path to a trust anchor",
          messageVi: "không có đường dẫn tới chứng thư gốc tin cậy",
        };
      path.push(next);
    }
    for (const cert of path) {
      if (at < new Date(cert.validFrom) || at > new Date(cert.validTo))
        return {
          status: "invalid",
          reason: "PKI_EXPIRED",
          subject: cert.subject,
          messageEn: "certificate not valid at that time",
          messageVi: "chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm đó",
        };
    }
    for (const cert of path.slice(0, -1)) {
      const serial = cert.serialNumber.toUpperCase().replace(/^0+/, "");
      for (const crlDer of crls()) {
        const crl = parseCrl(crlDer);
        for (const entry of crl.revokedCertificates ?? []) {
          const s = Buffer.from(entry.userCertificate.valueBlock.valueHexView)
            .toString("hex")
            .toUpperCase()
            .replace(/^0+/, "");
          if (s === serial && entry.revocationDate.value <= at)
            return {
              status: "invalid",
              reason: "PKI_REVOKED",
              subject: cert.subject,
              messageEn: `revoked on ${entry.revocationDate.value.toISOString()}`,
              messageVi: `bị thu hồi ngày ${entry.revocationDate.value.toISOString()}`,
            };
        }
      }
    }
    if (
      purpose === "document-signature" &&
      !/Digital Signature|Non Repudiation/.test(leaf.keyUsage?.join(",") ?? "Digital Signature")
    )
      return { status: "invalid", reason: "PKI_KEY_USAGE" };
    return { status: "valid", subject: leaf.subject };
  };
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "truc-pdf-pki-"));
  writeFileSync(join(dir, "openssl.cnf"), CONFIG);
  caDir(dir, "root");
  caDir(dir, "ca");
  writeFileSync(join(dir, "tsaserial"), "01\n");
  const root = issue(
    dir,
    "",
    "root",
    "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test Root CA chuyên dùng Chính phủ",
    "root_ext",
    { selfSign: true },
  );
  const ca = issue(
    dir,
    "root",
    "ca",
    "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test CA phục vụ các cơ quan Nhà nước",
    "ca_ext",
  );
  const person = issue(
    dir,
    "ca",
    "person",
    "/C=VN/L=Thử Nghiệm/O=UBND tỉnh Thử Nghiệm/OU=Văn phòng UBND/CN=Nguyễn Văn An",
    "person_ext",
  );
  const organisation = issue(
    dir,
    "ca",
    "organisation",
    "/C=VN/L=Thử Nghiệm/O=UBND tỉnh Thử Nghiệm/CN=ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
    "org_ext",
  );
  const revoked = issue(
    dir,
    "ca",
    "revoked",
    "/C=VN/L=Thử Nghiệm/O=UBND tỉnh Thử Nghiệm/CN=Trần Thị Bình",
    "person_ext",
  );
  const expired = issue(
    dir,
    "ca",
    "expired",
    "/C=VN/L=Thử Nghiệm/O=UBND tỉnh Thử Nghiệm/CN=Lê Văn Cường",
    "person_ext",
    { start: "20200101000000Z", end: "20210101000000Z" },
  );
  const tsa = issue(dir, "ca", "tsa", "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test TSA", "tsa_ext");
  run(join(dir, "ca"), [
    "ca",
    "-batch",
    "-config",
    "../openssl.cnf",
    "-cert",
    "../ca.crt",
    "-keyfile",
    "../ca.key",
    "-revoke",
    revoked.certFile,
    "-crl_reason",
    "keyCompromise",
  ]);
  run(join(dir, "ca"), [
    "ca",
    "-batch",
    "-config",
    "../openssl.cnf",
    "-cert",
    "../ca.crt",
    "-keyfile",
    "../ca.key",
    "-gencrl",
    "-out",
    "../ca.crl.pem",
  ]);
  run(join(dir, "root"), [
    "ca",
    "-batch",
    "-config",
    "../openssl.cnf",
    "-cert",
    "../root.crt",
    "-keyfile",
    "../root.key",
    "-gencrl",
    "-out",
    "../root.crl.pem",
  ]);
  run(dir, ["crl", "-in", "ca.crl.pem", "-outform", "DER", "-out", "ca.crl.der"]);
  run(dir, ["crl", "-in", "root.crl.pem", "-outform", "DER", "-out", "root.crl.der"]);
  const chainFile = join(dir, "chain.pem");
  writeFileSync(chainFile, root.certPem + ca.certPem);
  const crlFile = join(dir, "crls.pem");
  writeFileSync(
    crlFile,
    readFileSync(join(dir, "ca.crl.pem"), "utf8") + readFileSync(join(dir, "root.crl.pem"), "utf8"),
  );
  const caCrlDer = new Uint8Array(readFileSync(join(dir, "ca.crl.der")));
  const rootCrlDer = new Uint8Array(readFileSync(join(dir, "root.crl.der")));
  let ocspCounter = 0;
  return {
    dir,
    root,
    ca,
    person,
    organisation,
    revoked,
    expired,
    tsa,
    chainFile,
    caCrlDer,
    rootCrlDer,
    crlFile,
    signer: (identity) => softwareSigner(identity, [ca, root]),
    trust: makeTrust([root], [ca], () => [caCrlDer, rootCrlDer]),
    ocspResponse(identity) {
      const n = ocspCounter++;
      const req = join(dir, `ocsp-${n}.req`);
      const resp = join(dir, `ocsp-${n}.resp`);
      run(dir, ["ocsp", "-issuer", ca.certFile, "-cert", identity.certFile, "-reqout", req, "-no_nonce"]);
      run(dir, [
        "ocsp",
        "-index",
        join(dir, "ca", "index.txt"),
        "-rsigner",
        ca.certFile,
        "-rkey",
        ca.keyFile,
        "-CA",
        ca.certFile,
        "-reqin",
        req,
        "-respout",
        resp,
        "-ndays",
        "7",
      ]);
      return new Uint8Array(readFileSync(resp));
    },
  };
}

export interface RunningTsa {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** An RFC 3161 TSA over HTTP: each request is answered by `openssl ts -reply`. */
export async function startOpensslTsa(pki: TestPki): Promise<RunningTsa> {
  let counter = 0;
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests++;
      const n = counter++;
      const q = join(pki.dir, `ts-${n}.tsq`);
      const r = join(pki.dir, `ts-${n}.tsr`);
      writeFileSync(q, Buffer.concat(chunks));
      try {
        run(pki.dir, [
          "ts",
          "-reply",
          "-config",
          "openssl.cnf",
          "-queryfile",
          q,
          "-inkey",
          pki.tsa.keyFile,
          "-signer",
          pki.tsa.certFile,
          "-chain",
          pki.chainFile,
          "-out",
          r,
        ]);
        res.writeHead(200, { "content-type": "application/timestamp-reply", connection: "close" });
        res.end(readFileSync(r));
      } catch (error) {
        res.writeHead(500);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/tsa`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
