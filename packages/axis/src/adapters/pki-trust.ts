/**
 * Package-signature trust through @truc/pki: path validation to the configured anchors, with
 * revocation from OCSP (cached) or CRLs. Revocation data that cannot be obtained gives
 * "indeterminate", which the accept pipeline refuses under the "require" policy.
 *
 * A "valid" verdict is remembered per (certificate, candidates, purpose) and reused only while
 * the validator itself would reach the same answer from the data it holds: the validation time
 * lies inside every path certificate's validity, every OCSP answer it rested on is still in the
 * validator's OCSP cache with the same status (same maxAge/nextUpdate rules), every CRL it rested
 * on is still before its nextUpdate, and no CRL has been added since. Anything else — invalid,
 * indeterminate, a "revoked later than `at`" entry, a local revocation source — is recomputed
 * every time. Path building (certificate parsing, issuer signatures, extensions) was ≈1 ms of
 * CPU per package; a hit costs a hash of the certificate bytes and a few map lookups.
 */
import { createHash } from "node:crypto";
import type { TrustCallback, TrustVerdict } from "@truc/common";
import { CertificateValidator, parseCrl, type ValidationResult, type ValidatorOptions } from "@truc/pki";
import type { NodeConfig } from "../config.ts";

/** A PEM entry may be a bundle: one string per certificate. */
function certificates(pems: readonly string[]): string[] {
  return pems.flatMap((p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
}

export function createNodeTrust(config: NodeConfig): TrustCallback | undefined {
  const anchors = config.trust.anchors.length > 0 ? config.trust.anchors : (config.tls?.ca ?? []);
  if (certificates(anchors).length === 0) return undefined;
  return createCachedTrust({
    trustAnchors: certificates(anchors),
    intermediates: certificates(config.trust.intermediates),
    revocation: {
      mode: config.trust.revocation,
      ...(config.trust.ocspUrl ? { ocspUrl: config.trust.ocspUrl } : {}),
      crls: [...config.trust.crls],
      timeoutMs: 5000,
    },
  }).trust;
}

interface CachedVerdict {
  verdict: TrustVerdict;
  /** Validation time of the computation: a later `at` may reuse it, an earlier one may not. */
  at: number;
  /** Earliest notAfter of the path: past it the certificate (or a CA) has expired. */
  notAfter: number;
  /** Earliest nextUpdate of the CRLs used (wall clock), Infinity if none. */
  crlFreshUntil: number;
  /** OCSP cache keys and the status they held ("good"). */
  ocsp: string[];
  generation: number;
}

export interface CachedTrust {
  trust: TrustCallback;
  validator: CertificateValidator;
  /** Adds a CRL to the validator and forgets every remembered verdict. */
  addCrl(crl: Uint8Array | string): void;
  stats(): { hits: number; misses: number; size: number };
}

/**
 * Wraps a validator (or builds one from options) with the verdict cache. A CRL added later —
 * through `addCrl` here or on the validator itself — forgets every remembered verdict.
 * `localSource` revocation (an in-process CA) is never cached: it can change at any moment.
 */
export function createCachedTrust(
  options: ValidatorOptions | CertificateValidator,
  cacheOptions: { maxEntries?: number; now?: () => Date; localSource?: boolean } = {},
): CachedTrust {
  const validator = options instanceof CertificateValidator ? options : new CertificateValidator(options);
  const now =
    cacheOptions.now ??
    (options instanceof CertificateValidator ? undefined : options.now) ??
    (() => new Date());
  const maxEntries = cacheOptions.maxEntries ?? 10_000;
  const entries = new Map<string, CachedVerdict>();
  const localSource =
    cacheOptions.localSource ??
    (options instanceof CertificateValidator ? true : options.revocation?.localSource !== undefined);
  let generation = 0;
  const addToValidator = validator.addCrl.bind(validator);
  validator.addCrl = (crl) => {
    addToValidator(crl);
    generation++;
    entries.clear();
  };
  let hits = 0;
  let misses = 0;

  const stillFresh = (e: CachedVerdict, at: Date): boolean => {
    if (e.generation !== generation) return false;
    const t = at.getTime();
    if (t < e.at || t > e.notAfter) return false;
    const wall = now();
    if (wall.getTime() > e.crlFreshUntil) return false;
    for (const key of e.ocsp) {
      const r = validator.ocspCache.get(key, wall);
      if (!r || r.status !== "good") return false;
    }
    return true;
  };

  const remember = (key: string, r: ValidationResult): void => {
    if (r.status !== "valid" || localSource) return;
    const crlFreshUntil = Math.min(
      Infinity,
      ...r.evidence.crls.map((der) => parseCrl(der).nextUpdate?.getTime() ?? Infinity),
    );
    const ocsp: string[] = [];
    for (const [i, check] of r.revocation.entries()) {
      if (check.status !== "good" || check.revokedAt) return;
      if (check.source === "ocsp" || check.source === "ocsp-cache") {
        const issuer = r.path[i + 1];
        if (!issuer) return;
        ocsp.push(`${issuer.fingerprint256}/${check.serial}`);
      } else if (check.source !== "crl" && check.source !== "none" && check.source !== "trust-anchor") return;
    }
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, {
      verdict: toVerdict(r),
      at: r.at.getTime(),
      notAfter: Math.min(...r.path.map((c) => c.notAfter.getTime())),
      crlFreshUntil,
      ocsp,
      generation,
    });
  };

  const trust: TrustCallback = async ({ certificate, candidates, at, purpose }) => {
    const h = createHash("sha256").update(purpose).update(certificate);
    for (const c of candidates) h.update(String(c.length)).update(c);
    const key = h.digest("base64");
    const cached = entries.get(key);
    if (cached && stillFresh(cached, at)) {
      hits++;
      return cached.verdict;
    }
    if (cached) entries.delete(key);
    misses++;
    const r = await validator.validate({ certificate, candidates, at, purpose });
    remember(key, r);
    return toVerdict(r);
  };

  return {
    trust,
    validator,
    addCrl: (crl) => validator.addCrl(crl),
    stats: () => ({ hits, misses, size: entries.size }),
  };
}

function toVerdict(r: ValidationResult): TrustVerdict {
  return {
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.messageVi ? { messageVi: r.messageVi } : {}),
    ...(r.messageEn ? { messageEn: r.messageEn } : {}),
    ...(r.subject ? { subject: r.subject } : {}),
  };
}
