import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  CertificateAuthority,
  classifyCertificate,
  crlToPem,
  generateKeyPair,
  PkiError,
  POLICY,
  parseCrl,
  toPem,
} from "@truc/pki";
import { openssl, tempDir, write } from "./helpers.ts";

const PASS = "mật-khẩu-thử";
const PERSON =
  "C=VN, L=Hà Giang, O=UBND tỉnh Hà Giang, OU=Sở Khoa học và Công nghệ, OU=Văn phòng, CN=Nguyễn Văn Đức, E=duc@hagiang.gov.vn";

describe("certificate authority", () => {
  let dir: string;
  let ca: CertificateAuthority;
  let work: string;
  let rootPem: string;
  let caPem: string;

  before(async () => {
    dir = tempDir();
    work = tempDir();
    ca = await CertificateAuthority.init({
      dir,
      passphrase: PASS,
      algorithm: "RSA-2048",
      actor: "tester",
      publicationUrl: "http://127.0.0.1:1",
    });
    rootPem = join(dir, "public", "root.crt");
    caPem = join(dir, "public", "ca.crt");
  });

  test("issues a personal certificate that openssl verifies, with a Vietnamese UTF8String subject", async () => {
    const issued = await ca.issue({ profile: "personal-leader", subject: PERSON });
    const leaf = write(work, "leader.pem", issued.certificatePem);
    const v = openssl(["verify", "-CAfile", rootPem, "-untrusted", caPem, leaf]);
    assert.equal(v.status, 0, v.out);
    const text = openssl([
      "x509",
      "-in",
      leaf,
      "-noout",
      "-subject",
      "-nameopt",
      "utf8,sep_comma_plus_space",
    ]);
    assert.match(text.out, /L=Hà Giang/);
    assert.match(text.out, /CN=Nguyễn Văn Đức/);
    assert.match(text.out, /OU=Sở Khoa học và Công nghệ, OU=Văn phòng/);
    const asn = openssl(["asn1parse", "-in", leaf]);
    assert.match(asn.out, /UTF8STRING\s+:Nguy/);
    assert.match(asn.out, /PRINTABLESTRING\s+:VN/);
    assert.match(asn.out, /IA5STRING\s+:duc@hagiang.gov.vn/);
    assert.equal(issued.record.kind, "personal");
    assert.equal(classifyCertificate(issued.certificate), "personal");
    assert.ok(issued.privateKey, "generated key is returned");
    const policies = openssl(["x509", "-in", leaf, "-noout", "-ext", "certificatePolicies"]);
    assert.ok(policies.out.includes(POLICY.personalLeader));
    assert.ok(!policies.out.includes(POLICY.organisation));
  });

  test("organisation, node, OCSP and TSA profiles carry the right extensions", async () => {
    const org = await ca.issue({
      profile: "organisation-outgoing",
      subject: "C=VN, L=Hà Giang, O=UBND tỉnh Hà Giang, CN=SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH HÀ GIANG",
    });
    const orgText = openssl(["x509", "-noout", "-text"], org.certificatePem).out;
    assert.ok(orgText.includes(POLICY.organisationOutgoing));
    assert.match(orgText, /Digital Signature, Non Repudiation/);
    assert.equal(classifyCertificate(org.certificate), "organisation");
    assert.equal(classifyCertificate(ca.rootCertificate), undefined);

    const node = await ca.issue({
      profile: "node",
      subject: { C: "VN", O: "UBND tỉnh Hà Giang", CN: "lgsp.hagiang.gov.vn" },
      dnsNames: ["lgsp.hagiang.gov.vn"],
      ipAddresses: ["127.0.0.1"],
      algorithm: "ECDSA-P256",
    });
    const nodePath = write(work, "node.pem", node.certificatePem);
    const nodeText = openssl(["x509", "-in", nodePath, "-noout", "-text"]).out;
    assert.match(nodeText, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(nodeText, /DNS:lgsp.hagiang.gov.vn, IP Address:127.0.0.1/);
    assert.match(nodeText, /ecPublicKey/);
    for (const purpose of ["sslserver", "sslclient"]) {
      const v = openssl(["verify", "-purpose", purpose, "-CAfile", rootPem, "-untrusted", caPem, nodePath]);
      assert.equal(v.status, 0, v.out);
    }

    const ocspText = openssl(
      ["x509", "-noout", "-text"],
      toPem(ca.ocspResponderCertificate, "CERTIFICATE"),
    ).out;
    assert.match(ocspText, /OCSP Signing/);
    assert.match(ocspText, /OCSP No Check/);
    const tsaText = openssl(["x509", "-noout", "-text"], toPem(ca.tsaCertificate, "CERTIFICATE")).out;
    assert.match(tsaText, /X509v3 Extended Key Usage: critical\s+Time Stamping/);
    const tsaPath = write(work, "tsa.pem", toPem(ca.tsaCertificate, "CERTIFICATE"));
    const v = openssl([
      "verify",
      "-purpose",
      "timestampsign",
      "-CAfile",
      rootPem,
      "-untrusted",
      caPem,
      tsaPath,
    ]);
    assert.equal(v.status, 0, v.out);
  });

  test("a node certificate without names is refused", async () => {
    await assert.rejects(
      ca.issue({ profile: "node", subject: "C=VN, CN=x" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_BAD_REQUEST",
    );
  });

  test("issues from a CSR made by openssl and keeps the requester's key", async () => {
    const key = write(
      work,
      "csr.key",
      (await generateKeyPair("ECDSA-P256")).privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    );
    const csr = openssl(["req", "-new", "-key", key, "-subj", "/C=VN/O=Bo Noi vu/CN=Tran Thi B", "-utf8"]);
    assert.match(csr.out, /BEGIN CERTIFICATE REQUEST/);
    const issued = await ca.issue({ profile: "personal-clerk", csr: csr.out });
    assert.equal(issued.privateKey, undefined);
    assert.equal(issued.record.subjectDn.CN, "Tran Thi B");
    const certPub = openssl(["x509", "-noout", "-pubkey"], issued.certificatePem).out;
    const keyPub = openssl(["pkey", "-in", key, "-pubout"]).out;
    assert.equal(certPub, keyPub);
  });

  test("a CSR with a broken self-signature is refused", async () => {
    const key = write(
      work,
      "csr2.key",
      (await generateKeyPair("RSA-2048")).privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    );
    const der = Buffer.from(
      openssl(["req", "-new", "-key", key, "-subj", "/CN=x", "-outform", "PEM"]).out.replace(
        /-----[^-]+-----|\s/g,
        "",
      ),
      "base64",
    );
    der[der.length - 5]! ^= 0xff;
    await assert.rejects(
      ca.issue({ profile: "personal-clerk", csr: der }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_CSR_INVALID",
    );
  });

  test("revoked certificates are listed in a CRL openssl parses, and openssl -crl_check rejects them", async () => {
    const good = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Lê Văn Tốt" });
    const bad = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Phạm Văn Mất" });
    await ca.revoke({ serial: bad.record.serial, reason: "keyCompromise" });
    const crl = await ca.generateCrl({ issuer: "issuing" });
    const crlPath = write(work, "ca.crl", crl.pem);
    const parsed = openssl(["crl", "-in", crlPath, "-noout", "-text"]);
    assert.equal(parsed.status, 0, parsed.out);
    assert.match(parsed.out, /Key Compromise/);
    assert.match(parsed.out, new RegExp(`CRL Number: \\s*${crl.crlNumber}`));
    assert.match(parsed.out, /Next Update/);
    assert.equal(crlToPem(crl.der), crl.pem);
    assert.ok(crl.pem.startsWith("-----BEGIN X509 CRL-----"));

    const bundle = write(work, "bundle.pem", readFileSync(rootPem, "utf8") + crl.pem);
    const okPath = write(work, "good.pem", good.certificatePem);
    const badPath = write(work, "bad.pem", bad.certificatePem);
    assert.equal(openssl(["verify", "-crl_check", "-CAfile", bundle, "-untrusted", caPem, okPath]).status, 0);
    const rejected = openssl(["verify", "-crl_check", "-CAfile", bundle, "-untrusted", caPem, badPath]);
    assert.notEqual(rejected.status, 0);
    assert.match(rejected.out, /certificate revoked/);

    // full path check, root CRL included
    const rootCrl = await ca.generateCrl({ issuer: "root" });
    const all = write(work, "all.pem", readFileSync(rootPem, "utf8") + crl.pem + rootCrl.pem);
    assert.equal(
      openssl(["verify", "-crl_check_all", "-CAfile", all, "-untrusted", caPem, okPath]).status,
      0,
    );

    const ours = parseCrl(crl.pem);
    assert.equal(ours.entries.get(bad.record.serial)?.reason, "keyCompromise");
    assert.equal(ours.crlNumber, crl.crlNumber);
  });

  test("suspend and reinstate: the CRL lists certificateHold, then drops the entry", async () => {
    const cert = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Võ Thị Tạm" });
    await ca.suspend({ serial: cert.record.serial });
    assert.equal(ca.status(cert.record.serial).reason, "certificateHold");
    let crl = parseCrl((await ca.generateCrl({ issuer: "issuing" })).der);
    assert.equal(crl.entries.get(cert.record.serial)?.reason, "certificateHold");
    await ca.reinstate({ serial: cert.record.serial });
    assert.equal(ca.status(cert.record.serial).status, "good");
    crl = parseCrl((await ca.generateCrl({ issuer: "issuing" })).der);
    assert.equal(crl.entries.has(cert.record.serial), false);
    await assert.rejects(
      ca.reinstate({ serial: cert.record.serial }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_INVALID_STATE",
    );
  });

  test("profiles without hold refuse suspension; unknown serials and double revocation are refused", async () => {
    const node = await ca.issue({ profile: "node", subject: "C=VN, CN=node-2", dnsNames: ["node-2.test"] });
    await assert.rejects(
      ca.suspend({ serial: node.record.serial }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_HOLD_NOT_ALLOWED",
    );
    await assert.rejects(
      ca.revoke({ serial: "abcdef" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_CERT_NOT_FOUND",
    );
    await ca.revoke({ serial: node.record.serial, reason: "cessationOfOperation" });
    await assert.rejects(
      ca.revoke({ serial: node.record.serial }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_INVALID_STATE",
    );
    await assert.rejects(
      ca.issue({ profile: "no-such" as "node", subject: "CN=x" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_UNKNOWN_PROFILE",
    );
  });

  test("renew keeps the subject; with reuseKey the public key too", async () => {
    const first = await ca.issue({
      profile: "organisation-incoming",
      subject: "C=VN, O=UBND tỉnh Hà Giang, CN=VĂN PHÒNG UBND TỈNH",
    });
    const same = await ca.renew({ serial: first.record.serial, reuseKey: true });
    const fresh = await ca.renew({ serial: same.record.serial, revokeOld: true });
    const pub = (pem: string) => openssl(["x509", "-noout", "-pubkey"], pem).out;
    assert.equal(pub(same.certificatePem), pub(first.certificatePem));
    assert.notEqual(pub(fresh.certificatePem), pub(first.certificatePem));
    assert.equal(same.record.subject, first.record.subject);
    assert.equal(same.record.renewedFrom, first.record.serial);
    assert.equal(ca.get(first.record.serial).record.renewedBy, same.record.serial);
    assert.equal(ca.status(same.record.serial).reason, "superseded");
    // the reused key is still usable for signing
    const signer = ca.signerFor(same.record.serial);
    assert.ok((await signer.sign(Buffer.from("x"))).length > 0);
  });

  test("batch operations report each item; the state and the operations log survive a reopen", async () => {
    const results = await ca.runBatch([
      { op: "issue", profile: "personal-clerk", subject: "C=VN, CN=Văn thư 1" },
      { op: "issue", profile: "personal-clerk", subject: "C=VN, CN=Văn thư 2" },
      { op: "issue", profile: "node", subject: "C=VN, CN=bad" },
    ]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, false],
    );
    assert.equal(results[2]!.error?.code, "PKI_BAD_REQUEST");
    const [a, b] = results;
    const second = await ca.runBatch([
      { op: "revoke", serial: a!.serial!, reason: "affiliationChanged" },
      { op: "renew", serial: b!.serial! },
      { op: "suspend", serial: "ffff" },
    ]);
    assert.deepEqual(
      second.map((r) => r.ok),
      [true, true, false],
    );
    assert.equal(second[2]!.error?.code, "PKI_CERT_NOT_FOUND");

    const reopened = await CertificateAuthority.open({ dir, passphrase: PASS });
    assert.equal(reopened.status(a!.serial!).reason, "affiliationChanged");
    assert.equal(reopened.list().length, ca.list().length);
    const log = reopened.readLog();
    const ops = log.map((e) => e.op);
    assert.ok(
      ops.includes("init") && ops.includes("issue") && ops.includes("revoke") && ops.includes("renew"),
    );
    const revokeEntry = log.find((e) => e.op === "revoke" && e.serial === a!.serial);
    assert.equal(revokeEntry?.actor, "tester");
    assert.equal(revokeEntry?.reason, "affiliationChanged");
    // keys on disk are encrypted PKCS#8 that openssl opens with the passphrase
    const keyPath = join(dir, "keys", "issuing.key.pem");
    assert.match(readFileSync(keyPath, "utf8"), /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.equal(openssl(["pkey", "-in", keyPath, "-passin", `pass:${PASS}`, "-noout"]).status, 0);
  });

  test("a wrong passphrase or a missing directory is reported by code", async () => {
    await assert.rejects(
      CertificateAuthority.open({ dir, passphrase: "sai" }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_BAD_PASSPHRASE",
    );
    await assert.rejects(
      CertificateAuthority.open({ dir: tempDir(), passphrase: PASS }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_CA_NOT_FOUND",
    );
    await assert.rejects(
      CertificateAuthority.init({ dir, passphrase: PASS }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_CA_EXISTS",
    );
  });
});
