/** Small ASN.1 helpers around pkijs/asn1js shared by OCSP, TSA and PKCS#12. */
import {
  createHash,
  verify as cryptoVerify,
  type KeyObject,
  type X509Certificate as NodeX509,
} from "node:crypto";
import * as asn1js from "asn1js";
import { type Bytes, toArrayBuffer } from "./der.ts";
import { PkiError } from "./errors.ts";
import { signatureAlgorithmOf } from "./keys.ts";
import { OID } from "./oids.ts";
import { pkijs, x509 } from "./setup.ts";

export { asn1js };

export function parseAsn1(der: Bytes, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1) throw new PkiError("PKI_MALFORMED", { what });
  return parsed.result;
}

export function pkijsCertificate(der: Bytes): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(toArrayBuffer(der));
  } catch (error) {
    throw new PkiError("PKI_MALFORMED", { what: "certificate" }, { cause: error });
  }
}

/** AlgorithmIdentifier of the SHA-256 signature a key makes. */
export function signatureAlgorithmIdentifier(key: KeyObject): pkijs.AlgorithmIdentifier {
  return signatureAlgorithmOf(key) === "RSA-SHA256"
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSA, algorithmParams: new asn1js.Null() })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSHA256 });
}

export function sha256AlgorithmIdentifier(): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
}

const HASHES: Record<string, string> = {
  [OID.sha1]: "sha1",
  [OID.sha256]: "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

export function hashNameOf(oid: string): string | undefined {
  return HASHES[oid];
}

export function digest(algorithm: string, data: Bytes): Buffer {
  return createHash(algorithm).update(data).digest();
}

/** Subject DER and subjectPublicKey bits of a certificate (for CertID and ESS hashes). */
export function issuerHashInputs(certDer: Bytes): { subject: Buffer; publicKeyBits: Buffer } {
  const c = new x509.X509Certificate(certDer);
  const pk = pkijsCertificate(certDer);
  return {
    subject: Buffer.from(c.subjectName.toArrayBuffer()),
    publicKeyBits: Buffer.from(pk.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
  };
}

/** Verifies a signature made over `tbs` by the key of `cert` with the given algorithm OID. */
export function verifyWith(
  cert: NodeX509,
  algorithmOid: string,
  tbs: Bytes,
  signature: Bytes,
  digestOid?: string,
): boolean {
  // CMS may name the bare key algorithm (rsaEncryption/ecPublicKey) next to a SHA-256 digest
  const bare =
    (algorithmOid === OID.rsaEncryption || algorithmOid === OID.ecPublicKey) && digestOid === OID.sha256;
  if (!bare && algorithmOid !== OID.sha256WithRSA && algorithmOid !== OID.ecdsaWithSHA256) return false;
  try {
    return cryptoVerify("sha256", tbs, cert.publicKey, signature);
  } catch {
    return false;
  }
}

/** Date truncated to whole seconds (DER times carry no fraction here). */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Dotted form of a DER OBJECT IDENTIFIER's content bytes (arcs of any size, unlike asn1js). */
export function decodeOid(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join(".");
}

/** The OID of an asn1js ObjectIdentifier, read from its encoding. */
export function oidOf(node: asn1js.ObjectIdentifier): string {
  const raw = node.valueBeforeDecodeView;
  if (raw.length >= 2) {
    const len = raw[1]!;
    const start = len & 0x80 ? 2 + (len & 0x7f) : 2;
    return decodeOid(raw.subarray(start));
  }
  return node.getValue();
}
