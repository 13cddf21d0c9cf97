/**
 * RFC 6960 OCSP: a responder (pure `respond(requestDer)` plus a node:http handler for POST
 * and GET) signed by a delegated responder certificate, and a client that checks the
 * response signature, the CertID, the nonce and the freshness window.
 */
import { sign as cryptoSign, type KeyObject, X509Certificate as NodeX509, randomBytes } from "node:crypto";
import {
  asn1js,
  digest,
  hashNameOf,
  issuerHashInputs,
  pkijsCertificate,
  signatureAlgorithmIdentifier,
  verifyWith,
  wholeSeconds,
} from "./asn1.ts";
import type { RevocationStatus } from "./ca.ts";
import { type Bytes, normalizeSerial, toArrayBuffer } from "./der.ts";
import { PkiError } from "./errors.ts";
import { postBytes, type RequestHandler, readBody, send } from "./http.ts";
import { OID, REVOCATION_REASONS, type RevocationReason, reasonName } from "./oids.ts";
import { pkijs } from "./setup.ts";

const RESPONSE_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, unauthorized: 6 } as const;

export interface OcspResponderOptions {
  /** DER of the CA whose certificates this responder answers for. */
  issuerCertificate: Bytes;
  /** Delegated responder certificate (id-kp-OCSPSigning, issued by that CA) and its key. */
  responderCertificate: Bytes;
  responderKey: KeyObject;
  /** Status of a serial number (lower-case hex) issued by `issuerCertificate`. */
  lookup(serial: string): RevocationStatus | Promise<RevocationStatus>;
  /** nextUpdate = thisUpdate + this (default one hour). */
  validitySeconds?: number;
  now?: () => Date;
}

export interface OcspResponder {
  respond(requestDer: Bytes): Promise<Buffer>;
  /** node:http handler: POST body, or GET with the base64 request as the last path segment. */
  handler: RequestHandler;
}

function statusOnly(status: number): Buffer {
  return Buffer.from(
    new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }).toSchema().toBER(),
  );
}

function certStatusAsn(s: RevocationStatus): asn1js.AsnType {
  if (s.status === "good")
    return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, lenBlock: { length: 0 } } as never);
  if (s.status === "unknown")
    return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }, lenBlock: { length: 0 } } as never);
  const value: asn1js.AsnType[] = [
    new asn1js.GeneralizedTime({ valueDate: wholeSeconds(s.revokedAt ?? new Date(0)) }),
  ];
  if (s.reason && s.reason !== "unspecified")
    value.push(
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Enumerated({ value: REVOCATION_REASONS[s.reason] })],
      }),
    );
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value });
}

export function createOcspResponder(o: OcspResponderOptions): OcspResponder {
  const issuer = issuerHashInputs(o.issuerCertificate);
  const responderPk = pkijsCertificate(o.responderCertificate);
  const responderKeyHash = digest(
    "sha1",
    Buffer.from(responderPk.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
  );
  const validity = (o.validitySeconds ?? 3600) * 1000;
  const now = o.now ?? (() => new Date());
  const hashCache = new Map<string, { name: Buffer; key: Buffer }>();
  const issuerHashes = (alg: string) => {
    let h = hashCache.get(alg);
    if (!h) {
      h = { name: digest(alg, issuer.subject), key: digest(alg, issuer.publicKeyBits) };
      hashCache.set(alg, h);
    }
    return h;
  };

  async function respond(requestDer: Bytes): Promise<Buffer> {
    let request: pkijs.OCSPRequest;
    try {
      request = pkijs.OCSPRequest.fromBER(toArrayBuffer(requestDer));
    } catch {
      return statusOnly(RESPONSE_STATUS.malformedRequest);
    }
    const list = request.tbsRequest.requestList;
    if (list.length === 0 || list.length > 20) return statusOnly(RESPONSE_STATUS.malformedRequest);
    try {
      const at = wholeSeconds(now());
      const responses: pkijs.SingleResponse[] = [];
      for (const r of list) {
        const id = r.reqCert;
        const alg = hashNameOf(id.hashAlgorithm.algorithmId);
        const serial = normalizeSerial(Buffer.from(id.serialNumber.valueBlock.valueHexView).toString("hex"));
        let status: RevocationStatus = { status: "unknown" };
        if (alg) {
          const h = issuerHashes(alg);
          const ours =
            h.name.equals(Buffer.from(id.issuerNameHash.valueBlock.valueHexView)) &&
            h.key.equals(Buffer.from(id.issuerKeyHash.valueBlock.valueHexView));
          if (ours) status = await o.lookup(serial);
        }
        responses.push(
          new pkijs.SingleResponse({
            certID: id,
            certStatus: certStatusAsn(status),
            thisUpdate: at,
            nextUpdate: new Date(at.getTime() + validity),
          }),
        );
      }
      const extensions: pkijs.Extension[] = [];
      const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === OID.ocspNonce);
      if (nonce)
        extensions.push(
          new pkijs.Extension({
            extnID: OID.ocspNonce,
            critical: false,
            extnValue: toArrayBuffer(nonce.extnValue.valueBlock.valueHexView),
          }),
        );
      const tbs = new pkijs.ResponseData({
        // byKey: pkijs adds the [2] tag around a bare KeyHash
        responderID: new asn1js.OctetString({ valueHex: toArrayBuffer(responderKeyHash) }),
        producedAt: at,
        responses,
        ...(extensions.length ? { responseExtensions: extensions } : {}),
      });
      const tbsDer = Buffer.from(tbs.toSchema(true).toBER());
      // BasicOCSPResponse serialises the cached tbs bytes: keep exactly what was signed
      tbs.tbsView = new Uint8Array(tbsDer);
      const signature = cryptoSign("sha256", tbsDer, o.responderKey);
      const basic = new pkijs.BasicOCSPResponse({
        tbsResponseData: tbs,
        signatureAlgorithm: signatureAlgorithmIdentifier(o.responderKey),
        signature: new asn1js.BitString({ valueHex: toArrayBuffer(signature) }),
        certs: [responderPk],
      });
      const response = new pkijs.OCSPResponse({
        responseStatus: new asn1js.Enumerated({ value: RESPONSE_STATUS.successful }),
        responseBytes: new pkijs.ResponseBytes({
          responseType: OID.ocspBasic,
          response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }),
        }),
      });
      return Buffer.from(response.toSchema().toBER());
    } catch {
      return statusOnly(RESPONSE_STATUS.internalError);
    }
  }

  const handler: RequestHandler = (req, res) => {
    void (async () => {
      try {
        let der: Buffer;
        if (req.method === "POST") der = await readBody(req, 64 * 1024);
        else if (req.method === "GET") {
          const path = new URL(req.url ?? "/", "http://x").pathname;
          const last = decodeURIComponent(
            path.slice(path.lastIndexOf("/", path.length - 2) + 1).replace(/\/$/, ""),
          );
          der = Buffer.from(last, "base64");
        } else {
          send(res, 405, "text/plain", "method not allowed", { allow: "GET, POST" });
          return;
        }
        const body = await respond(der);
        send(
          res,
          200,
          "application/ocsp-response",
          body,
          req.method === "GET" ? { "cache-control": "max-age=60" } : {},
        );
      } catch {
        if (!res.headersSent) send(res, 400, "text/plain", "bad request");
      }
    })();
  };
  return { respond, handler };
}

// ---- client ------------------------------------------------------------------------------

export interface OcspResult {
  status: "good" | "revoked" | "unknown";
  revokedAt?: Date;
  reason?: RevocationReason;
  thisUpdate: Date;
  nextUpdate?: Date;
  producedAt: Date;
  /** The raw response, to keep as validation evidence. */
  der: Buffer;
}

export interface OcspQueryOptions {
  certificate: Bytes;
  issuer: Bytes;
  url: string;
  timeoutMs?: number;
  /** Send and check a nonce (default true). */
  nonce?: boolean;
  now?: Date;
  /** Clock skew tolerated on thisUpdate/producedAt (default 5 minutes). */
  skewMs?: number;
  /** Transport override (tests, or a node that routes OCSP through a proxy). */
  post?: (url: string, body: Uint8Array) => Promise<Uint8Array>;
}

const issuerCache = new Map<string, { nameHash: Buffer; keyHash: Buffer; cert: NodeX509 }>();
const responderCache = new Map<string, NodeX509>();
const remember = <V>(map: Map<string, V>, key: string, make: () => V): V => {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size > 1000) map.clear();
    v = make();
    map.set(key, v);
  }
  return v;
};
const keyOf = (der: Bytes) => digest("sha256", der).toString("base64");

function issuerEntry(issuer: Bytes) {
  return remember(issuerCache, keyOf(issuer), () => {
    const h = issuerHashInputs(issuer);
    return {
      nameHash: digest("sha1", h.subject),
      keyHash: digest("sha1", h.publicKeyBits),
      cert: new NodeX509(issuer),
    };
  });
}

function certIdFor(certificate: Bytes, issuer: Bytes): pkijs.CertID {
  const entry = issuerEntry(issuer);
  let serialHex = new NodeX509(certificate).serialNumber;
  if (serialHex.length % 2) serialHex = `0${serialHex}`;
  if (Number.parseInt(serialHex.slice(0, 2), 16) >= 0x80) serialHex = `00${serialHex}`;
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.sha1,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer(entry.nameHash) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer(entry.keyHash) }),
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(serialHex, "hex")) }),
  });
}

export async function buildOcspRequest(
  certificate: Bytes,
  issuer: Bytes,
  nonce?: Uint8Array,
): Promise<Buffer> {
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certIdFor(certificate, issuer) })];
  if (nonce) {
    request.tbsRequest.requestExtensions = [
      new pkijs.Extension({
        extnID: OID.ocspNonce,
        critical: false,
        extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }).toBER(),
      }),
    ];
  }
  return Buffer.from(request.toSchema(true).toBER());
}

/** Sends an OCSP request and checks the answer; throws PKI_OCSP_INVALID or a network error. */
export async function queryOcsp(o: OcspQueryOptions): Promise<OcspResult> {
  const nonce = o.nonce === false ? undefined : randomBytes(16);
  const requestDer = await buildOcspRequest(o.certificate, o.issuer, nonce);
  const post =
    o.post ??
    ((url, body) =>
      postBytes(url, body, "application/ocsp-request", "application/ocsp-response", o.timeoutMs ?? 5000));
  const der = Buffer.from(await post(o.url, requestDer));
  return checkOcspResponse({ ...o, responseDer: der, requestDer, ...(nonce ? { nonceValue: nonce } : {}) });
}

/** Checks a response against the request it answers. */
export async function checkOcspResponse(o: {
  responseDer: Buffer;
  requestDer: Buffer;
  certificate: Bytes;
  issuer: Bytes;
  nonceValue?: Uint8Array;
  now?: Date;
  skewMs?: number;
}): Promise<OcspResult> {
  const bad = (what: string) => new PkiError("PKI_OCSP_INVALID", { what });
  let response: pkijs.OCSPResponse;
  try {
    response = pkijs.OCSPResponse.fromBER(toArrayBuffer(o.responseDer));
  } catch {
    throw bad("unparseable");
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0 || !response.responseBytes) throw bad(`responseStatus ${status}`);
  if (response.responseBytes.responseType !== OID.ocspBasic) throw bad("not a basic response");
  const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
  const tbs = basic.tbsResponseData;

  // Who signed: the CA itself, or a delegated responder certificate issued by it.
  const issuer = issuerEntry(o.issuer).cert;
  const signature = Buffer.from(basic.signature.valueBlock.valueHexView);
  const tbsDer = Buffer.from(tbs.tbsView);
  const algorithm = basic.signatureAlgorithm.algorithmId;
  let signer: NodeX509 | undefined;
  if (verifyWith(issuer, algorithm, tbsDer, signature)) signer = issuer;
  else {
    for (const c of basic.certs ?? []) {
      const der = Buffer.from(c.toSchema().toBER());
      const candidate = remember(responderCache, keyOf(der), () => new NodeX509(der));
      if (!candidate.checkIssued(issuer) || !candidate.verify(issuer.publicKey)) continue;
      if (!(candidate.keyUsage ?? []).includes(OID.ocspSigning)) continue;
      const now = o.now ?? new Date();
      if (now < new Date(candidate.validFrom) || now > new Date(candidate.validTo)) continue;
      if (verifyWith(candidate, algorithm, tbsDer, signature)) {
        signer = candidate;
        break;
      }
    }
  }
  if (!signer) throw bad("signature not made by the issuer or an authorised responder");

  if (o.nonceValue) {
    const ext = tbs.responseExtensions?.find((e) => e.extnID === OID.ocspNonce);
    const echoed = ext ? Buffer.from(ext.extnValue.valueBlock.valueHexView) : undefined;
    // accept the nonce echoed as an OCTET STRING (RFC 8954) or raw (older responders)
    const expectedWrapped = Buffer.from(
      new asn1js.OctetString({ valueHex: toArrayBuffer(o.nonceValue) }).toBER(),
    );
    if (!echoed || !(echoed.equals(expectedWrapped) || echoed.equals(Buffer.from(o.nonceValue))))
      throw bad("nonce mismatch");
  }

  const wanted = certIdFor(o.certificate, o.issuer);
  const single = tbs.responses.find((r) => r.certID.isEqual(wanted));
  if (!single) throw bad("no answer for the requested certificate");
  const now = o.now ?? new Date();
  const skew = o.skewMs ?? 300_000;
  if (single.thisUpdate.getTime() > now.getTime() + skew) throw bad("thisUpdate in the future");
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - skew) throw bad("response expired");

  const cs = single.certStatus as asn1js.BaseBlock & {
    idBlock: { tagNumber: number };
    valueBlock: { value?: asn1js.AsnType[] };
  };
  const base = {
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    producedAt: tbs.producedAt,
    der: o.responseDer,
  };
  switch (cs.idBlock.tagNumber) {
    case 0:
      return { status: "good", ...base };
    case 1: {
      const parts = cs.valueBlock.value ?? [];
      const time = parts[0] as asn1js.GeneralizedTime | undefined;
      const reasonWrapper = parts[1] as asn1js.Constructed | undefined;
      const reasonValue = (reasonWrapper?.valueBlock.value[0] as asn1js.Enumerated | undefined)?.valueBlock
        .valueDec;
      return {
        status: "revoked",
        revokedAt: time?.toDate() ?? new Date(0),
        reason: reasonName(reasonValue),
        ...base,
      };
    }
    default:
      return { status: "unknown", ...base };
  }
}
