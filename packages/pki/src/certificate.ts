import { createPublicKey, type KeyObject, X509Certificate as NodeX509 } from "node:crypto";
import { nfc } from "@truc/common";
import { asn1js, oidOf } from "./asn1.ts";
import { type Bytes, toArrayBuffer } from "./der.ts";
import { PkiError } from "./errors.ts";
import { toWebPrivateKey, webSigningAlgorithm } from "./keys.ts";
import { buildName, type SubjectDn } from "./names.ts";
import { OID } from "./oids.ts";
import {
  type CertificateKind,
  type CertificateProfile,
  type KeyUsageName,
  kindFromPolicies,
} from "./profiles.ts";
import { crypto, x509 } from "./setup.ts";

const KEY_USAGE_FLAGS: Record<KeyUsageName, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

/** Publication points written into CRLDP and AIA. */
export interface PublicationUrls {
  crl?: string;
  ocsp?: string;
  caIssuers?: string;
}

export interface IssuerMaterial {
  /** DER of the issuer certificate; absent for a self-signed root. */
  certificate?: Bytes;
  privateKey: KeyObject;
}

export interface BuildCertificateOptions {
  profile: CertificateProfile;
  subject: SubjectDn;
  /** SPKI DER or a public KeyObject. */
  publicKey: KeyObject | Bytes;
  issuer: IssuerMaterial;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  urls?: PublicationUrls;
}

/** 128-bit positive serial whose first nibble is non-zero (hex keeps its length everywhere). */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = 0x10 + (bytes[0]! % 0x70);
  return Buffer.from(bytes).toString("hex");
}

function spkiOf(key: KeyObject | Bytes): Buffer {
  if (key instanceof Uint8Array) return Buffer.from(key);
  return key.export({ type: "spki", format: "der" });
}

/** SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 §4.2.1.2 method 1), hex. */
async function keyIdentifier(spki: Buffer): Promise<string> {
  const info = new x509.PublicKey(spki);
  const id = await info.getKeyIdentifier("SHA-1", crypto);
  return Buffer.from(id).toString("hex");
}

/** Signs one certificate for a profile. Pure apart from the signature itself. */
export async function buildCertificate(o: BuildCertificateOptions): Promise<Buffer> {
  const { profile } = o;
  const spki = spkiOf(o.publicKey);
  const subjectName = buildName(o.subject);
  let issuerName: InstanceType<typeof x509.Name>;
  let authorityKeyId: string;
  if (o.issuer.certificate) {
    const issuerCert = new x509.X509Certificate(o.issuer.certificate);
    issuerName = issuerCert.subjectName;
    const ski = issuerCert.getExtension(x509.SubjectKeyIdentifierExtension);
    authorityKeyId = ski ? ski.keyId : await keyIdentifier(Buffer.from(issuerCert.publicKey.rawData));
  } else {
    issuerName = subjectName;
    authorityKeyId = await keyIdentifier(spki);
  }

  const extensions: InstanceType<typeof x509.Extension>[] = [];
  if (profile.ca) extensions.push(new x509.BasicConstraintsExtension(true, profile.ca.pathLength, true));
  const usage = profile.keyUsage.reduce((acc, name) => acc | KEY_USAGE_FLAGS[name], 0);
  extensions.push(new x509.KeyUsagesExtension(usage, true));
  if (profile.extendedKeyUsage?.length)
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        [...profile.extendedKeyUsage],
        profile.extendedKeyUsageCritical ?? false,
      ),
    );
  extensions.push(new x509.SubjectKeyIdentifierExtension(await keyIdentifier(spki)));
  extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));
  if (profile.policies.length) extensions.push(new x509.CertificatePolicyExtension([...profile.policies]));

  const san: { type: "email" | "dns" | "ip"; value: string }[] = [];
  if (profile.subjectAltName === "email" && o.subject.E) san.push({ type: "email", value: nfc(o.subject.E) });
  if (profile.subjectAltName === "dns-ip") {
    for (const d of o.dnsNames ?? []) san.push({ type: "dns", value: d });
    for (const ip of o.ipAddresses ?? []) san.push({ type: "ip", value: ip });
    if (san.length === 0)
      throw new PkiError("PKI_BAD_REQUEST", { what: "a node certificate needs DNS or IP names" });
  }
  if (san.length) extensions.push(new x509.SubjectAlternativeNameExtension(san));

  if (profile.revocationPointers && o.urls) {
    if (o.urls.crl) extensions.push(new x509.CRLDistributionPointsExtension([o.urls.crl]));
    const aia: { ocsp?: string[]; caIssuers?: string[] } = {};
    if (o.urls.ocsp) aia.ocsp = [o.urls.ocsp];
    if (o.urls.caIssuers) aia.caIssuers = [o.urls.caIssuers];
    if (aia.ocsp || aia.caIssuers) extensions.push(new x509.AuthorityInfoAccessExtension(aia));
  }
  // id-pkix-ocsp-nocheck: extnValue is DER NULL
  if (profile.ocspNoCheck)
    extensions.push(new x509.Extension(OID.ocspNoCheck, false, new Uint8Array([5, 0])));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serialNumber,
    subject: subjectName,
    issuer: issuerName,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    publicKey: spki,
    signingKey: await toWebPrivateKey(o.issuer.privateKey),
    signingAlgorithm: webSigningAlgorithm(o.issuer.privateKey),
    extensions,
  });
  return Buffer.from(cert.rawData);
}

/** Public key of a CSR after checking its self-signature. */
export async function readCsr(
  csr: Bytes | string,
): Promise<{ publicKey: KeyObject; subject: SubjectDn | undefined }> {
  let request: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    request = new x509.Pkcs10CertificateRequest(typeof csr === "string" ? csr : Buffer.from(csr));
  } catch (error) {
    throw new PkiError("PKI_CSR_INVALID", { what: "unparseable" }, { cause: error });
  }
  if (!(await request.verify())) throw new PkiError("PKI_CSR_INVALID", { what: "bad self-signature" });
  const publicKey = createPublicKey({
    key: Buffer.from(request.publicKey.rawData),
    format: "der",
    type: "spki",
  });
  return { publicKey, subject: subjectFromName(request.subjectName) };
}

const SHORT_NAMES: Record<string, keyof SubjectDn> = {
  "2.5.4.6": "C",
  "2.5.4.8": "ST",
  "2.5.4.7": "L",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.3": "CN",
  "1.2.840.113549.1.9.1": "E",
};

/** Reads a subject back into the SubjectDn shape (unknown attributes are dropped). */
export function subjectFromName(name: InstanceType<typeof x509.Name>): SubjectDn | undefined {
  const out: { [k: string]: string | string[] } = {};
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      const key =
        SHORT_NAMES[type] ??
        (Object.values(SHORT_NAMES).includes(type as keyof SubjectDn) ? type : undefined);
      if (!key) continue;
      for (const value of values) {
        if (key === "OU") out.OU = [...((out.OU as string[] | undefined) ?? []), value];
        else out[key] = value;
      }
    }
  }
  return typeof out.CN === "string" ? (out as unknown as SubjectDn) : undefined;
}

/** Node's parsed certificate (fast path for validation). */
export function parseCertificate(der: Bytes): NodeX509 {
  try {
    return new NodeX509(der);
  } catch (error) {
    throw new PkiError("PKI_MALFORMED", { what: "certificate" }, { cause: error });
  }
}

const KU_NAMES: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, "digitalSignature"],
  [x509.KeyUsageFlags.nonRepudiation, "nonRepudiation"],
  [x509.KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [x509.KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [x509.KeyUsageFlags.keyAgreement, "keyAgreement"],
  [x509.KeyUsageFlags.keyCertSign, "keyCertSign"],
  [x509.KeyUsageFlags.cRLSign, "cRLSign"],
];

/**
 * Key usage, extended key usage and certificate policies of a certificate. Policies are read
 * from the encoding (asn1js mangles the large arcs of 2.25 OIDs); `kindFromPolicies` maps
 * them to personal / organisation / node / ocsp / tsa for truc test certificates.
 */
export function x509Info(der: Bytes): { keyUsage: string[]; extendedKeyUsage: string[]; policies: string[] } {
  const cert = new x509.X509Certificate(der);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const policiesExt = cert.extensions.find((e) => e.type === OID.certificatePolicies);
  const policies: string[] = [];
  if (policiesExt) {
    const seq = asn1js.fromBER(toArrayBuffer(new Uint8Array(policiesExt.value))).result as asn1js.Sequence;
    for (const info of seq.valueBlock.value) {
      const oid = (info as asn1js.Sequence).valueBlock.value[0];
      if (oid instanceof asn1js.ObjectIdentifier) policies.push(oidOf(oid));
    }
  }
  return {
    keyUsage: ku ? KU_NAMES.filter(([flag]) => ku.usages & flag).map(([, n]) => n) : [],
    extendedKeyUsage: eku ? eku.usages.map(String) : [],
    policies,
  };
}

/** What a certificate is, from its truc policy OIDs (undefined for foreign certificates). */
export function classifyCertificate(der: Bytes): CertificateKind | undefined {
  return kindFromPolicies(x509Info(der).policies);
}
