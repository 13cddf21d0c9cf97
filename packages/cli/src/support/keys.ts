/**
 * Signing keys and trust anchors from command-line flags: a PEM key + certificate chain, a
 * PKCS#12 file, or a @truc/pki CA directory (key store); trust from anchor certificates with
 * @truc/pki path validation (CRLs, OCSP) when it offers it, else a plain chain check.
 */
import { createPrivateKey, sign as cryptoSign, X509Certificate } from "node:crypto";
import type { Signer, TrustCallback, TrustVerdict } from "@truc/common";
import { CliError } from "./errors.ts";
import { readFileOrThrow } from "./io.ts";

/** All PEM blocks of a type in a file (certificates, CRLs), as DER; a DER file is returned as is. */
export function pemBlocks(path: string, label: string): Uint8Array[] {
  const data = readFileOrThrow(path);
  const ascii = data.toString("latin1");
  if (!ascii.includes("-----BEGIN")) return [new Uint8Array(data)];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  return [...ascii.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64")));
}

export interface SignerFlags {
  key?: string;
  cert?: string;
  keyPasswordEnv?: string;
  p12?: string;
  passwordEnv?: string;
  keyStore?: string;
  serial?: string;
}

const usage = (detail: string) => new CliError("CLI_USAGE", { detail });
const secretFromEnv = (name: string | undefined) => (name ? process.env[name] : undefined);

export function hasSigner(o: SignerFlags): boolean {
  return Boolean(o.p12 || o.keyStore || (o.key && o.cert));
}

export async function loadSigner(o: SignerFlags): Promise<Signer> {
  if (o.p12) {
    const { P12Signer } = await import("@libpdf/core");
    const password = secretFromEnv(o.passwordEnv ?? "TRUC_KEY_PASSWORD") ?? "";
    const p12 = await P12Signer.create(new Uint8Array(readFileOrThrow(o.p12)), password);
    return {
      algorithm: p12.keyType === "RSA" ? "RSA-SHA256" : "ECDSA-P256-SHA256",
      certificate: p12.certificate,
      chain: p12.certificateChain,
      sign: (data) => p12.sign(data, "SHA-256"),
    };
  }
  if (o.keyStore) {
    if (!o.serial) throw usage("--key-store needs --serial");
    const { CertificateAuthority } = await import("@truc/pki");
    const ca = await CertificateAuthority.open({
      dir: o.keyStore,
      passphrase: secretFromEnv(o.passwordEnv ?? "TRUC_KEY_PASSWORD") ?? "",
    });
    return ca.signerFor(o.serial, secretFromEnv(o.keyPasswordEnv));
  }
  if (!o.key || !o.cert) throw usage("give --key and --cert, --p12, or --key-store and --serial");
  const passphrase = secretFromEnv(o.keyPasswordEnv);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: readFileOrThrow(o.key), ...(passphrase ? { passphrase } : {}) });
  } catch (error) {
    if (CliError.is(error)) throw error;
    throw usage(`${o.key}: not a usable private key (${(error as Error).message})`);
  }
  const [certificate, ...chain] = pemBlocks(o.cert, "CERTIFICATE");
  if (!certificate) throw usage(`no certificate in ${o.cert}`);
  const publicKey = new X509Certificate(certificate).publicKey;
  if (publicKey.asymmetricKeyType !== "rsa" && publicKey.asymmetricKeyType !== "ec")
    throw usage("RSA or ECDSA P-256 keys only");
  return {
    algorithm: publicKey.asymmetricKeyType === "rsa" ? "RSA-SHA256" : "ECDSA-P256-SHA256",
    certificate,
    chain,
    sign: async (data) => new Uint8Array(cryptoSign("sha256", data, key)),
  };
}

export interface TrustFlags {
  trust?: string[];
  intermediate?: string[];
  crl?: string[];
  /** "require" (default): no revocation data → indeterminate; "off": skip revocation. */
  revocation?: "require" | "off";
  ocspUrl?: string;
}

interface PkiTrustModule {
  createTrustCallback?: (options: {
    trustAnchors: readonly Uint8Array[];
    intermediates?: readonly Uint8Array[];
    revocation?: { mode?: "require" | "off"; crls?: readonly Uint8Array[]; ocspUrl?: string };
  }) => TrustCallback;
}

/** A trust callback from --trust anchors; without anchors every signer is "indeterminate". */
export async function loadTrust(o: TrustFlags): Promise<TrustCallback> {
  const anchors = (o.trust ?? []).flatMap((f) => pemBlocks(f, "CERTIFICATE"));
  const intermediates = (o.intermediate ?? []).flatMap((f) => pemBlocks(f, "CERTIFICATE"));
  const crls = (o.crl ?? []).flatMap((f) => pemBlocks(f, "X509 CRL"));
  if (anchors.length === 0) {
    return async ({ certificate }) => ({
      status: "indeterminate",
      reason: "PKI_NO_TRUST_ANCHOR",
      messageVi: "chưa cấu hình chứng thư gốc tin cậy (--trust)",
      messageEn: "no trust anchor configured (--trust)",
      subject: safeSubject(certificate),
    });
  }
  const pki = (await import("@truc/pki")) as unknown as PkiTrustModule;
  if (typeof pki.createTrustCallback === "function") {
    return pki.createTrustCallback({
      trustAnchors: anchors,
      intermediates,
      revocation: {
        mode: o.revocation ?? "require",
        crls,
        ...(o.ocspUrl ? { ocspUrl: o.ocspUrl } : {}),
      },
    });
  }
  return chainTrust(anchors, intermediates, o.revocation ?? "require");
}

function safeSubject(der: Uint8Array): string | undefined {
  try {
    return new X509Certificate(der).subject.split("\n").join(", ");
  } catch {
    return undefined;
  }
}

/** Fallback: a path to an anchor, each certificate within its validity at `at`; no revocation. */
function chainTrust(
  anchorsDer: Uint8Array[],
  intermediatesDer: Uint8Array[],
  revocation: "require" | "off",
): TrustCallback {
  const anchors = anchorsDer.map((d) => new X509Certificate(d));
  const extra = intermediatesDer.map((d) => new X509Certificate(d));
  return async ({ certificate, candidates, at }): Promise<TrustVerdict> => {
    let current = new X509Certificate(certificate);
    const subject = current.subject.split("\n").join(", ");
    const pool = [...extra, ...candidates.map((c) => new X509Certificate(c))];
    for (let depth = 0; depth < 8; depth++) {
      if (at < new Date(current.validFrom) || at > new Date(current.validTo))
        return { status: "invalid", reason: "PKI_EXPIRED", subject };
      if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) break;
      const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
      if (anchor) break;
      const next = pool.find((c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey));
      if (!next) return { status: "invalid", reason: "PKI_NO_PATH", subject };
      current = next;
    }
    if (revocation === "off") return { status: "valid", subject };
    // Without revocation data the answer cannot be "valid" for certain: say so.
    return {
      status: "indeterminate",
      reason: "PKI_REVOCATION_UNAVAILABLE",
      messageVi: "đã tới chứng thư gốc tin cậy nhưng chưa kiểm tra thu hồi",
      messageEn: "chains to a trust anchor, revocation not checked",
      subject,
    };
  };
}
