/** Algorithm identifiers (W3C XML-DSig 1.0/1.1, RFC 6931) and the small codecs around them. */

export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

export const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
/** Inclusive C14N 1.0 without comments: only in the legacy VPCP form. */
export const C14N_2001 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

export const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
export const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";

export const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
export const ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
export const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

export type Canonicalization = "exc-c14n" | "c14n";
export type DigestName = "sha256" | "sha1";
export type SignatureMethodName = "RSA-SHA256" | "ECDSA-P256-SHA256" | "RSA-SHA1";

export const DIGESTS: Readonly<Record<string, { name: DigestName; length: number; legacy: boolean }>> = {
  [SHA256]: { name: "sha256", length: 32, legacy: false },
  [SHA1]: { name: "sha1", length: 20, legacy: true },
};

export const SIGNATURE_METHODS: Readonly<
  Record<string, { name: SignatureMethodName; hash: DigestName; key: "rsa" | "ec"; legacy: boolean }>
> = {
  [RSA_SHA256]: { name: "RSA-SHA256", hash: "sha256", key: "rsa", legacy: false },
  [ECDSA_SHA256]: { name: "ECDSA-P256-SHA256", hash: "sha256", key: "ec", legacy: false },
  [RSA_SHA1]: { name: "RSA-SHA1", hash: "sha1", key: "rsa", legacy: true },
};

export const CANONICALIZATIONS: Readonly<Record<string, Canonicalization>> = {
  [EXC_C14N]: "exc-c14n",
  [C14N_2001]: "c14n",
};

const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64 (XML Schema base64Binary): XML whitespace may separate characters (xmlsec1
 * wraps lines), nothing else; length a multiple of 4; padding only at the end; unused bits
 * zero (the decoding re-encodes to the same text). Returns null when the text is not that.
 */
export function decodeStrictBase64(text: string): Buffer | null {
  const compact = text.replace(/[ \t\r\n]+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64_BODY.test(compact)) return null;
  const bytes = Buffer.from(compact, "base64");
  return bytes.toString("base64") === compact ? bytes : null;
}

/** DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) → IEEE P1363 r||s of `size` bytes each. */
export function derToP1363(der: Uint8Array, size: number): Buffer {
  const fail = (): never => {
    throw new RangeError("not a DER ECDSA-Sig-Value");
  };
  let pos = 0;
  const readLength = (): number => {
    const first = der[pos++] ?? fail();
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) fail();
    let len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | (der[pos++] ?? fail());
    return len;
  };
  if (der[pos++] !== 0x30) fail();
  const seqLen = readLength();
  if (pos + seqLen !== der.length) fail();
  const out = Buffer.alloc(size * 2);
  for (let k = 0; k < 2; k++) {
    if (der[pos++] !== 0x02) fail();
    const len = readLength();
    let int = der.subarray(pos, pos + len);
    if (int.length !== len || len === 0) fail();
    pos += len;
    while (int.length > 1 && int[0] === 0) int = int.subarray(1);
    if (int.length > size) fail();
    out.set(int, k * size + (size - int.length));
  }
  if (pos !== der.length) fail();
  return out;
}
