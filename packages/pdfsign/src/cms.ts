import { createHash } from "node:crypto";
import type { Signer } from "@truc/common";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { PdfSignError } from "./errors.ts";

export const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  signatureTimeStampToken: "1.2.840.113549.1.9.16.2.14",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
} as const;

export const DIGEST_BY_OID: Readonly<Record<string, "sha1" | "sha256" | "sha384" | "sha512">> = {
  [OID.sha1]: "sha1",
  [OID.sha256]: "sha256",
  [OID.sha384]: "sha384",
  [OID.sha512]: "sha512",
};

export const sha256 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash("sha256").update(data).digest());

export const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** Parses one DER value; trailing bytes (the zero padding of /Contents) are ignored. */
export function parseDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(bytes));
  if (parsed.offset === -1)
    throw new PdfSignError("PDF_SIGNATURE_UNREADABLE", { detail: `${what}: ${parsed.result.error}` });
  return parsed.result;
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return new pkijs.Certificate({ schema: parseDer(der, "certificate") });
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signer certificate into the signed attributes. */
function signingCertificateV2(certDer: Uint8Array, cert: pkijs.Certificate): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames with one directoryName [4] (EXPLICIT, Name is a CHOICE)
      new asn1js.Sequence({
        value: [
          new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] }),
        ],
      }),
      cert.serialNumber,
    ],
  });
  // hashAlgorithm is omitted: SHA-256 is the DEFAULT, and DER forbids encoding defaults.
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

function signatureAlgorithmOf(signer: Signer): pkijs.AlgorithmIdentifier {
  return signer.algorithm === "RSA-SHA256"
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
};

export interface BuiltSignature {
  signedData: pkijs.SignedData;
  /** The SignerInfo's signature value (what the signature time-stamp covers). */
  signatureValue: Uint8Array;
}

/**
 * Builds a CAdES detached SignedData over `documentDigest` (SHA-256 of the PDF byte ranges) as
 * PAdES baseline B-B asks: content-type, message-digest and signing-certificate-v2 signed
 * attributes; no signing-time attribute (the claimed time goes in the signature dictionary's
 * /M entry, EN 319 142-1 §5.3). The key never leaves the `Signer`.
 */
export async function buildCadesSignature(
  signer: Signer,
  documentDigest: Uint8Array,
): Promise<BuiltSignature> {
  const cert = parseCertificate(signer.certificate);
  const attributes = [
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: OID.data })],
    }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(documentDigest) })],
    }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [signingCertificateV2(signer.certificate, cert)],
    }),
  ];
  // DER orders a SET OF by the encodings of its elements; the signed bytes must be DER.
  const encoded = attributes
    .map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER()) }))
    .sort((x, y) => compareBytes(x.der, y.der));
  const toBeSigned = new Uint8Array(new asn1js.Set({ value: encoded.map((e) => e.a.toSchema()) }).toBER());
  let signatureValue: Uint8Array;
  try {
    signatureValue = await signer.sign(toBeSigned);
  } catch (error) {
    throw new PdfSignError("PDF_SIGNER_FAILED", { detail: (error as Error).message }, { cause: error });
  }
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: encoded.map((e) => e.a) }),
    signatureAlgorithm: signatureAlgorithmOf(signer),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signatureValue) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...signer.chain.map(parseCertificate)],
    signerInfos: [signerInfo],
  });
  return { signedData, signatureValue };
}

/** Adds an RFC 3161 token as the signature-time-stamp unsigned attribute (PAdES B-T). */
export function addSignatureTimeStamp(signedData: pkijs.SignedData, token: Uint8Array): void {
  const signerInfo = signedData.signerInfos[0]!;
  const attribute = new pkijs.Attribute({
    type: OID.signatureTimeStampToken,
    values: [parseDer(token, "time-stamp token")],
  });
  signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [attribute] });
}

export function encodeCms(signedData: pkijs.SignedData): Uint8Array {
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  });
  return new Uint8Array(contentInfo.toSchema().toBER());
}
