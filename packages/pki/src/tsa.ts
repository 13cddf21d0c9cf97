/**
 * RFC 3161 time-stamping: a TSA (pure `respond(requestDer)` plus a node:http handler) that
 * signs TSTInfo with the TSA certificate and the ESS signing-certificate-v2 attribute, and a
 * client that requests a token and checks it against the request.
 */
import { sign as cryptoSign, type KeyObject, X509Certificate as NodeX509, randomBytes } from "node:crypto";
import {
  asn1js,
  digest,
  hashNameOf,
  oidOf,
  pkijsCertificate,
  sha256AlgorithmIdentifier,
  signatureAlgorithmIdentifier,
  verifyWith,
  wholeSeconds,
} from "./asn1.ts";
import { type Bytes, toArrayBuffer } from "./der.ts";
import { PkiError } from "./errors.ts";
import { postBytes, type RequestHandler, readBody, send } from "./http.ts";
import { OID, TSA_POLICY } from "./oids.ts";
import { pkijs } from "./setup.ts";

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const FAIL = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, systemFailure: 25 } as const;

export interface TsaOptions {
  /** TSA certificate (critical EKU id-kp-timeStamping) and its key. */
  certificate: Bytes;
  privateKey: KeyObject;
  /** Issuer chain added to the token when the request sets certReq. */
  chain?: readonly Bytes[];
  policy?: string;
  now?: () => Date;
}

export interface Tsa {
  respond(requestDer: Bytes): Promise<Buffer>;
  handler: RequestHandler;
}

function rejection(bit: number, text: string): Buffer {
  const bits = new Uint8Array(4);
  bits[bit >> 3]! |= 0x80 >> (bit & 7);
  const used = (bit >> 3) + 1;
  const resp = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({
      status: 2,
      statusStrings: [new asn1js.Utf8String({ value: text })],
      failInfo: new asn1js.BitString({
        valueHex: toArrayBuffer(bits.subarray(0, used)),
        unusedBits: 7 - (bit & 7),
      }),
    }),
  });
  return Buffer.from(resp.toSchema().toBER());
}

export function createTsa(o: TsaOptions): Tsa {
  const cert = pkijsCertificate(o.certificate);
  const chain = (o.chain ?? []).map(pkijsCertificate);
  const policy = o.policy ?? TSA_POLICY;
  const now = o.now ?? (() => new Date());
  const certHash = digest("sha256", o.certificate);
  // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash, issuerSerial { issuer: [directoryName], serial } } ] }
  const signingCertificateV2 = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }),
              new asn1js.Sequence({
                value: [
                  new asn1js.Sequence({
                    value: [
                      new asn1js.Constructed({
                        idBlock: { tagClass: 3, tagNumber: 4 },
                        value: [cert.issuer.toSchema()],
                      }),
                    ],
                  }),
                  new asn1js.Integer({ valueHex: toArrayBuffer(cert.serialNumber.valueBlock.valueHexView) }),
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });

  async function respond(requestDer: Bytes): Promise<Buffer> {
    let req: pkijs.TimeStampReq;
    try {
      req = pkijs.TimeStampReq.fromBER(toArrayBuffer(requestDer));
    } catch {
      return rejection(FAIL.badDataFormat, "malformed TimeStampReq");
    }
    const hashName = hashNameOf(req.messageImprint.hashAlgorithm.algorithmId);
    if (!hashName || hashName === "sha1") return rejection(FAIL.badAlg, "unsupported hash algorithm");
    const imprint = req.messageImprint.hashedMessage.valueBlock.valueHexView;
    if (imprint.length !== digest(hashName, new Uint8Array()).length)
      return rejection(FAIL.badDataFormat, "wrong imprint length");
    if (req.reqPolicy && requestedPolicy(requestDer) !== policy)
      return rejection(FAIL.unacceptedPolicy, "policy not accepted");
    try {
      const serial = randomBytes(10);
      serial[0]! &= 0x7f;
      const tst = new pkijs.TSTInfo({
        version: 1,
        policy,
        messageImprint: req.messageImprint,
        serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(serial) }),
        genTime: wholeSeconds(now()),
        accuracy: new pkijs.Accuracy({ seconds: 1 }),
        ...(req.nonce ? { nonce: req.nonce } : {}),
      });
      const tstDer = Buffer.from(tst.toSchema().toBER());
      const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
        type: 0,
        attributes: [
          new pkijs.Attribute({
            type: OID.contentType,
            values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })],
          }),
          new pkijs.Attribute({
            type: OID.messageDigest,
            values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest("sha256", tstDer)) })],
          }),
          new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] }),
        ],
      });
      // the signature covers the attributes encoded as a SET (tag 0x31), not as [0]
      const attrsDer = Buffer.from(signedAttrs.toSchema().toBER());
      signedAttrs.encodedValue = toArrayBuffer(attrsDer);
      const toSign = Buffer.from(attrsDer);
      toSign[0] = 0x31;
      const signature = cryptoSign("sha256", toSign, o.privateKey);
      const signedData = new pkijs.SignedData({
        version: 3,
        digestAlgorithms: [sha256AlgorithmIdentifier()],
        encapContentInfo: new pkijs.EncapsulatedContentInfo({
          eContentType: OID.tstInfo,
          eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(tstDer) }),
        }),
        ...(req.certReq ? { certificates: [cert, ...chain] } : {}),
        signerInfos: [
          new pkijs.SignerInfo({
            version: 1,
            sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
            digestAlgorithm: sha256AlgorithmIdentifier(),
            signedAttrs,
            signatureAlgorithm: signatureAlgorithmIdentifier(o.privateKey),
            signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
          }),
        ],
      });
      const resp = new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({ status: 0 }),
        timeStampToken: new pkijs.ContentInfo({
          contentType: OID.signedData,
          content: signedData.toSchema(true),
        }),
      });
      return Buffer.from(resp.toSchema().toBER());
    } catch {
      return rejection(FAIL.systemFailure, "internal error");
    }
  }

  const handler: RequestHandler = (req, res) => {
    if (req.method !== "POST") return send(res, 405, "text/plain", "method not allowed", { allow: "POST" });
    readBody(req, 16 * 1024)
      .then(respond)
      .then((body) => send(res, 200, "application/timestamp-reply", body))
      .catch(() => {
        if (!res.headersSent) send(res, 400, "text/plain", "bad request");
      });
  };
  return { respond, handler };
}

// ---- client ------------------------------------------------------------------------------

export interface TimestampToken {
  /** ContentInfo DER: what goes into id-aa-signatureTimeStampToken. */
  token: Buffer;
  genTime: Date;
  policy: string;
  serial: string;
  /** DER of the TSA certificate found in the token (validate it with purpose "timestamp"). */
  signerCertificate: Buffer;
}

export interface TimestampRequestOptions {
  url: string;
  /** The data to stamp, or its SHA-256 digest. */
  data?: Bytes;
  digest?: Bytes;
  policy?: string;
  timeoutMs?: number;
  post?: (url: string, body: Uint8Array) => Promise<Uint8Array>;
}

export async function requestTimestamp(o: TimestampRequestOptions): Promise<TimestampToken> {
  const hashed = o.digest ? Buffer.from(o.digest) : digest("sha256", o.data ?? new Uint8Array());
  const nonce = randomBytes(8);
  nonce[0]! &= 0x7f;
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: sha256AlgorithmIdentifier(),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(hashed) }),
    }),
    ...(o.policy ? { reqPolicy: o.policy } : {}),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  const body = Buffer.from(req.toSchema().toBER());
  const post =
    o.post ??
    ((url, b) =>
      postBytes(url, b, "application/timestamp-query", "application/timestamp-reply", o.timeoutMs ?? 10_000));
  const respDer = Buffer.from(await post(o.url, body));
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(respDer));
  } catch {
    throw new PkiError("PKI_TSA_REJECTED", { what: "unparseable response" });
  }
  if (resp.status.status > 1 || !resp.timeStampToken) {
    const text =
      resp.status.statusStrings?.map((s) => s.valueBlock.value).join("; ") ?? `status ${resp.status.status}`;
    throw new PkiError("PKI_TSA_REJECTED", { what: text });
  }
  const token = Buffer.from(resp.timeStampToken.toSchema().toBER());
  const checked = await verifyTimestampToken(token, { digest: hashed });
  const tst = readTstInfo(token);
  if (
    !tst.nonce ||
    !Buffer.from(tst.nonce.valueBlock.valueHexView).equals(Buffer.from(req.nonce!.valueBlock.valueHexView))
  )
    throw new PkiError("PKI_TSA_REJECTED", { what: "nonce mismatch" });
  return checked;
}

function readTstInfo(token: Bytes): pkijs.TSTInfo {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
  const sd = new pkijs.SignedData({ schema: info.content });
  const content = sd.encapContentInfo.eContent;
  if (sd.encapContentInfo.eContentType !== OID.tstInfo || !content)
    throw new PkiError("PKI_MALFORMED", { what: "time-stamp token" });
  return pkijs.TSTInfo.fromBER(content.getValue());
}

/**
 * Checks a time-stamp token's signature and that it covers `data`/`digest`. It does not
 * decide whether the TSA is trusted: validate `signerCertificate` with purpose "timestamp".
 */
export async function verifyTimestampToken(
  token: Bytes,
  o: { data?: Bytes; digest?: Bytes },
): Promise<TimestampToken> {
  let info: pkijs.ContentInfo;
  let sd: pkijs.SignedData;
  try {
    info = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
    sd = new pkijs.SignedData({ schema: info.content });
  } catch {
    throw new PkiError("PKI_MALFORMED", { what: "time-stamp token" });
  }
  const tst = readTstInfo(token);
  const hashName = hashNameOf(tst.messageImprint.hashAlgorithm.algorithmId);
  const expected = o.digest
    ? Buffer.from(o.digest)
    : hashName
      ? digest(hashName, o.data ?? new Uint8Array())
      : undefined;
  if (!expected?.equals(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView)))
    throw new PkiError("PKI_TIMESTAMP_INVALID", { what: "message imprint does not match" });
  const bad = (what: string) => new PkiError("PKI_TIMESTAMP_INVALID", { what });
  const signerInfo = sd.signerInfos[0];
  const sid = signerInfo?.sid;
  if (!signerInfo?.signedAttrs || !(sid instanceof pkijs.IssuerAndSerialNumber))
    throw bad("no signer with signed attributes");
  const signer = (sd.certificates ?? []).find(
    (c): c is pkijs.Certificate =>
      c instanceof pkijs.Certificate &&
      c.serialNumber.isEqual(sid.serialNumber) &&
      c.issuer.isEqual(sid.issuer),
  );
  if (!signer) throw bad("the TSA certificate is not in the token");
  const signerDer = Buffer.from(signer.toSchema().toBER());
  const attr = (oid: string) => signerInfo.signedAttrs!.attributes.find((a) => a.type === oid)?.values[0];
  const eContent = Buffer.from(sd.encapContentInfo.eContent!.getValue());
  const md = attr(OID.messageDigest) as asn1js.OctetString | undefined;
  if (!md || !digest("sha256", eContent).equals(Buffer.from(md.valueBlock.valueHexView)))
    throw bad("messageDigest does not match TSTInfo");
  // ESS signing-certificate-v2 binds the signature to this certificate (RFC 5816)
  const essSeq = attr(OID.signingCertificateV2) as asn1js.Sequence | undefined;
  const firstId = (essSeq?.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as
    | asn1js.Sequence
    | undefined;
  const hashField = firstId?.valueBlock.value.find((v) => v instanceof asn1js.OctetString) as
    | asn1js.OctetString
    | undefined;
  if (!hashField || !digest("sha256", signerDer).equals(Buffer.from(hashField.valueBlock.valueHexView)))
    throw bad("signing-certificate-v2 does not match the TSA certificate");
  const signedBytes = Buffer.from(signerInfo.signedAttrs.encodedValue);
  signedBytes[0] = 0x31;
  const signerCert = new NodeX509(signerDer);
  if (
    !verifyWith(
      signerCert,
      signerInfo.signatureAlgorithm.algorithmId,
      signedBytes,
      signerInfo.signature.valueBlock.valueHexView,
      signerInfo.digestAlgorithm.algorithmId,
    )
  )
    throw bad("signature does not verify");
  return {
    token: Buffer.from(token),
    genTime: tst.genTime,
    policy: tstPolicy(sd),
    serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString("hex"),
    signerCertificate: signerDer,
  };
}

/** TSTInfo.policy read from the encoding (asn1js mangles arcs above 2^53, as in 2.25 OIDs). */
function tstPolicy(sd: pkijs.SignedData): string {
  const parsed = asn1js.fromBER(sd.encapContentInfo.eContent!.getValue());
  const policy = (parsed.result as asn1js.Sequence).valueBlock.value[1];
  return policy instanceof asn1js.ObjectIdentifier ? oidOf(policy) : "";
}

function requestedPolicy(requestDer: Bytes): string | undefined {
  const parsed = asn1js.fromBER(toArrayBuffer(requestDer));
  const oid = (parsed.result as asn1js.Sequence).valueBlock.value.find(
    (v) => v instanceof asn1js.ObjectIdentifier,
  );
  return oid ? oidOf(oid as asn1js.ObjectIdentifier) : undefined;
}
