/**
 * Certification path validation at a given time, against configured trust anchors, with
 * revocation from OCSP (cached) or CRLs. The result is explicit: valid / invalid /
 * indeterminate with a stable reason code; revocation data that cannot be obtained gives
 * "indeterminate", never "valid".
 */
import { X509Certificate as NodeX509 } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TrustCallback, TrustStatus, TrustVerdict } from "@truc/common";
import type { RevocationStatus } from "./ca.ts";
import { type ParsedCrl, parseCrl } from "./crl.ts";
import { type Bytes, certToDer, normalizeSerial, readPemBlocks } from "./der.ts";
import { PkiError, type PkiErrorCode } from "./errors.ts";
import { getBytes } from "./http.ts";
import { type OcspResult, queryOcsp } from "./ocsp.ts";
import { OID, type RevocationReason } from "./oids.ts";
import { x509 } from "./setup.ts";

export type ValidationPurpose = Parameters<TrustCallback>[0]["purpose"] | "tls-server" | "any";

export interface ValidatedCertificate {
  subject: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
}

export interface RevocationCheck {
  subject: string;
  serial: string;
  source: "ocsp" | "ocsp-cache" | "crl" | "local" | "trust-anchor" | "none";
  status: "good" | "revoked" | "unknown" | "unavailable";
  revokedAt?: Date;
  reason?: RevocationReason;
}

export interface ValidationResult extends TrustVerdict {
  readonly status: TrustStatus;
  readonly at: Date;
  readonly purpose: ValidationPurpose;
  /** Leaf first, trust anchor last (as far as it was built). */
  readonly path: readonly ValidatedCertificate[];
  readonly revocation: readonly RevocationCheck[];
  /** Raw OCSP responses and CRLs used, to keep as evidence next to the document. */
  readonly evidence: { readonly ocsp: readonly Buffer[]; readonly crls: readonly Buffer[] };
}

export interface RevocationOptions {
  /** "require" (default): no data → indeterminate. "off": skip revocation (tests, offline demos). */
  mode?: "require" | "off";
  /** Query OCSP (AIA URL, or `ocspUrl`). Default true. */
  ocsp?: boolean;
  /** Use this responder instead of the certificate's AIA URL (a local responder). */
  ocspUrl?: string;
  /** Fetch CRLs from the certificate's CRLDP. Default true. */
  fetchCrls?: boolean;
  /** CRLs known locally (PEM or DER). */
  crls?: readonly (Bytes | string)[];
  /** A local status source, e.g. an in-process CA (`(serial) => ca.status(serial)`). */
  localSource?: (
    certificate: NodeX509,
    issuer: NodeX509,
  ) => RevocationStatus | undefined | Promise<RevocationStatus | undefined>;
  ocspCache?: OcspCache;
  timeoutMs?: number;
}

export interface ValidatorOptions {
  /** Trust anchors: DER/PEM certificates (see `loadCertificates` for files and directories). */
  trustAnchors: readonly (Bytes | string)[];
  /** Known intermediates (the issuing CAs), used when a signature carries only the leaf. */
  intermediates?: readonly (Bytes | string)[];
  /** Fetch missing issuers from the AIA caIssuers URL. Default false. */
  fetchIntermediates?: boolean;
  revocation?: RevocationOptions;
  /** Current time for freshness of revocation data (validation time is per call). */
  now?: () => Date;
  maxPathLength?: number;
}

/** OCSP responses cached per (issuer, serial) until nextUpdate or `maxAgeMs`, whichever first. */
export class OcspCache {
  private readonly entries = new Map<string, { result: OcspResult; fetchedAt: number }>();
  readonly maxAgeMs: number;
  readonly maxEntries: number;
  constructor(o: { maxAgeMs?: number; maxEntries?: number } = {}) {
    this.maxAgeMs = o.maxAgeMs ?? 5 * 60_000;
    this.maxEntries = o.maxEntries ?? 10_000;
  }
  get(key: string, now: Date): OcspResult | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const t = now.getTime();
    const fresh =
      t - e.fetchedAt <= this.maxAgeMs && (!e.result.nextUpdate || e.result.nextUpdate.getTime() >= t);
    if (!fresh) {
      this.entries.delete(key);
      return undefined;
    }
    return e.result;
  }
  set(key: string, result: OcspResult, now: Date): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { result, fetchedAt: now.getTime() });
  }
  get size(): number {
    return this.entries.size;
  }
}

/** Reads certificates from PEM/DER files and directories (*.pem, *.crt, *.cer, *.der). */
export function loadCertificates(paths: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  const readOne = (file: string) => {
    const data = readFileSync(file);
    const text = data.toString("latin1");
    if (text.includes("-----BEGIN CERTIFICATE-----"))
      for (const b of readPemBlocks(data.toString("utf8"), ["CERTIFICATE"])) out.push(b.der);
    else out.push(data);
  };
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort())
        if (/\.(pem|crt|cer|der)$/i.test(name)) readOne(join(p, name));
    } else readOne(p);
  }
  return out;
}

interface CertInfo {
  notBefore: Date;
  notAfter: Date;
  subjectDn: string;
  keyUsage: number | undefined;
  ekus: string[] | undefined;
  ekuCritical: boolean;
  ocspNoCheck: boolean;
  crlUrls: string[];
  ocspUrls: string[];
  caIssuerUrls: string[];
  pathLength: number | undefined;
}

const KU = x509.KeyUsageFlags;
const DOCUMENT_EKUS = [OID.emailProtection, "2.5.29.37.0", "1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.311.10.3.12"];

const displayName = (c: NodeX509) => c.subject.split("\n").join(", ");

export class CertificateValidator {
  private readonly anchors: NodeX509[];
  private readonly anchorPrints: Set<string>;
  private readonly intermediates: NodeX509[];
  private readonly info = new Map<string, CertInfo>();
  private readonly crlsByIssuer = new Map<string, ParsedCrl[]>();
  private readonly crlByUrl = new Map<string, ParsedCrl>();
  private readonly fetchedIssuers = new Map<string, NodeX509>();
  readonly ocspCache: OcspCache;
  private readonly o: ValidatorOptions;
  private readonly now: () => Date;

  constructor(options: ValidatorOptions) {
    this.o = options;
    this.now = options.now ?? (() => new Date());
    this.anchors = options.trustAnchors.map((c) => new NodeX509(certToDer(c)));
    if (this.anchors.length === 0)
      throw new PkiError("PKI_BAD_REQUEST", { what: "no trust anchors configured" });
    this.anchorPrints = new Set(this.anchors.map((a) => a.fingerprint256));
    this.intermediates = (options.intermediates ?? []).map((c) => new NodeX509(certToDer(c)));
    this.ocspCache = options.revocation?.ocspCache ?? new OcspCache();
    for (const crl of options.revocation?.crls ?? []) this.addCrl(crl);
  }

  /** Adds a CRL to the local revocation store (e.g. after a periodic download). */
  addCrl(crl: Bytes | string): void {
    const parsed = parseCrl(crl);
    const list = this.crlsByIssuer.get(parsed.issuerDn) ?? [];
    list.push(parsed);
    this.crlsByIssuer.set(parsed.issuerDn, list);
  }

  /** Days until expiry of every certificate this node depends on (anchors, intermediates, `extra`). */
  expiryCountdown(
    extra: readonly (Bytes | string)[] = [],
    now = this.now(),
  ): { subject: string; serial: string; notAfter: Date; daysLeft: number; role: string }[] {
    const rows = [
      ...this.anchors.map((c) => ({ c, role: "trust-anchor" })),
      ...this.intermediates.map((c) => ({ c, role: "intermediate" })),
      ...extra.map((e) => ({ c: new NodeX509(certToDer(e)), role: "own" })),
    ];
    return rows
      .map(({ c, role }) => {
        const notAfter = new Date(c.validTo);
        return {
          subject: displayName(c),
          serial: normalizeSerial(c.serialNumber),
          notAfter,
          daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
          role,
        };
      })
      .sort((a, b) => a.daysLeft - b.daysLeft);
  }

  async validate(input: {
    certificate: Bytes | string;
    candidates?: readonly (Bytes | string)[];
    at?: Date;
    purpose?: ValidationPurpose;
  }): Promise<ValidationResult> {
    const at = input.at ?? this.now();
    const purpose = input.purpose ?? "any";
    const path: NodeX509[] = [];
    const checks: RevocationCheck[] = [];
    const evidence = { ocsp: [] as Buffer[], crls: [] as Buffer[] };
    const result = (
      status: TrustStatus,
      reason?: PkiErrorCode,
      details: Record<string, unknown> = {},
    ): ValidationResult => {
      const leaf = path[0];
      const base = {
        status,
        at,
        purpose,
        ...(leaf ? { subject: displayName(leaf) } : {}),
        path: path.map((c) => ({
          subject: displayName(c),
          serial: normalizeSerial(c.serialNumber),
          notBefore: new Date(c.validFrom),
          notAfter: new Date(c.validTo),
          fingerprint256: c.fingerprint256,
        })),
        revocation: checks,
        evidence,
      };
      if (!reason) return base;
      const e = new PkiError(reason, { subject: leaf ? displayName(leaf) : "?", ...details });
      return { ...base, reason, messageVi: e.messageVi, messageEn: e.messageEn };
    };

    let leaf: NodeX509;
    try {
      leaf = new NodeX509(certToDer(input.certificate));
    } catch {
      return result("invalid", "PKI_MALFORMED", { what: "certificate" });
    }
    path.push(leaf);
    const pool = [
      ...(input.candidates ?? []).flatMap((c) => {
        try {
          return [new NodeX509(certToDer(c))];
        } catch {
          return [];
        }
      }),
      ...this.intermediates,
    ];

    // 1. build the path up to a trust anchor, checking each signature
    const max = this.o.maxPathLength ?? 6;
    for (let current = leaf; !this.anchorPrints.has(current.fingerprint256); ) {
      if (path.length > max) return result("invalid", "PKI_PATH_TOO_LONG");
      const named = [...this.anchors, ...pool, ...this.fetchedIssuers.values()].filter(
        (c) => c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c),
      );
      let issuer = named.find((c) => current.verify(c.publicKey));
      if (!issuer && named.length === 0 && this.o.fetchIntermediates)
        issuer = await this.fetchIssuer(current);
      if (!issuer) {
        const subjectDetail = { subject: displayName(current) };
        if (named.length > 0) return result("invalid", "PKI_BAD_SIGNATURE", subjectDetail);
        if (current.checkIssued(current)) return result("invalid", "PKI_UNTRUSTED_ROOT", subjectDetail);
        return result("invalid", "PKI_CHAIN_INCOMPLETE", subjectDetail);
      }
      path.push(issuer);
      current = issuer;
    }

    // 2. validity at `at`, CA constraints, key usage for the purpose
    for (const [i, c] of path.entries()) {
      const d = { subject: displayName(c) };
      const info = this.infoOf(c);
      if (at < info.notBefore) return result("invalid", "PKI_NOT_YET_VALID", d);
      if (at > info.notAfter) return result("invalid", "PKI_EXPIRED", d);
      if (i > 0) {
        if (!c.ca || (info.keyUsage !== undefined && !(info.keyUsage & KU.keyCertSign)))
          return result("invalid", "PKI_NOT_CA", d);
        if (info.pathLength !== undefined && i - 1 > info.pathLength)
          return result("invalid", "PKI_PATH_TOO_LONG", d);
      }
    }
    if (!this.purposeAllowed(leaf, purpose)) return result("invalid", "PKI_KEY_USAGE", { purpose });

    // 3. revocation of every certificate below the anchor
    if (this.o.revocation?.mode !== "off") {
      let undecided: NodeX509 | undefined;
      for (let i = 0; i < path.length - 1; i++) {
        const c = path[i]!;
        const issuer = path[i + 1]!;
        const check = await this.revocationOf(c, issuer, evidence);
        checks.push(check);
        if (check.status === "revoked" && check.revokedAt && check.revokedAt <= at) {
          if (check.reason === "certificateHold") undecided ??= c;
          else
            return result("invalid", "PKI_REVOKED", {
              subject: displayName(c),
              reason: check.reason ?? "unspecified",
            });
        }
        if (check.status === "unknown" || check.status === "unavailable") undecided ??= c;
      }
      if (undecided) {
        const held = checks.find((k) => k.reason === "certificateHold" && k.revokedAt && k.revokedAt <= at);
        return held
          ? result("indeterminate", "PKI_SUSPENDED", { subject: held.subject })
          : result("indeterminate", "PKI_REVOCATION_UNAVAILABLE", { subject: displayName(undecided) });
      }
    }
    return result("valid");
  }

  private purposeAllowed(c: NodeX509, purpose: ValidationPurpose): boolean {
    const info = this.infoOf(c);
    const ku = info.keyUsage;
    const has = (flag: number) => ku === undefined || (ku & flag) !== 0;
    const ekuAllows = (...oids: string[]) =>
      info.ekus === undefined || info.ekus.some((e) => oids.includes(e) || e === "2.5.29.37.0");
    switch (purpose) {
      case "document-signature":
        return (has(KU.digitalSignature) || has(KU.nonRepudiation)) && ekuAllows(...DOCUMENT_EKUS);
      case "package-signature":
        return has(KU.digitalSignature) && ekuAllows(...DOCUMENT_EKUS, OID.clientAuth);
      case "tls-client":
        return has(KU.digitalSignature) && ekuAllows(OID.clientAuth);
      case "tls-server":
        return has(KU.digitalSignature) && ekuAllows(OID.serverAuth);
      case "timestamp":
        // RFC 3161 §2.3: the TSA certificate has exactly one, critical, EKU: id-kp-timeStamping
        return (
          has(KU.digitalSignature) &&
          info.ekuCritical &&
          info.ekus?.length === 1 &&
          info.ekus[0] === OID.timeStamping
        );
      default:
        return true;
    }
  }

  private infoOf(c: NodeX509): CertInfo {
    let info = this.info.get(c.fingerprint256);
    if (info) return info;
    const p = new x509.X509Certificate(c.raw);
    const ku = p.getExtension(x509.KeyUsagesExtension);
    const eku = p.getExtension(x509.ExtendedKeyUsageExtension);
    const bc = p.getExtension(x509.BasicConstraintsExtension);
    const crldp = p.getExtension(x509.CRLDistributionPointsExtension);
    const aia = p.getExtension(x509.AuthorityInfoAccessExtension);
    const urls = (items: { type: string; value: string }[] | undefined) =>
      (items ?? []).filter((g) => g.type === "url").map((g) => g.value);
    info = {
      notBefore: new Date(c.validFrom),
      notAfter: new Date(c.validTo),
      subjectDn: p.subject,
      keyUsage: ku ? ku.usages : undefined,
      ekus: eku ? eku.usages.map(String) : undefined,
      ekuCritical: eku?.critical ?? false,
      ocspNoCheck: p.extensions.some((e) => e.type === OID.ocspNoCheck),
      crlUrls: (crldp?.distributionPoints ?? []).flatMap((dp) =>
        (dp.distributionPoint?.fullName ?? [])
          .map((g) => g.uniformResourceIdentifier)
          .filter((u): u is string => Boolean(u)),
      ),
      ocspUrls: urls(aia?.ocsp.map((g) => g.toJSON())),
      caIssuerUrls: urls(aia?.caIssuers.map((g) => g.toJSON())),
      pathLength: bc?.pathLength,
    };
    if (this.info.size > 10_000) this.info.clear();
    this.info.set(c.fingerprint256, info);
    return info;
  }

  private async fetchIssuer(c: NodeX509): Promise<NodeX509 | undefined> {
    for (const url of this.infoOf(c).caIssuerUrls) {
      try {
        const data = await getBytes(url, this.o.revocation?.timeoutMs ?? 5000, 1 << 20);
        const text = data.toString("latin1");
        const ders = text.includes("-----BEGIN")
          ? readPemBlocks(data.toString("utf8"), ["CERTIFICATE"]).map((b) => b.der)
          : [data];
        for (const der of ders) {
          const cand = new NodeX509(der);
          if (c.checkIssued(cand) && c.verify(cand.publicKey)) {
            this.fetchedIssuers.set(cand.fingerprint256, cand);
            return cand;
          }
        }
      } catch {
        // try the next URL; a missing issuer is reported as PKI_CHAIN_INCOMPLETE
      }
    }
    return undefined;
  }

  private async revocationOf(
    c: NodeX509,
    issuer: NodeX509,
    evidence: { ocsp: Buffer[]; crls: Buffer[] },
  ): Promise<RevocationCheck> {
    const r = this.o.revocation ?? {};
    const now = this.now();
    const serial = normalizeSerial(c.serialNumber);
    const base = { subject: displayName(c), serial };
    const info = this.infoOf(c);
    if (info.ocspNoCheck && info.ekus?.includes(OID.ocspSigning))
      return { ...base, source: "none", status: "good" };

    if (r.localSource) {
      const s = await r.localSource(c, issuer);
      if (s && s.status !== "unknown")
        return {
          ...base,
          source: "local",
          status: s.status,
          ...(s.revokedAt ? { revokedAt: s.revokedAt } : {}),
          ...(s.reason ? { reason: s.reason } : {}),
        };
    }

    if (r.ocsp !== false) {
      const key = `${issuer.fingerprint256}/${serial}`;
      const cached = this.ocspCache.get(key, now);
      if (cached && cached.status !== "unknown") {
        evidence.ocsp.push(cached.der);
        return {
          ...base,
          source: "ocsp-cache",
          status: cached.status,
          ...(cached.revokedAt ? { revokedAt: cached.revokedAt } : {}),
          ...(cached.reason ? { reason: cached.reason } : {}),
        };
      }
      const urls = r.ocspUrl ? [r.ocspUrl] : info.ocspUrls;
      for (const url of urls) {
        try {
          const res = await queryOcsp({
            certificate: c.raw,
            issuer: issuer.raw,
            url,
            now,
            timeoutMs: r.timeoutMs ?? 5000,
          });
          if (res.status === "unknown") continue;
          this.ocspCache.set(key, res, now);
          evidence.ocsp.push(res.der);
          return {
            ...base,
            source: "ocsp",
            status: res.status,
            ...(res.revokedAt ? { revokedAt: res.revokedAt } : {}),
            ...(res.reason ? { reason: res.reason } : {}),
          };
        } catch {
          // responder down or answer unusable: fall back to CRLs
        }
      }
    }

    const crl = await this.crlFor(c, issuer, info, now);
    if (crl) {
      evidence.crls.push(crl.der);
      const entry = crl.entries.get(serial);
      return entry
        ? { ...base, source: "crl", status: "revoked", revokedAt: entry.revokedAt, reason: entry.reason }
        : { ...base, source: "crl", status: "good" };
    }
    return { ...base, source: "none", status: "unavailable" };
  }

  private async crlFor(
    c: NodeX509,
    issuer: NodeX509,
    info: CertInfo,
    now: Date,
  ): Promise<ParsedCrl | undefined> {
    const issuerDn = this.infoOf(issuer).subjectDn;
    const usable = async (crl: ParsedCrl) =>
      crl.issuerDn === issuerDn &&
      (!crl.nextUpdate || crl.nextUpdate >= now) &&
      crl.thisUpdate <= new Date(now.getTime() + 300_000) &&
      (await crl.verifiedBy(issuer));
    const local = (this.crlsByIssuer.get(issuerDn) ?? []).sort(
      (a, b) => (b.crlNumber ?? 0) - (a.crlNumber ?? 0),
    );
    for (const crl of local) if (await usable(crl)) return crl;
    if (this.o.revocation?.fetchCrls === false) return undefined;
    for (const url of info.crlUrls) {
      const cached = this.crlByUrl.get(url);
      if (cached && (await usable(cached))) return cached;
      try {
        const fetched = parseCrl(await getBytes(url, this.o.revocation?.timeoutMs ?? 5000));
        if (await usable(fetched)) {
          this.crlByUrl.set(url, fetched);
          return fetched;
        }
      } catch {
        // next URL
      }
    }
    void c;
    return undefined;
  }
}

/** A `TrustCallback` for the edXML and PAdES verifiers and for mTLS peers. */
export function createTrustCallback(options: ValidatorOptions | CertificateValidator): TrustCallback {
  const validator = options instanceof CertificateValidator ? options : new CertificateValidator(options);
  return async ({ certificate, candidates, at, purpose }) => {
    const r = await validator.validate({ certificate, candidates, at, purpose });
    return {
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.messageVi ? { messageVi: r.messageVi } : {}),
      ...(r.messageEn ? { messageEn: r.messageEn } : {}),
      ...(r.subject ? { subject: r.subject } : {}),
    };
  };
}
