import assert from "node:assert/strict";
import { createPublicKey, verify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  CertificateAuthority,
  exportPkcs12,
  type IssuedCertificate,
  importPkcs12,
  PkiError,
  SoftwareKeyStore,
} from "@truc/pki";
import { openssl, tempDir, write } from "./helpers.ts";

describe("key store and PKCS#12", () => {
  let ca: CertificateAuthority;
  let issued: IssuedCertificate;
  let work: string;
  before(async () => {
    ca = await CertificateAuthority.init({ dir: tempDir(), passphrase: "pw", algorithm: "ECDSA-P256" });
    issued = await ca.issue({
      profile: "personal-leader",
      subject: "C=VN, CN=Nguyễn Văn Khóa",
      algorithm: "RSA-2048",
    });
    work = tempDir();
  });

  test("openssl pkcs12 -info reads our PKCS#12 (MAC verified, shrouded key, chain)", async () => {
    const p12 = await exportPkcs12({
      privateKey: issued.privateKey!,
      certificate: issued.certificate,
      chain: issued.chain,
      password: "secret",
      friendlyName: "khoa",
    });
    const file = write(work, "a.p12", p12);
    const info = openssl(["pkcs12", "-info", "-in", file, "-passin", "pass:secret", "-nokeys"]);
    assert.equal(info.status, 0, info.out);
    assert.match(info.out, /MAC: sha256/);
    assert.match(info.out, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
    assert.equal((info.out.match(/Certificate bag/g) ?? []).length, 3);
    const wrong = openssl(["pkcs12", "-info", "-in", file, "-passin", "pass:nope", "-nokeys"]);
    assert.notEqual(wrong.status, 0);
    const key = openssl(["pkcs12", "-in", file, "-passin", "pass:secret", "-nocerts", "-nodes"]);
    assert.equal(key.status, 0, key.out);
    const fromOpenssl = createPublicKey(key.out.slice(key.out.indexOf("-----BEGIN PRIVATE KEY-----"))).export(
      { type: "spki", format: "der" },
    );
    assert.ok(
      fromOpenssl.equals(createPublicKey(issued.privateKey!).export({ type: "spki", format: "der" })),
    );
  });

  test("reads PKCS#12 files made by openssl with OpenSSL 3 defaults, and refuses a wrong password by code", async () => {
    const all = write(
      work,
      "all.pem",
      issued.privateKey!.export({ type: "pkcs8", format: "pem" }) + issued.certificatePem,
    );
    const out = join(work, "o.p12");
    assert.equal(openssl(["pkcs12", "-export", "-in", all, "-passout", "pass:other", "-out", out]).status, 0);
    const back = await importPkcs12(readFileSync(out), "other");
    assert.ok(back.certificate.equals(issued.certificate));
    await assert.rejects(
      importPkcs12(readFileSync(out), "wrong"),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_BAD_PASSPHRASE",
    );
  });

  test("the software key store returns Signers whose signatures verify with the certificate", async () => {
    const store = new SoftwareKeyStore(join(work, "store"));
    await store.put("lanh-dao", {
      privateKey: issued.privateKey!,
      certificate: issued.certificate,
      chain: issued.chain,
      passphrase: "kho",
    });
    assert.match(readFileSync(join(work, "store", "lanh-dao.key.pem"), "utf8"), /ENCRYPTED PRIVATE KEY/);
    const [entry] = await store.list();
    assert.equal(entry?.id, "lanh-dao");
    assert.equal(entry?.source, "software");
    const signer = await store.getSigner("lanh-dao", { passphrase: "kho" });
    assert.equal(signer.algorithm, "RSA-SHA256");
    assert.equal(signer.chain.length, 2);
    const data = Buffer.from("văn bản");
    assert.ok(
      verify("sha256", data, new X509Certificate(signer.certificate).publicKey, await signer.sign(data)),
    );
    await assert.rejects(
      store.getSigner("lanh-dao", { passphrase: "sai" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_BAD_PASSPHRASE",
    );
    await assert.rejects(
      store.getSigner("khong-co"),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_KEY_NOT_FOUND",
    );
    const p12 = await store.exportPkcs12("lanh-dao", "kho", "p12pass");
    await store.importPkcs12("copy", p12, "p12pass", "kho2");
    const copy = await store.getSigner("copy", { passphrase: "kho2" });
    assert.ok(Buffer.from(copy.certificate).equals(issued.certificate));
    const ecdsa = await ca.issue({
      profile: "personal-clerk",
      subject: "C=VN, CN=EC",
      algorithm: "ECDSA-P256",
    });
    await store.put("ec", { privateKey: ecdsa.privateKey!, certificate: ecdsa.certificate, passphrase: "x" });
    const ecSigner = await store.getSigner("ec", { passphrase: "x" });
    assert.equal(ecSigner.algorithm, "ECDSA-P256-SHA256");
    assert.ok(
      verify("sha256", data, new X509Certificate(ecdsa.certificate).publicKey, await ecSigner.sign(data)),
    );
    await assert.rejects(
      store.put("mismatch", {
        privateKey: ecdsa.privateKey!,
        certificate: issued.certificate,
        passphrase: "x",
      }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_BAD_REQUEST",
    );
  });
});
