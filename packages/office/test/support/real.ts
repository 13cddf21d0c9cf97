/**
 * Real parts for the end-to-end office tests: a @truc/pki CA that issues the personal and
 * organisation certificates (used through the file keyring, as a deployment would), PAdES
 * signing and validation (@truc/pdfsign), and SDKVXP gateways to a real axis node.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CertificateAuthority, SoftwareKeyStore } from "@truc/pki";
import { fileKeyring, type KeyringFile, type SigningKey } from "../../src/adapters/keyring.ts";
import { pdfSigner } from "../../src/adapters/pdf-signer.ts";
import { pdfValidator } from "../../src/adapters/pdf-validator.ts";
import type { DocumentSigner, SignatureValidator } from "../../src/ports.ts";

export const ASSETS = join(import.meta.dirname, "..", "..", "..", "pdfsign", "assets");
export const SIGNATURE_PNG = join(ASSETS, "signature-blue.png");
export const SEAL_PNG = join(ASSETS, "seal-red.png");

export interface TestPki {
  ca: CertificateAuthority;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Issues the organisation certificate of an agency and the personal ones of its leaders. */
  provision(input: {
    agencyCode: string;
    organName: string;
    leaders: { username: string; fullName: string }[];
    /** Where the keys are kept: the CA directory itself, or a SoftwareKeyStore they are put into. */
    store?: "ca" | "keystore";
  }): Promise<KeyringFile["agencies"][string]>;
  signer(agencies: KeyringFile["agencies"]): DocumentSigner;
  /** Issues certificates and returns in-memory keys (organisation + one leader). */
  memoryKeys(input: {
    organName: string;
    leader: { username: string; fullName: string };
  }): Promise<{ organisation: SigningKey; leader: SigningKey }>;
  validator(): SignatureValidator;
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const env = { TRUC_TEST_CA_PASSPHRASE: "mật-khẩu-CA-thử-nghiệm", TRUC_TEST_KEY_PASSPHRASE: "khoá-thử" };
  const ca = await CertificateAuthority.init({
    dir: join(dir, "ca"),
    passphrase: env.TRUC_TEST_CA_PASSPHRASE,
    algorithm: "ECDSA-P256",
  });
  const source = (serial: string) => ({
    kind: "ca" as const,
    dir: "ca",
    serial,
    passphraseEnv: "TRUC_TEST_CA_PASSPHRASE",
  });
  const store = new SoftwareKeyStore(join(dir, "keystore"));
  const provision: TestPki["provision"] = async ({ agencyCode, organName, leaders, store: where }) => {
    /** The key stays in the CA directory, or is put into the key store under `id`. */
    const keep = async (issued: Awaited<ReturnType<typeof ca.issue>>, id: string): Promise<KeySource> => {
      if (where !== "keystore") return source(issued.record.serial);
      assert.ok(issued.privateKey);
      await store.put(id, {
        privateKey: issued.privateKey,
        certificate: issued.certificate,
        chain: issued.chain,
        passphrase: env.TRUC_TEST_KEY_PASSPHRASE,
      });
      return { kind: "keystore", dir: "keystore", id, passphraseEnv: "TRUC_TEST_KEY_PASSPHRASE" };
    };
    const organisation = await ca.issue({
      profile: "organisation-outgoing",
      subject: `C=VN, L=Thử Nghiệm, O=${organName}, CN=${organName.toLocaleUpperCase("vi")}`,
      algorithm: "ECDSA-P256",
    });
    const people: Record<string, { source: KeySource; image: string }> = {};
    for (const leader of leaders) {
      const cert = await ca.issue({
        profile: "personal-leader",
        subject: `C=VN, L=Thử Nghiệm, O=${organName}, CN=${leader.fullName}`,
        algorithm: "ECDSA-P256",
      });
      people[leader.username] = { source: await keep(cert, leader.username), image: SIGNATURE_PNG };
    }
    return {
      organisation: { source: await keep(organisation, `org-${agencyCode}`), image: SEAL_PNG },
      people,
    };
  };
  return {
    ca,
    dir,
    env,
    provision,
    async memoryKeys({ organName, leader }) {
      const issued = await provision({ agencyCode: "", organName, leaders: [leader] });
      const key = (entry: { source: KeySource } | undefined, image: string) => {
        assert.ok(entry?.source.kind === "ca");
        return { signer: ca.signerFor(entry.source.serial), image: readAsset(image) } satisfies SigningKey;
      };
      return {
        organisation: key(issued.organisation, SEAL_PNG),
        leader: key(issued.people?.[leader.username], SIGNATURE_PNG),
      };
    },
    signer(agencies) {
      return pdfSigner({ keyring: fileKeyring({ config: { agencies }, baseDir: dir }, env) });
    },
    validator() {
      return pdfValidator({
        trust: {
          trustAnchors: [ca.rootCertificate],
          intermediates: [ca.issuingCertificate],
          revocation: { localSource: (c) => ca.status(c.serialNumber) },
        },
      });
    },
  };
}

type KeySource = NonNullable<KeyringFile["agencies"][string]["organisation"]>["source"];

export const readAsset = (path: string) => new Uint8Array(readFileSync(path));
