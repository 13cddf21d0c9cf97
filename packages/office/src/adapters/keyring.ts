/**
 * Where the office finds signing keys: a personal certificate (and signature image) per leader,
 * an organisation certificate (and seal image) per agency. Every key comes out as a
 * `Signer` (@truc/common), so a USB token, an HSM or a remote-signing service can take the place
 * of a software key without the rest of the office knowing.
 *
 * Provisioning (see README "Signing keys"): the administrator of the deployment gets the
 * certificates issued (the government CA in production; `truc pki` / @truc/pki
 * `CertificateAuthority` in pilots and demos) and lists them in a keyring file:
 *
 * {
 *   "agencies": {
 *     "H29.12": {
 *       "organisation": { "source": { "kind": "ca", "dir": "pki/ca", "serial": "0A1B…" },
 *                         "image": "images/seal-snv.png" },
 *       "people": {
 *         "snv.giamdoc": { "source": { "kind": "pkcs12", "file": "keys/giamdoc.p12",
 *                                      "passwordEnv": "KEY_GIAMDOC" },
 *                          "image": "images/chu-ky-giamdoc.png" }
 *       }
 *     }
 *   }
 * }
 *
 * Key sources: `keystore` (a @truc/pki `SoftwareKeyStore` directory and key id), `pkcs12`,
 * `pem` (a private key file, encrypted PKCS#8 when `passphraseEnv` is given, and a certificate
 * file with its chain), and `ca` (a @truc/pki CA directory: the key the CA generated for
 * `serial`). Secrets are named by environment variable and
 * never written in the file. Paths are relative to the keyring file.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Signer } from "@truc/common";
import {
  CertificateAuthority,
  createSoftwareSigner,
  decryptPrivateKey,
  importPkcs12,
  SoftwareKeyStore,
} from "@truc/pki";
import { z } from "zod";
import { OfficeError } from "../errors.ts";

export interface SigningKey {
  signer: Signer;
  /** Transparent PNG: the person's signature (blue) or the body's seal (red). */
  image: Uint8Array;
}

export interface Keyring {
  personal(input: { agencyCode: string; username: string }): Promise<SigningKey>;
  organisation(input: { agencyCode: string }): Promise<SigningKey>;
}

/** A keyring over keys already in memory (tests, demos that issue certificates at start-up). */
export function memoryKeyring(entries: {
  organisations: Record<string, SigningKey>;
  people: Record<string, Record<string, SigningKey>>;
}): Keyring {
  return {
    async personal({ agencyCode, username }) {
      const key = entries.people[agencyCode]?.[username];
      if (!key) throw new OfficeError("OFFICE_SIGNING_KEY_MISSING", { whom: `${agencyCode}/${username}` });
      return key;
    },
    async organisation({ agencyCode }) {
      const key = entries.organisations[agencyCode];
      if (!key) throw new OfficeError("OFFICE_SIGNING_KEY_MISSING", { whom: agencyCode });
      return key;
    },
  };
}

const source = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("pem"),
    keyFile: z.string().min(1),
    /** The certificate, then its issuers (PEM). */
    certFile: z.string().min(1),
    passphraseEnv: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal("pkcs12"), file: z.string().min(1), passwordEnv: z.string().optional() }),
  z.strictObject({
    kind: z.literal("keystore"),
    /** A @truc/pki `SoftwareKeyStore` directory (`<id>.key.pem` encrypted, `<id>.crt.pem`). */
    dir: z.string().min(1),
    id: z.string().min(1),
    passphraseEnv: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal("ca"),
    dir: z.string().min(1),
    serial: z.string().min(1),
    /** Passphrase of the CA directory. */
    passphraseEnv: z.string().optional(),
    /** Passphrase of the generated key when it differs from the CA's. */
    keyPassphraseEnv: z.string().optional(),
  }),
]);
type KeySource = z.infer<typeof source>;
const entry = z.strictObject({ source, image: z.string().min(1) });
const keyringFile = z.strictObject({
  agencies: z.record(
    z.string(),
    z.strictObject({ organisation: entry.optional(), people: z.record(z.string(), entry).default({}) }),
  ),
});
export type KeyringFile = z.input<typeof keyringFile>;

const pemBlocks = (text: string) =>
  [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
    (m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64")),
  );

async function loadSigner(s: KeySource, baseDir: string, env: NodeJS.ProcessEnv): Promise<Signer> {
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const secret = (name: string | undefined) => (name ? (env[name] ?? "") : "");
  switch (s.kind) {
    case "pem": {
      const keyPem = readFileSync(path(s.keyFile));
      const key = s.passphraseEnv
        ? decryptPrivateKey(keyPem, secret(s.passphraseEnv))
        : (await import("node:crypto")).createPrivateKey(keyPem);
      const [certificate, ...chain] = pemBlocks(readFileSync(path(s.certFile), "utf8"));
      if (!certificate) throw new Error(`no certificate in ${s.certFile}`);
      return createSoftwareSigner(key, certificate, chain);
    }
    case "pkcs12": {
      const p12 = await importPkcs12(readFileSync(path(s.file)), secret(s.passwordEnv));
      return createSoftwareSigner(p12.privateKey, p12.certificate, p12.chain);
    }
    case "keystore":
      return new SoftwareKeyStore(path(s.dir)).getSigner(s.id, { passphrase: secret(s.passphraseEnv) });
    case "ca": {
      const ca = await CertificateAuthority.open({ dir: path(s.dir), passphrase: secret(s.passphraseEnv) });
      return ca.signerFor(s.serial, s.keyPassphraseEnv ? secret(s.keyPassphraseEnv) : undefined);
    }
  }
}

/**
 * A keyring from a file (JSON text or an object plus the directory its paths are relative to).
 * The file is checked at once; keys are opened on first use and kept in memory.
 */
export function fileKeyring(
  input: { path: string } | { config: unknown; baseDir: string },
  env: NodeJS.ProcessEnv = process.env,
): Keyring {
  const baseDir = "path" in input ? dirname(resolve(input.path)) : input.baseDir;
  let raw: unknown;
  if ("path" in input) {
    try {
      raw = JSON.parse(readFileSync(input.path, "utf8"));
    } catch (error) {
      throw new OfficeError("OFFICE_INVALID_INPUT", {
        problem: `${input.path}: ${(error as Error).message}`,
      });
    }
  } else raw = input.config;
  const parsed = keyringFile.safeParse(raw);
  if (!parsed.success)
    throw new OfficeError("OFFICE_INVALID_INPUT", {
      problem: parsed.error.issues.map((i) => `keyring ${i.path.join(".")}: ${i.message}`).join("; "),
    });
  const config = parsed.data;
  const cache = new Map<string, Promise<SigningKey>>();
  const open = (whom: string, e: z.infer<typeof entry> | undefined): Promise<SigningKey> => {
    if (!e) return Promise.reject(new OfficeError("OFFICE_SIGNING_KEY_MISSING", { whom }));
    let key = cache.get(whom);
    if (!key) {
      key = (async () => {
        try {
          const image = new Uint8Array(
            readFileSync(isAbsolute(e.image) ? e.image : resolve(baseDir, e.image)),
          );
          return { signer: await loadSigner(e.source, baseDir, env), image };
        } catch (error) {
          throw new OfficeError(
            "OFFICE_SIGNING_KEY_UNUSABLE",
            { whom, reason: (error as { code?: string }).code ?? (error as Error).message },
            { cause: error },
          );
        }
      })();
      // A failure is not cached: the administrator may fix the file or the secret.
      key.catch(() => cache.delete(whom));
      cache.set(whom, key);
    }
    return key;
  };
  return {
    personal: ({ agencyCode, username }) =>
      open(`${agencyCode}/${username}`, config.agencies[agencyCode]?.people[username]),
    organisation: ({ agencyCode }) => open(agencyCode, config.agencies[agencyCode]?.organisation),
  };
}
