/**
 * Where private keys live. Every source answers the same call, `getSigner(id, unlock)`, and
 * returns a `Signer` from @truc/common, so edXML, PAdES and the CA never see the key itself.
 *
 * Implemented: `SoftwareKeyStore` (a directory of encrypted PKCS#8 PEM files + certificate
 * chains, PKCS#12 import/export). Not implemented, but meant to sit behind the same interface:
 * PKCS#11 tokens (the SafeNet/bit4id cards the Ban Cơ yếu issues; `unlock.pin`), network HSMs,
 * and remote (mobile) signing, where `sign()` waits for the holder's approval.
 */

import type { KeyObject } from "node:crypto";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Signer } from "@truc/common";
import { certToDer, readPemBlocks, toPem } from "./der.ts";
import { PkiError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { createSoftwareSigner, decryptPrivateKey, encryptPrivateKey } from "./keys.ts";
import { exportPkcs12, importPkcs12 } from "./pkcs12.ts";

export interface KeyEntry {
  id: string;
  subject: string;
  notAfter: Date;
  /** "software" here; "pkcs11", "hsm", "remote" for the other key sources. */
  source: "software" | "pkcs11" | "hsm" | "remote";
}

export interface KeyUnlock {
  /** Passphrase of a software key. */
  passphrase?: string;
  /** PIN of a token or HSM slot (not used by the software store). */
  pin?: string;
}

export interface KeyStore {
  list(): Promise<KeyEntry[]>;
  getSigner(id: string, unlock?: KeyUnlock): Promise<Signer>;
}

const ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

/** A directory: `<id>.key.pem` (encrypted PKCS#8) and `<id>.crt.pem` (certificate, then chain). */
export class SoftwareKeyStore implements KeyStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  private paths(id: string) {
    if (!ID_RE.test(id)) throw new PkiError("PKI_BAD_REQUEST", { what: `key id ${id}` });
    return { key: join(this.dir, `${id}.key.pem`), cert: join(this.dir, `${id}.crt.pem`) };
  }

  async list(): Promise<KeyEntry[]> {
    return readdirSync(this.dir)
      .filter(
        (n) => n.endsWith(".crt.pem") && existsSync(join(this.dir, n.replace(/\.crt\.pem$/, ".key.pem"))),
      )
      .map((n) => {
        const cert = new X509Certificate(certToDer(readFileSync(join(this.dir, n), "utf8")));
        return {
          id: n.replace(/\.crt\.pem$/, ""),
          subject: cert.subject.split("\n").join(", "),
          notAfter: new Date(cert.validTo),
          source: "software" as const,
        };
      });
  }

  async put(
    id: string,
    o: { privateKey: KeyObject; certificate: Uint8Array; chain?: readonly Uint8Array[]; passphrase: string },
  ): Promise<void> {
    const p = this.paths(id);
    const cert = new X509Certificate(o.certificate);
    if (!cert.checkPrivateKey(o.privateKey))
      throw new PkiError("PKI_BAD_REQUEST", { what: "the key does not match the certificate" });
    writeFileAtomic(p.key, encryptPrivateKey(o.privateKey, o.passphrase), 0o600);
    writeFileAtomic(p.cert, [o.certificate, ...(o.chain ?? [])].map((c) => toPem(c, "CERTIFICATE")).join(""));
  }

  private load(id: string, passphrase: string | undefined) {
    const p = this.paths(id);
    if (!existsSync(p.key) || !existsSync(p.cert)) throw new PkiError("PKI_KEY_NOT_FOUND", { keyId: id });
    const [certificate, ...chain] = readPemBlocks(readFileSync(p.cert, "utf8"), ["CERTIFICATE"]).map(
      (b) => b.der,
    );
    if (!certificate) throw new PkiError("PKI_KEY_NOT_FOUND", { keyId: id });
    const privateKey = decryptPrivateKey(readFileSync(p.key, "utf8"), passphrase ?? "");
    return { privateKey, certificate, chain };
  }

  async getSigner(id: string, unlock: KeyUnlock = {}): Promise<Signer> {
    const { privateKey, certificate, chain } = this.load(id, unlock.passphrase);
    return createSoftwareSigner(privateKey, certificate, chain);
  }

  async importPkcs12(
    id: string,
    p12: Uint8Array,
    p12Password: string,
    passphrase = p12Password,
  ): Promise<void> {
    const contents = await importPkcs12(p12, p12Password);
    await this.put(id, { ...contents, passphrase });
  }

  async exportPkcs12(id: string, passphrase: string, p12Password = passphrase): Promise<Buffer> {
    const { privateKey, certificate, chain } = this.load(id, passphrase);
    return exportPkcs12({ privateKey, certificate, chain, password: p12Password, friendlyName: id });
  }
}
