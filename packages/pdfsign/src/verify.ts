import { constants, createHash, verify as cryptoVerify, type KeyObject, X509Certificate } from "node:crypto";
import { PDF, PdfArray, PdfNumber, type PdfRef, PdfString } from "@libpdf/core";
import { formatMessage, type TrustCallback, type TrustVerdict, toVietnamIso } from "@truc/common";
import { POLICY } from "@truc/pki";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { DIGEST_BY_OID, OID, parseCertificate, parseDer } from "./cms.ts";
import { readDss } from "./dss.ts";
import { PDF_ERRORS, type PdfErrorCode, PdfSignError } from "./errors.ts";
import { compareRevisions } from "./modifications.ts";
import { ATTR, attributeValues, commonName, formatName } from "./names.ts";
import { equalBytes, octets, readTstInfo } from "./tsa.ts";

export type Verdict = "valid" | "invalid" | "indeterminate";
type Severity = Verdict | "warning";

/** How each reason affects a signature's verdict. */
const SEVERITY: Partial<Record<PdfErrorCode, Severity>> = {
  PDF_SIGNATURE_UNREADABLE: "invalid",
  PDF_BYTE_RANGE_INVALID: "invalid",
  PDF_DIGEST_MISMATCH: "invalid",
  PDF_SIGNATURE_VALUE_INVALID: "invalid",
  PDF_SIGNING_CERTIFICATE_MISMATCH: "invalid",
  PDF_MODIFIED_AFTER_SIGNING: "invalid",
  PDF_NOT_COVERING_WHOLE_FILE: "invalid",
  PDF_TIMESTAMP_INVALID: "invalid",
  PDF_CERTIFICATE_REVOKED: "invalid",
  PDF_CERTIFICATE_UNTRUSTED: "invalid",
  PDF_KEY_USAGE_INVALID: "invalid",
  PDF_NO_SIGNATURES: "invalid",
  PDF_CERTIFICATE_STATUS_UNKNOWN: "indeterminate",
  PDF_TIMESTAMP_UNTRUSTED: "indeterminate",
  PDF_SUBFILTER_UNSUPPORTED: "indeterminate",
  PDF_ALGORITHM_UNSUPPORTED: "indeterminate",
  PDF_SIGNER_CERTIFICATE_MISSING: "indeterminate",
  PDF_SIGNING_TIME_UNTRUSTED: "warning",
  PDF_SIGNING_CERTIFICATE_ATTRIBUTE_MISSING: "warning",
};

export interface Reason {
  code: PdfErrorCode;
  severity: Severity;
  vi: string;
  en: string;
  details?: Record<string, unknown>;
}

function reason(code: PdfErrorCode, details?: Record<string, unknown>): Reason {
  const m = PDF_ERRORS[code];
  return {
    code,
    severity: SEVERITY[code] ?? "invalid",
    vi: formatMessage(m.vi, details),
    en: formatMessage(m.en, details),
    ...(details ? { details } : {}),
  };
}

export type SignerKind = "personal" | "organisation";

export interface SignatureReport {
  index: number;
  fieldName: string;
  subFilter: string;
  /** PAdES baseline level the signature reaches structurally (time-stamp, DSS). */
  level: "B-B" | "B-T" | "B-LT" | "unknown";
  kind?: SignerKind;
  kindSource?: "policy" | "name-attributes" | "subject-heuristic";
  signer?: {
    subject: string;
    commonName?: string;
    issuer: string;
    serialNumber: string;
    notBefore: string;
    notAfter: string;
  };
  byteRange?: number[];
  /** Offset where this signature's revision ends. */
  revisionEnd?: number;
  coversWholeFile: boolean;
  claimedSigningTime?: string;
  timestamp?: { time: string; tsa?: string; valid: boolean };
  /** The time at which the certificate was judged, and where it came from. */
  validationTime: string;
  timeSource: "timestamp" | "claimed" | "now";
  integrity: { digestMatches: boolean; signatureValueValid: boolean };
  certificate?: TrustVerdict;
  revocation?: { source: "dss-crl" | "dss-ocsp"; status: "good" | "revoked"; at?: string }[];
  changesAfter: { allowed: string[]; disallowed: string[] };
  verdict: Verdict;
  reasons: Reason[];
}

export interface ValidationReport {
  verdict: Verdict;
  file: { size: number; sha256: string };
  validatedAt: string;
  signatures: SignatureReport[];
  reasons: Reason[];
}

export interface VerifyPdfOptions {
  /** Decides whether a certificate is trusted at a time (the PKI package's `createTrustCallback`). */
  trust: TrustCallback;
  /** "Now", for signatures without any time, and for the report. */
  now?: Date;
  maxBytes?: number;
  /**
   * Certificate policy arcs that mark organisation / personal certificates; default: the
   * @truc/pki profile's POLICY.organisation / POLICY.personal (sub-arcs included).
   */
  organisationPolicyOids?: readonly string[];
  personalPolicyOids?: readonly string[];
}

const worst = (reasons: readonly Reason[]): Verdict =>
  reasons.some((r) => r.severity === "invalid")
    ? "invalid"
    : reasons.some((r) => r.severity === "indeterminate")
      ? "indeterminate"
      : "valid";

const hash = (name: string, data: Uint8Array) => new Uint8Array(createHash(name).update(data).digest());

function findSignerCertificate(
  signedData: pkijs.SignedData,
  signerInfo: pkijs.SignerInfo,
): pkijs.Certificate | undefined {
  const certs = (signedData.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const sid = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber)
    return certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  const ski = new Uint8Array((sid as asn1js.OctetString).valueBlock?.valueHexView ?? []);
  return certs.find((c) => {
    const ext = c.extensions?.find((e) => e.extnID === "2.5.29.14");
    return (
      ext &&
      equalBytes(
        octets(parseDer(new Uint8Array(ext.extnValue.valueBlock.valueHexView), "SKI") as asn1js.OctetString),
        ski,
      )
    );
  });
}

const attributeOf = (attrs: pkijs.SignedAndUnsignedAttributes | undefined, oid: string) =>
  attrs?.attributes.find((a) => a.type === oid)?.values[0];

/** Verifies a SignerInfo over its signed attributes; returns a reason code on failure. */
function verifySignerInfo(
  signerInfo: pkijs.SignerInfo,
  certificate: pkijs.Certificate,
  contentDigest: (digestName: string) => Uint8Array,
): { digestMatches: boolean; signatureValueValid: boolean; problem?: Reason } {
  const digestName = DIGEST_BY_OID[signerInfo.digestAlgorithm.algorithmId];
  if (!digestName)
    return {
      digestMatches: false,
      signatureValueValid: false,
      problem: reason("PDF_ALGORITHM_UNSUPPORTED", { algorithm: signerInfo.digestAlgorithm.algorithmId }),
    };
  const attrs = signerInfo.signedAttrs;
  if (!attrs)
    return {
      digestMatches: false,
      signatureValueValid: false,
      problem: reason("PDF_SIGNATURE_UNREADABLE", { detail: "no signed attributes" }),
    };
  const md = attributeOf(attrs, OID.messageDigest) as asn1js.OctetString | undefined;
  const digestMatches = !!md && equalBytes(octets(md), contentDigest(digestName));
  const data = new Uint8Array(attrs.encodedValue); // pkijs re-tags it as SET OF
  const sigAlg = signerInfo.signatureAlgorithm.algorithmId;
  const signature = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  let key: KeyObject;
  try {
    key = new X509Certificate(new Uint8Array(certificate.toSchema().toBER())).publicKey;
  } catch (error) {
    return {
      digestMatches,
      signatureValueValid: false,
      problem: reason("PDF_SIGNATURE_UNREADABLE", { detail: (error as Error).message }),
    };
  }
  const rsa = [
    OID.rsaEncryption,
    OID.sha256WithRsa,
    OID.sha384WithRsa,
    OID.sha512WithRsa,
    "1.2.840.113549.1.1.5",
  ] as string[];
  const ecdsa = [
    OID.ecdsaWithSha256,
    OID.ecdsaWithSha384,
    OID.ecdsaWithSha512,
    "1.2.840.10045.2.1",
  ] as string[];
  let signatureValueValid: boolean;
  if (rsa.includes(sigAlg))
    signatureValueValid = cryptoVerify(
      digestName,
      data,
      { key, padding: constants.RSA_PKCS1_PADDING },
      signature,
    );
  else if (ecdsa.includes(sigAlg)) signatureValueValid = cryptoVerify(digestName, data, key, signature);
  else
    return {
      digestMatches,
      signatureValueValid: false,
      problem: reason("PDF_ALGORITHM_UNSUPPORTED", { algorithm: sigAlg }),
    };
  if (!digestMatches) return { digestMatches, signatureValueValid, problem: reason("PDF_DIGEST_MISMATCH") };
  if (!signatureValueValid)
    return { digestMatches, signatureValueValid, problem: reason("PDF_SIGNATURE_VALUE_INVALID") };
  return { digestMatches, signatureValueValid };
}

/** ESS signing-certificate(-v2): the hash of the signer's certificate must match. */
function checkSigningCertificateAttribute(
  signerInfo: pkijs.SignerInfo,
  certDer: Uint8Array,
): Reason | undefined {
  const v2 = attributeOf(signerInfo.signedAttrs, OID.signingCertificateV2) as asn1js.Sequence | undefined;
  const v1 = attributeOf(signerInfo.signedAttrs, OID.signingCertificate) as asn1js.Sequence | undefined;
  const attr = v2 ?? v1;
  if (!attr) return reason("PDF_SIGNING_CERTIFICATE_ATTRIBUTE_MISSING");
  try {
    const first = ((attr.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence)
      .valueBlock.value;
    let digestName = v2 ? "sha256" : "sha1";
    let hashIndex = 0;
    if (v2 && first[0] instanceof asn1js.Sequence) {
      const alg = new pkijs.AlgorithmIdentifier({ schema: first[0] });
      digestName = DIGEST_BY_OID[alg.algorithmId] ?? "unsupported";
      hashIndex = 1;
    }
    if (digestName === "unsupported") return reason("PDF_SIGNING_CERTIFICATE_MISMATCH");
    const certHash = octets(first[hashIndex] as asn1js.OctetString);
    return equalBytes(certHash, hash(digestName, certDer))
      ? undefined
      : reason("PDF_SIGNING_CERTIFICATE_MISMATCH");
  } catch {
    return reason("PDF_SIGNING_CERTIFICATE_MISMATCH");
  }
}

function keyUsageAllowsSigning(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === "2.5.29.15");
  if (!ext) return true; // no restriction
  const bits = parseDer(
    new Uint8Array(ext.extnValue.valueBlock.valueHexView),
    "keyUsage",
  ) as asn1js.BitString;
  const first = new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0;
  return (first & 0xc0) !== 0; // digitalSignature | nonRepudiation
}

/** Dotted form with BigInt arithmetic: asn1js cannot print 2.25.<128-bit UUID> arcs. */
function decodeOid(oid: asn1js.ObjectIdentifier): string {
  const der = new Uint8Array(oid.valueBeforeDecodeView);
  const lengthBytes = der[1]! < 0x80 ? 1 : 1 + (der[1]! & 0x7f);
  const content = der.subarray(1 + lengthBytes);
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join(".");
}

function policyOids(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === "2.5.29.32");
  if (!ext) return [];
  try {
    const seq = parseDer(
      new Uint8Array(ext.extnValue.valueBlock.valueHexView),
      "policies",
    ) as asn1js.Sequence;
    return seq.valueBlock.value.map((p) =>
      decodeOid((p as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier),
    );
  } catch {
    return [];
  }
}

/**
 * Personal vs organisation signature. The certificate-policy arcs of the PKI profile decide
 * (default: @truc/pki's POLICY.organisation / POLICY.personal); otherwise personal-name attributes (givenName/surname/pseudonym) mean a person, and a subject
 * whose CN is written in capitals (the Ban Cơ yếu profile writes body names so, "CN=<BODY
 * NAME>", and people's full names in normal case) means an organisation.
 */
export function classifySigner(
  cert: pkijs.Certificate,
  options: Pick<VerifyPdfOptions, "organisationPolicyOids" | "personalPolicyOids"> = {},
): { kind: SignerKind; source: SignatureReport["kindSource"] } {
  const policies = policyOids(cert);
  // A policy arc covers its sub-arcs (POLICY.organisation covers organisationOutgoing, …).
  const under = (arcs: readonly string[]) =>
    policies.some((p) => arcs.some((a) => p === a || p.startsWith(`${a}.`)));
  if (under(options.organisationPolicyOids ?? [POLICY.organisation]))
    return { kind: "organisation", source: "policy" };
  if (under(options.personalPolicyOids ?? [POLICY.personal])) return { kind: "personal", source: "policy" };
  const s = cert.subject;
  if ([ATTR.givenName, ATTR.surname, ATTR.pseudonym].some((oid) => attributeValues(s, oid).length > 0))
    return { kind: "personal", source: "name-attributes" };
  const cn = commonName(s) ?? "";
  const letters = cn.replace(/[^\p{L}]/gu, "");
  const organisation = letters.length > 0 && letters === letters.toLocaleUpperCase("vi");
  return { kind: organisation ? "organisation" : "personal", source: "subject-heuristic" };
}

interface RawSignature {
  fieldName: string;
  subFilter: string;
  type: string;
  byteRange?: number[];
  contents?: Uint8Array;
  claimedM?: string;
}

function readSignatures(pdf: PDF): RawSignature[] {
  const resolve = (ref: PdfRef) => pdf.getObject(ref);
  const out: RawSignature[] = [];
  for (const field of pdf.getForm()?.getSignatureFields() ?? []) {
    if (!field.isSigned()) continue;
    const dict = field.getSignatureDict();
    if (!dict) continue;
    const br = dict.getArray("ByteRange", resolve);
    const contents = dict.get("Contents", resolve);
    out.push({
      fieldName: field.name,
      subFilter: dict.getName("SubFilter", resolve)?.value ?? "",
      type: dict.getName("Type", resolve)?.value ?? "Sig",
      byteRange:
        br instanceof PdfArray
          ? br.toArray().map((v) => (v instanceof PdfNumber ? v.value : Number.NaN))
          : undefined,
      contents: contents instanceof PdfString ? contents.bytes : undefined,
      claimedM: dict.getString("M", resolve)?.asString(),
    });
  }
  return out;
}

/** `D:YYYYMMDDHHmmSSOHH'mm'` → Date (lenient on the missing parts). */
export function parsePdfDate(text: string | undefined): Date | undefined {
  const m = text?.match(/^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/);
  if (!m) return undefined;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", sign, oh = "00", om = "00"] = m;
  const utc = Date.UTC(+y!, +mo - 1, +d, +h, +mi, +s);
  const offset = sign === "+" || sign === "-" ? (sign === "+" ? 1 : -1) * (+oh * 60 + +om) * 60_000 : 0;
  return new Date(utc - offset);
}

/** Re-reading a revision prefix is the slow part; each is loaded once. */
class RevisionCache {
  private readonly docs = new Map<number, Promise<PDF>>();
  constructor(private readonly bytes: Uint8Array) {}
  get(end: number): Promise<PDF> {
    let doc = this.docs.get(end);
    if (!doc) {
      doc = PDF.load(this.bytes.subarray(0, end));
      this.docs.set(end, doc);
    }
    return doc;
  }
}

interface TimestampResult {
  time?: Date;
  tsa?: string;
  problems: Reason[];
}

async function verifyTimestamp(
  token: asn1js.AsnType,
  signatureValue: Uint8Array,
  extraCerts: Uint8Array[],
  trust: TrustCallback,
): Promise<TimestampResult> {
  try {
    const info = readTstInfo(new pkijs.ContentInfo({ schema: token }));
    const signerInfo = info.signedData.signerInfos[0];
    if (!signerInfo) return { problems: [reason("PDF_TIMESTAMP_INVALID", { detail: "no signer" })] };
    const cert = findSignerCertificate(info.signedData, signerInfo);
    if (!cert)
      return { problems: [reason("PDF_TIMESTAMP_INVALID", { detail: "TSA certificate not in the token" })] };
    const eContent = octets(info.signedData.encapContentInfo.eContent!);
    const check = verifySignerInfo(signerInfo, cert, (d) => hash(d, eContent));
    if (check.problem) return { problems: [reason("PDF_TIMESTAMP_INVALID", { detail: check.problem.en })] };
    const imprintDigest = DIGEST_BY_OID[info.imprintAlgorithm];
    if (!imprintDigest || !equalBytes(info.imprint, hash(imprintDigest, signatureValue)))
      return {
        problems: [
          reason("PDF_TIMESTAMP_INVALID", { detail: "the time-stamp covers another signature value" }),
        ],
      };
    const tsa = formatName(cert.subject);
    const candidates = [
      ...(info.signedData.certificates ?? [])
        .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
        .map((c) => new Uint8Array(c.toSchema().toBER())),
      ...extraCerts,
    ];
    const verdict = await trust({
      certificate: new Uint8Array(cert.toSchema().toBER()),
      candidates,
      at: info.genTime,
      purpose: "timestamp",
    });
    const problems =
      verdict.status === "valid"
        ? []
        : [
            reason(verdict.status === "invalid" ? "PDF_TIMESTAMP_INVALID" : "PDF_TIMESTAMP_UNTRUSTED", {
              detail: `${verdict.reason ?? ""} ${verdict.messageEn ?? ""}`.trim(),
            }),
          ];
    return { time: info.genTime, tsa, problems };
  } catch (error) {
    return { problems: [reason("PDF_TIMESTAMP_INVALID", { detail: (error as Error).message })] };
  }
}

const serialHex = (i: asn1js.Integer) =>
  Buffer.from(i.valueBlock.valueHexView)
    .toString("hex")
    .replace(/^(00)+/, "")
    .toUpperCase();

/** Revocation evidence embedded in the DSS (CRLs, OCSP responses) whose signatures verify. */
function dssRevocation(
  cert: pkijs.Certificate,
  issuers: pkijs.Certificate[],
  dss: ReturnType<typeof readDss>,
): NonNullable<SignatureReport["revocation"]> {
  const out: NonNullable<SignatureReport["revocation"]> = [];
  const serial = serialHex(cert.serialNumber);
  const issuer = issuers.find((c) => c.subject.isEqual(cert.issuer));
  if (!issuer) return out;
  const issuerKey = new X509Certificate(new Uint8Array(issuer.toSchema().toBER())).publicKey;
  for (const der of dss.crls) {
    try {
      const crl = new pkijs.CertificateRevocationList({ schema: parseDer(der, "CRL") });
      if (!crl.issuer.isEqual(cert.issuer)) continue;
      const digest = {
        [OID.sha256WithRsa]: "sha256",
        [OID.sha384WithRsa]: "sha384",
        [OID.sha512WithRsa]: "sha512",
        [OID.ecdsaWithSha256]: "sha256",
      }[crl.signatureAlgorithm.algorithmId];
      if (
        !digest ||
        !cryptoVerify(
          digest,
          crl.tbsView,
          issuerKey,
          new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
        )
      )
        continue;
      const entry = crl.revokedCertificates?.find((e) => serialHex(e.userCertificate) === serial);
      out.push(
        entry
          ? { source: "dss-crl", status: "revoked", at: entry.revocationDate.value.toISOString() }
          : { source: "dss-crl", status: "good" },
      );
    } catch {
      // unreadable CRLs are ignored: they can only fail to prove anything
    }
  }
  for (const der of dss.ocspResponses) {
    try {
      const resp = new pkijs.OCSPResponse({ schema: parseDer(der, "OCSP") });
      if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) continue;
      const basic = new pkijs.BasicOCSPResponse({
        schema: parseDer(
          new Uint8Array(resp.responseBytes.response.valueBlock.valueHexView),
          "BasicOCSPResponse",
        ),
      });
      const responders = [issuer, ...(basic.certs ?? [])];
      const digest =
        DIGEST_BY_OID[
          {
            [OID.sha256WithRsa]: OID.sha256,
            [OID.sha384WithRsa]: OID.sha384,
            [OID.sha512WithRsa]: OID.sha512,
            [OID.ecdsaWithSha256]: OID.sha256,
          }[basic.signatureAlgorithm.algorithmId] ?? ""
        ];
      const signature = new Uint8Array(basic.signature.valueBlock.valueHexView);
      // The responder is the issuer itself or a certificate it issued (delegated responder).
      const signedBy = responders.find((r) => {
        try {
          const key = new X509Certificate(new Uint8Array(r.toSchema().toBER())).publicKey;
          return (
            !!digest &&
            cryptoVerify(digest, basic.tbsResponseData.tbsView, key, signature) &&
            (r === issuer || r.issuer.isEqual(issuer.subject))
          );
        } catch {
          return false;
        }
      });
      if (!signedBy) continue;
      for (const single of basic.tbsResponseData.responses) {
        if (serialHex(single.certID.serialNumber) !== serial) continue;
        const status = single.certStatus as asn1js.AsnType & { idBlock: { tagNumber: number } };
        if (status.idBlock.tagNumber === 0) out.push({ source: "dss-ocsp", status: "good" });
        else if (status.idBlock.tagNumber === 1) {
          const time = (status as asn1js.Constructed).valueBlock.value[0] as asn1js.GeneralizedTime;
          out.push({ source: "dss-ocsp", status: "revoked", at: time.toDate().toISOString() });
        }
      }
    } catch {
      // as for CRLs
    }
  }
  return out;
}

/**
 * Validates every signature of a PDF (spec §7.2): byte-range coverage, integrity (message
 * digest and CMS signature value), later modifications, signature time-stamp, signer
 * certificate path at the signing time through `trust`, DSS revocation evidence, key usage,
 * and personal/organisation kind. Never throws for a bad signature; throws PDF_MALFORMED /
 * PDF_TOO_LARGE only when the file cannot be examined at all.
 */
export async function verifyPdf(bytes: Uint8Array, options: VerifyPdfOptions): Promise<ValidationReport> {
  const max = options.maxBytes ?? 200 * 1024 * 1024;
  if (bytes.length > max) throw new PdfSignError("PDF_TOO_LARGE", { size: bytes.length, max });
  const now = options.now ?? new Date();
  let pdf: PDF;
  try {
    pdf = await PDF.load(bytes);
  } catch (error) {
    throw new PdfSignError("PDF_MALFORMED", { detail: (error as Error).message }, { cause: error });
  }
  const raws = readSignatures(pdf).sort(
    (a, b) =>
      (a.byteRange?.[2] ?? 0) + (a.byteRange?.[3] ?? 0) - ((b.byteRange?.[2] ?? 0) + (b.byteRange?.[3] ?? 0)),
  );
  const dss = readDss(pdf);
  const revisions = new RevisionCache(bytes);
  const fileReport = { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  if (raws.length === 0) {
    const reasons = [reason("PDF_NO_SIGNATURES")];
    return { verdict: "invalid", file: fileReport, validatedAt: toVietnamIso(now), signatures: [], reasons };
  }
  // A complete incremental update ends with %%EOF (then at most an end-of-line).
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString("latin1");
  const endsCleanly = /%%EOF[\r\n\s]*$/.test(tail);

  const signatures: SignatureReport[] = [];
  for (const [index, raw] of raws.entries()) {
    const reasons: Reason[] = [];
    const report: SignatureReport = {
      index: index + 1,
      fieldName: raw.fieldName,
      subFilter: raw.subFilter,
      level: "unknown",
      coversWholeFile: false,
      validationTime: toVietnamIso(now),
      timeSource: "now",
      integrity: { digestMatches: false, signatureValueValid: false },
      changesAfter: { allowed: [], disallowed: [] },
      verdict: "indeterminate",
      reasons,
    };
    signatures.push(report);
    const done = () => {
      report.verdict = worst(reasons);
    };
    if (
      raw.type === "DocTimeStamp" ||
      !["ETSI.CAdES.detached", "adbe.pkcs7.detached"].includes(raw.subFilter)
    ) {
      reasons.push(reason("PDF_SUBFILTER_UNSUPPORTED", { subFilter: raw.subFilter || raw.type }));
      done();
      continue;
    }
    // --- byte range ---
    const br = raw.byteRange;
    const brOk =
      br &&
      br.length === 4 &&
      br.every((v) => Number.isSafeInteger(v) && v >= 0) &&
      br[0] === 0 &&
      br[1]! > 0 &&
      br[2]! > br[1]! + 1;
    if (!brOk) {
      reasons.push(reason("PDF_BYTE_RANGE_INVALID", { detail: `ByteRange ${JSON.stringify(br)}` }));
      done();
      continue;
    }
    const [, len1, off2, len2] = br as [number, number, number, number];
    report.byteRange = br;
    report.revisionEnd = off2 + len2;
    if (off2 + len2 > bytes.length) {
      reasons.push(
        reason("PDF_BYTE_RANGE_INVALID", {
          detail: `the signed range ends at ${off2 + len2}, past the end of the file (${bytes.length}): truncated`,
        }),
      );
      done();
      continue;
    }
    const gap = Buffer.from(bytes.subarray(len1, off2)).toString("latin1");
    if (!/^<[0-9a-fA-F\s]*>$/.test(gap)) {
      reasons.push(
        reason("PDF_BYTE_RANGE_INVALID", { detail: "the unsigned gap is not exactly the /Contents string" }),
      );
      done();
      continue;
    }
    const contents = new Uint8Array(Buffer.from(gap.slice(1, -1).replace(/\s/g, ""), "hex"));
    if (!raw.contents || !equalBytes(contents, raw.contents)) {
      reasons.push(
        reason("PDF_BYTE_RANGE_INVALID", { detail: "the unsigned gap is not this signature's /Contents" }),
      );
      done();
      continue;
    }
    // --- CMS ---
    let signedData: pkijs.SignedData;
    let signerInfo: pkijs.SignerInfo;
    try {
      const ci = new pkijs.ContentInfo({ schema: parseDer(contents, "CMS") });
      if (ci.contentType !== OID.signedData) throw new Error("not SignedData");
      signedData = new pkijs.SignedData({ schema: ci.content });
      if (signedData.signerInfos.length !== 1) throw new Error(`${signedData.signerInfos.length} signers`);
      signerInfo = signedData.signerInfos[0]!;
    } catch (error) {
      reasons.push(reason("PDF_SIGNATURE_UNREADABLE", { detail: (error as Error).message }));
      done();
      continue;
    }
    const cert = findSignerCertificate(signedData, signerInfo);
    if (!cert) {
      reasons.push(reason("PDF_SIGNER_CERTIFICATE_MISSING"));
      done();
      continue;
    }
    const certDer = new Uint8Array(cert.toSchema().toBER());
    report.signer = {
      subject: formatName(cert.subject),
      commonName: commonName(cert.subject),
      issuer: formatName(cert.issuer),
      serialNumber: serialHex(cert.serialNumber),
      notBefore: toVietnamIso(cert.notBefore.value),
      notAfter: toVietnamIso(cert.notAfter.value),
    };
    const classified = classifySigner(cert, options);
    report.kind = classified.kind;
    report.kindSource = classified.source;
    const signed = new Uint8Array(len1 + len2);
    signed.set(bytes.subarray(0, len1), 0);
    signed.set(bytes.subarray(off2, off2 + len2), len1);
    const integrity = verifySignerInfo(signerInfo, cert, (d) => hash(d, signed));
    report.integrity = {
      digestMatches: integrity.digestMatches,
      signatureValueValid: integrity.signatureValueValid,
    };
    if (integrity.problem) reasons.push(integrity.problem);
    const essProblem = checkSigningCertificateAttribute(signerInfo, certDer);
    if (essProblem) reasons.push(essProblem);
    // --- time ---
    const claimedAttr = attributeOf(signerInfo.signedAttrs, OID.signingTime) as
      | asn1js.UTCTime
      | asn1js.GeneralizedTime
      | undefined;
    const claimed = claimedAttr ? claimedAttr.toDate() : parsePdfDate(raw.claimedM);
    if (claimed) report.claimedSigningTime = toVietnamIso(claimed);
    const cmsCerts = (signedData.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    const candidates = [
      ...cmsCerts.filter((c) => c !== cert).map((c) => new Uint8Array(c.toSchema().toBER())),
      ...dss.certificates,
    ];
    const token = attributeOf(signerInfo.unsignedAttrs, OID.signatureTimeStampToken);
    let at = now;
    if (token) {
      const ts = await verifyTimestamp(
        token,
        new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
        candidates,
        options.trust,
      );
      reasons.push(...ts.problems);
      if (ts.time) {
        report.timestamp = {
          time: toVietnamIso(ts.time),
          valid: ts.problems.length === 0,
          ...(ts.tsa ? { tsa: ts.tsa } : {}),
        };
        if (ts.problems.length === 0) {
          at = ts.time;
          report.timeSource = "timestamp";
        }
      }
    }
    if (report.timeSource !== "timestamp") {
      if (claimed) {
        at = claimed;
        report.timeSource = "claimed";
      }
      reasons.push(reason("PDF_SIGNING_TIME_UNTRUSTED"));
    }
    report.validationTime = toVietnamIso(at);
    // --- certificate ---
    if (!keyUsageAllowsSigning(cert)) reasons.push(reason("PDF_KEY_USAGE_INVALID"));
    const verdict = await options.trust({
      certificate: certDer,
      candidates,
      at,
      purpose: "document-signature",
    });
    report.certificate = verdict;
    const detail = [verdict.reason, verdict.messageEn].filter(Boolean).join(": ");
    if (verdict.status === "invalid")
      reasons.push(
        /REVOKED/.test(verdict.reason ?? "")
          ? reason("PDF_CERTIFICATE_REVOKED", { detail })
          : reason("PDF_CERTIFICATE_UNTRUSTED", { detail }),
      );
    else if (verdict.status === "indeterminate")
      reasons.push(reason("PDF_CERTIFICATE_STATUS_UNKNOWN", { detail }));
    const issuers = [
      ...cmsCerts,
      ...dss.certificates.flatMap((d) => {
        try {
          return [parseCertificate(d)];
        } catch {
          return [];
        }
      }),
    ];
    const revocation = dssRevocation(cert, issuers, dss);
    if (revocation.length) report.revocation = revocation;
    const revokedEarlier = revocation.find((r) => r.status === "revoked" && r.at && new Date(r.at) <= at);
    if (revokedEarlier && !reasons.some((r) => r.code === "PDF_CERTIFICATE_REVOKED"))
      reasons.push(
        reason("PDF_CERTIFICATE_REVOKED", { detail: `${revokedEarlier.source} ${revokedEarlier.at}` }),
      );
    report.level = token
      ? revocation.length > 0 || dss.crls.length + dss.ocspResponses.length > 0
        ? "B-LT"
        : "B-T"
      : "B-B";
    // --- coverage and later changes ---
    const end = off2 + len2;
    if (end === bytes.length) report.coversWholeFile = true;
    else {
      try {
        const changes = compareRevisions(await revisions.get(end), pdf);
        report.changesAfter = changes;
        if (changes.disallowed.length)
          reasons.push(reason("PDF_MODIFIED_AFTER_SIGNING", { detail: changes.disallowed.join("; ") }));
      } catch (error) {
        reasons.push(
          reason("PDF_MODIFIED_AFTER_SIGNING", {
            detail: `the signed revision cannot be read: ${(error as Error).message}`,
          }),
        );
      }
    }
    if (index === raws.length - 1 && !endsCleanly)
      reasons.push(reason("PDF_NOT_COVERING_WHOLE_FILE", { unsigned: bytes.length - end }));
    done();
  }
  const reasons: Reason[] = [];
  const verdict = worst(signatures.map((s) => ({ ...reason("PDF_NO_SIGNATURES"), severity: s.verdict })));
  return { verdict, file: fileReport, validatedAt: toVietnamIso(now), signatures, reasons };
}
