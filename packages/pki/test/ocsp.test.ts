import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CertificateAuthority, createOcspResponder, PkiError, queryOcsp, toPem } from "@truc/pki";
import { openssl, opensslAsync, tempDir, write } from "./helpers.ts";

describe("OCSP responder", () => {
  let ca: CertificateAuthority;
  let server: Server;
  let url: string;
  let work: string;
  let requests = 0;

  before(async () => {
    const dir = tempDir();
    work = tempDir();
    ca = await CertificateAuthority.init({ dir, passphrase: "pw", algorithm: "ECDSA-P256" });
    const responder = createOcspResponder({
      issuerCertificate: ca.issuingCertificate,
      responderCertificate: ca.ocspResponderCertificate,
      responderKey: ca.ocspResponderKey(),
      lookup: (serial) => ca.status(serial, "issuing"),
    });
    server = createServer((req, res) => {
      requests++;
      responder.handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test("openssl ocsp gets good and revoked (with reason) and verifies the responder's signature", async () => {
    const good = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Nguyễn Thị Tốt" });
    const bad = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Trần Văn Thu" });
    await ca.revoke({ serial: bad.record.serial, reason: "keyCompromise" });
    const issuer = write(work, "ca.pem", toPem(ca.issuingCertificate, "CERTIFICATE"));
    const root = write(work, "root.pem", toPem(ca.rootCertificate, "CERTIFICATE"));
    for (const [cert, expected] of [
      [good, /: good/],
      [bad, /: revoked/],
    ] as const) {
      const path = write(work, `${cert.record.serial}.pem`, cert.certificatePem);
      const r = await opensslAsync([
        "ocsp",
        "-issuer",
        issuer,
        "-cert",
        path,
        "-url",
        url,
        "-CAfile",
        root,
        "-verify_other",
        issuer,
        "-resp_text",
      ]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /Response verify OK/);
      assert.match(r.out, expected);
      assert.match(r.out, /WARNING: no nonce in response|Nonce/);
      assert.doesNotMatch(r.out, /WARNING: no nonce in response/);
      assert.match(r.out, /Next Update:/);
      if (cert === bad) assert.match(r.out, /Reason: keyCompromise/);
    }
  });

  test("GET requests (base64 in the path) are answered too", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Get" });
    const issuer = write(work, "ca2.pem", toPem(ca.issuingCertificate, "CERTIFICATE"));
    const path = write(work, "get.pem", cert.certificatePem);
    const reqPath = join(work, "req.der");
    assert.equal(
      openssl(["ocsp", "-issuer", issuer, "-cert", path, "-no_nonce", "-reqout", reqPath]).status,
      0,
    );
    const { readFileSync } = await import("node:fs");
    const b64 = encodeURIComponent(readFileSync(reqPath).toString("base64"));
    const response = await fetch(`${url}/ocsp/${b64}`);
    assert.equal(response.headers.get("content-type"), "application/ocsp-response");
    const respPath = write(work, "resp.der", Buffer.from(await response.arrayBuffer()));
    const r = openssl([
      "ocsp",
      "-respin",
      respPath,
      "-issuer",
      issuer,
      "-cert",
      path,
      "-CAfile",
      write(work, "r.pem", toPem(ca.rootCertificate, "CERTIFICATE")),
      "-verify_other",
      issuer,
    ]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /: good/);
  });

  test("the client checks signature, nonce and status, and refuses answers no authorised responder signed", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Client" });
    const ok = await queryOcsp({ certificate: cert.certificate, issuer: ca.issuingCertificate, url });
    assert.equal(ok.status, "good");
    assert.ok(ok.nextUpdate && ok.nextUpdate > ok.thisUpdate);
    await ca.suspend({ serial: cert.record.serial });
    const held = await queryOcsp({ certificate: cert.certificate, issuer: ca.issuingCertificate, url });
    assert.equal(held.status, "revoked");
    assert.equal(held.reason, "certificateHold");
    // a certificate of another CA, asked with that CA as issuer: the responder does not know it
    const other = await CertificateAuthority.init({
      dir: tempDir(),
      passphrase: "pw",
      algorithm: "ECDSA-P256",
    });
    const foreign = await other.issue({ profile: "personal-clerk", subject: "C=VN, CN=Foreign" });
    await assert.rejects(
      queryOcsp({ certificate: foreign.certificate, issuer: other.issuingCertificate, url }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_OCSP_INVALID",
      "signed by a responder the other CA never authorised",
    );
    // a response replayed for another request fails the nonce check
    const replay = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Replay" });
    let captured: Uint8Array | undefined;
    await queryOcsp({
      certificate: replay.certificate,
      issuer: ca.issuingCertificate,
      url,
      post: async (u, body) => {
        const r = await fetch(u, {
          method: "POST",
          body,
          headers: { "content-type": "application/ocsp-request" },
        });
        captured = new Uint8Array(await r.arrayBuffer());
        return captured;
      },
    });
    await assert.rejects(
      queryOcsp({
        certificate: replay.certificate,
        issuer: ca.issuingCertificate,
        url,
        post: async () => captured!,
      }),
      (e: unknown) => PkiError.is(e) && e.code === "PKI_OCSP_INVALID",
    );
    assert.ok(requests > 0);
  });

  test("garbage gets a malformedRequest response", async () => {
    const r = await fetch(url, { method: "POST", body: Buffer.from("not der") });
    const body = Buffer.from(await r.arrayBuffer());
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED (1) }
    assert.deepEqual([...body], [0x30, 0x03, 0x0a, 0x01, 0x01]);
  });
});
