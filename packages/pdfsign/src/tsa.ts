import { randomBytes } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { OID, parseDer, toArrayBuffer } from "./cms.ts";
import { PdfSignError } from "./errors.ts";

/** Anything that returns an RFC 3161 TimeStampToken (DER ContentInfo) for a SHA-256 digest. */
export interface TimestampAuthority {
  timestamp(sha256Digest: Uint8Array): Promise<Uint8Array>;
}

export interface HttpTsaOptions {
  /** Per-request timeout; the default suits a TSA on the same network. */
  timeoutMs?: number;
  /** Responses larger than this are refused (a token with its chain is a few kB). */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

/** RFC 3161 over HTTP (§3.4): POST application/timestamp-query, expect a granted token. */
export class HttpTimestampAuthority implements TimestampAuthority {
  constructor(
    readonly url: string,
    private readonly options: HttpTsaOptions = {},
  ) {}

  async timestamp(sha256Digest: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(8);
    nonce[0] = nonce[0]! & 0x7f; // a positive INTEGER
    const request = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
        hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(sha256Digest) }),
      }),
      nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
      certReq: true,
    });
    const fail = (detail: string, cause?: unknown): never => {
      throw new PdfSignError("PDF_TSA_FAILED", { detail: `${this.url}: ${detail}` }, { cause });
    };
    const body = await this.post(new Uint8Array(request.toSchema().toBER()), fail);
    let token: pkijs.ContentInfo | undefined;
    try {
      const resp = new pkijs.TimeStampResp({ schema: parseDer(body, "TimeStampResp") });
      const status = resp.status.status;
      if (status !== 0 && status !== 1)
        fail(`status ${status} ${resp.status.statusStrings?.map((s) => s.valueBlock.value).join(" ") ?? ""}`);
      token = resp.timeStampToken;
    } catch (error) {
      if (PdfSignError.is(error)) throw error;
      fail(`unreadable response: ${(error as Error).message}`, error);
    }
    if (!token) return fail("no token in a granted response");
    const info = readTstInfo(token);
    if (!equalBytes(info.imprint, sha256Digest)) fail("the token covers another digest");
    if (!info.nonce || !equalBytes(info.nonce, stripLeadingZeros(nonce))) fail("nonce mismatch");
    return new Uint8Array(token.toSchema().toBER());
  }

  /** One retry on a network error (a kept-alive socket closed by the server); never on HTTP errors. */
  private async post(
    query: Uint8Array,
    fail: (detail: string, cause?: unknown) => never,
  ): Promise<Uint8Array> {
    const max = this.options.maxResponseBytes ?? 256 * 1024;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await (this.options.fetch ?? fetch)(this.url, {
          method: "POST",
          headers: { "content-type": "application/timestamp-query" },
          body: query,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        if (attempt < 2 && (error as Error).name !== "TimeoutError") continue;
        return fail((error as Error).message, error);
      }
      if (!response.ok) return fail(`HTTP ${response.status}`);
      if (Number(response.headers.get("content-length") ?? 0) > max) return fail("response too large");
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > max) return fail("response too large");
      return body;
    }
  }
}

export interface TstInfoSummary {
  genTime: Date;
  imprintAlgorithm: string;
  imprint: Uint8Array;
  nonce?: Uint8Array;
  serial: string;
  tstInfo: pkijs.TSTInfo;
  signedData: pkijs.SignedData;
}

/** Reads the TSTInfo of a time-stamp token (no signature check; see verify.ts). */
export function readTstInfo(token: pkijs.ContentInfo): TstInfoSummary {
  if (token.contentType !== OID.signedData) throw new Error("token is not SignedData");
  const signedData = new pkijs.SignedData({ schema: token.content });
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo)
    throw new Error("token does not hold a TSTInfo");
  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) throw new Error("token has no content");
  const tstInfo = new pkijs.TSTInfo({ schema: parseDer(octets(eContent), "TSTInfo") });
  return {
    genTime: tstInfo.genTime,
    imprintAlgorithm: tstInfo.messageImprint.hashAlgorithm.algorithmId,
    imprint: new Uint8Array(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView),
    nonce: tstInfo.nonce
      ? stripLeadingZeros(new Uint8Array(tstInfo.nonce.valueBlock.valueHexView))
      : undefined,
    serial: Buffer.from(tstInfo.serialNumber.valueBlock.valueHexView).toString("hex"),
    tstInfo,
    signedData,
  };
}

/** The bytes of an OCTET STRING, whether primitive or (BER) constructed. */
export function octets(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return new Uint8Array(value.valueBlock.valueHexView);
  const parts = (value.valueBlock.value as asn1js.OctetString[]).map(octets);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
