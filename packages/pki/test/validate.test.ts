import assert from "node:assert/strict";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  CertificateAuthority,
  CertificateValidator,
  createPkiHttpHandler,
  createTrustCallback,
  listen,
  loadCertificates,
  OcspCache,
  type RequestHandler,
} from "@truc/pki";
import { tempDir } from "./helpers.ts";

const DAY = 86_400_000;

describe("path validation", () => {
  let ca: CertificateAuthority;
  let server: Server;
  let url: string;
  let handler: RequestHandler = (_req, res) => res.end();
  let ocspRequests = 0;
  let down = false;
  const validator = (extra: Partial<ConstructorParameters<typeof CertificateValidator>[0]> = {}) =>
    new CertificateValidator({
      trustAnchors: [ca.rootCertificate],
      intermediates: [ca.issuingCertificate],
      ...extra,
    });

  before(async () => {
    ({ server, url } = await listen((req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith("/ocsp")) {
        ocspRequests++;
        if (down) {
          res.statusCode = 503;
          res.end();
          return;
        }
      }
      handler(req, res);
    }));
    ca = await CertificateAuthority.init({
      dir: tempDir(),
      passphrase: "pw",
      algorithm: "ECDSA-P256",
      publicationUrl: url,
    });
    handler = createPkiHttpHandler({ ca });
  });
  after(() => server.close());

  test("a fresh personal certificate is valid, with OCSP fetched from its AIA URL", async () => {
    const cert = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Hợp Lệ" });
    const before = ocspRequests;
    const r = await validator().validate({ certificate: cert.certificate, purpose: "document-signature" });
    assert.equal(r.status, "valid", r.messageEn);
    assert.equal(r.reason, undefined);
    assert.equal(r.path.length, 3);
    assert.equal(r.revocation[0]?.source, "ocsp");
    assert.ok(ocspRequests > before);
    // the issuing CA itself is checked against the root's CRL (fetched from CRLDP)
    assert.equal(r.revocation[1]?.source, "crl");
    assert.equal(r.evidence.ocsp.length, 1);
  });

  test("expired and not-yet-valid are judged at the given time", async () => {
    const cert = await ca.issue({
      profile: "personal-clerk",
      subject: "C=VN, CN=Thời Hạn",
      validityDays: 30,
    });
    const v = validator();
    const expired = await v.validate({
      certificate: cert.certificate,
      at: new Date(Date.now() + 60 * DAY),
      purpose: "document-signature",
    });
    assert.equal(expired.status, "invalid");
    assert.equal(expired.reason, "PKI_EXPIRED");
    assert.match(expired.messageVi ?? "", /hết hạn/);
    const early = await v.validate({
      certificate: cert.certificate,
      at: new Date(Date.now() - DAY),
      purpose: "document-signature",
    });
    assert.equal(early.reason, "PKI_NOT_YET_VALID");
  });

  test("revoked before the validation time is invalid; revoked after it is still valid at that time", async () => {
    const cert = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Thu Hồi" });
    const revokedAt = new Date(Date.now() + 60_000);
    await ca.revoke({ serial: cert.record.serial, reason: "keyCompromise", at: revokedAt });
    const v = validator();
    const after = await v.validate({
      certificate: cert.certificate,
      at: new Date(revokedAt.getTime() + 60_000),
      purpose: "document-signature",
    });
    assert.equal(after.status, "invalid");
    assert.equal(after.reason, "PKI_REVOKED");
    assert.match(after.messageEn ?? "", /keyCompromise/);
    const before = await v.validate({
      certificate: cert.certificate,
      at: new Date(revokedAt.getTime() - 30_000),
      purpose: "document-signature",
    });
    assert.equal(before.status, "valid");
    assert.equal(before.revocation[0]?.status, "revoked");
  });

  test("the responder sees revocations made by another process (another CA handle on the same directory)", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Tiến Trình Khác" });
    const other = await CertificateAuthority.open({ dir: ca.dir, passphrase: "pw" });
    await other.revoke({ serial: cert.record.serial, reason: "keyCompromise" });
    const r = await validator().validate({ certificate: cert.certificate, at: new Date(Date.now() + 1000) });
    assert.equal(r.reason, "PKI_REVOKED");
  });

  test("suspended is indeterminate; after reinstatement it is valid again", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Tạm Dừng" });
    await ca.suspend({ serial: cert.record.serial });
    const held = await validator().validate({ certificate: cert.certificate, purpose: "document-signature" });
    assert.equal(held.status, "indeterminate");
    assert.equal(held.reason, "PKI_SUSPENDED");
    await ca.reinstate({ serial: cert.record.serial });
    const back = await validator().validate({ certificate: cert.certificate, purpose: "document-signature" });
    assert.equal(back.status, "valid");
  });

  test("a root that is not configured is untrusted; a missing intermediate leaves the chain incomplete", async () => {
    const other = await CertificateAuthority.init({
      dir: tempDir(),
      passphrase: "pw",
      algorithm: "ECDSA-P256",
    });
    const stranger = await other.issue({ profile: "personal-clerk", subject: "C=VN, CN=Người Lạ" });
    const untrusted = await validator().validate({
      certificate: stranger.certificate,
      candidates: [other.issuingCertificate, other.rootCertificate],
    });
    assert.equal(untrusted.reason, "PKI_UNTRUSTED_ROOT");
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Thiếu Trung Gian" });
    const noIntermediate = new CertificateValidator({ trustAnchors: [ca.rootCertificate] });
    const incomplete = await noIntermediate.validate({ certificate: cert.certificate });
    assert.equal(incomplete.status, "invalid");
    assert.equal(incomplete.reason, "PKI_CHAIN_INCOMPLETE");
    // the intermediate given next to the signature, or fetched from AIA caIssuers, completes it
    assert.equal(
      (await noIntermediate.validate({ certificate: cert.certificate, candidates: [ca.issuingCertificate] }))
        .status,
      "valid",
    );
    const fetching = new CertificateValidator({
      trustAnchors: [ca.rootCertificate],
      fetchIntermediates: true,
    });
    assert.equal((await fetching.validate({ certificate: cert.certificate })).status, "valid");
  });

  test("a tampered certificate signature is reported as PKI_BAD_SIGNATURE", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Giả Mạo" });
    const der = Buffer.from(cert.certificate);
    der[der.length - 3]! ^= 0x01;
    const r = await validator().validate({ certificate: der });
    assert.equal(r.reason, "PKI_BAD_SIGNATURE");
  });

  test("key usage is checked per purpose", async () => {
    const node = await ca.issue({ profile: "node", subject: "C=VN, CN=node.test", dnsNames: ["node.test"] });
    const person = await ca.issue({ profile: "personal-leader", subject: "C=VN, CN=Lãnh Đạo" });
    const v = validator();
    assert.equal(
      (await v.validate({ certificate: node.certificate, purpose: "document-signature" })).reason,
      "PKI_KEY_USAGE",
    );
    assert.equal(
      (await v.validate({ certificate: node.certificate, purpose: "tls-client" })).status,
      "valid",
    );
    assert.equal(
      (await v.validate({ certificate: person.certificate, purpose: "tls-client" })).status,
      "valid",
      "no EKU: any use RFC 5280 allows",
    );
    assert.equal(
      (await v.validate({ certificate: person.certificate, purpose: "timestamp" })).reason,
      "PKI_KEY_USAGE",
    );
    assert.equal(
      (await v.validate({ certificate: ca.tsaCertificate, purpose: "timestamp" })).status,
      "valid",
    );
    const org = await ca.issue({ profile: "organisation-outgoing", subject: "C=VN, CN=CƠ QUAN" });
    assert.equal(
      (await v.validate({ certificate: org.certificate, purpose: "document-signature" })).status,
      "valid",
    );
  });

  test("OCSP responder down and no CRL: indeterminate, never valid; a CRL rescues it", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Mất Kết Nối" });
    const v = validator({ revocation: { fetchCrls: false } });
    down = true;
    try {
      const r = await v.validate({ certificate: cert.certificate, purpose: "document-signature" });
      assert.equal(r.status, "indeterminate");
      assert.equal(r.reason, "PKI_REVOCATION_UNAVAILABLE");
      const crl = await ca.generateCrl({ issuer: "issuing" });
      const rootCrl = await ca.generateCrl({ issuer: "root" });
      const withCrl = validator({ revocation: { fetchCrls: false, crls: [crl.pem, rootCrl.der] } });
      const ok = await withCrl.validate({ certificate: cert.certificate, purpose: "document-signature" });
      assert.equal(ok.status, "valid");
      assert.equal(ok.revocation[0]?.source, "crl");
    } finally {
      down = false;
    }
    const closed = validator({
      revocation: { ocspUrl: "http://127.0.0.1:9/ocsp", fetchCrls: false, timeoutMs: 1000 },
    });
    assert.equal((await closed.validate({ certificate: cert.certificate })).status, "indeterminate");
  });

  test("OCSP answers are cached for the freshness window, then fetched again", async () => {
    const cert = await ca.issue({ profile: "personal-clerk", subject: "C=VN, CN=Bộ Nhớ Đệm" });
    let clock = new Date();
    const v = validator({ now: () => clock, revocation: { ocspCache: new OcspCache({ maxAgeMs: 60_000 }) } });
    const n0 = ocspRequests;
    assert.equal((await v.validate({ certificate: cert.certificate, at: clock })).status, "valid");
    assert.equal(ocspRequests, n0 + 1);
    const second = await v.validate({ certificate: cert.certificate, at: clock });
    assert.equal(second.revocation[0]?.source, "ocsp-cache");
    assert.equal(ocspRequests, n0 + 1);
    clock = new Date(clock.getTime() + 120_000);
    const third = await v.validate({ certificate: cert.certificate, at: clock });
    assert.equal(third.revocation[0]?.source, "ocsp");
    assert.equal(ocspRequests, n0 + 2);
  });

  test("createTrustCallback gives TrustVerdicts; trust anchors load from PEM files and directories; expiry countdown", async () => {
    const cert = await ca.issue({ profile: "organisation-outgoing", subject: "C=VN, CN=UBND" });
    const anchors = loadCertificates([`${ca.dir}/public`]);
    assert.equal(anchors.length, 2);
    const trust = createTrustCallback({
      trustAnchors: loadCertificates([`${ca.dir}/public/root.crt`]),
      revocation: { localSource: (c) => ca.status(c.serialNumber) },
    });
    const ok = await trust({
      certificate: cert.certificate,
      candidates: [ca.issuingCertificate],
      at: new Date(),
      purpose: "document-signature",
    });
    assert.deepEqual(ok, { status: "valid", subject: "C=VN, CN=UBND" });
    await ca.revoke({ serial: cert.record.serial, reason: "affiliationChanged" });
    const bad = await trust({
      certificate: cert.certificate,
      candidates: [ca.issuingCertificate],
      at: new Date(Date.now() + 1000),
      purpose: "document-signature",
    });
    assert.equal(bad.status, "invalid");
    assert.equal(bad.reason, "PKI_REVOKED");
    assert.ok(bad.messageVi?.includes("thu hồi"));
    const countdown = validator().expiryCountdown([ca.ocspResponderCertificate]);
    assert.equal(countdown.length, 3);
    assert.equal(countdown[0]?.role, "own");
    assert.ok(countdown[0]!.daysLeft >= 364 && countdown[0]!.daysLeft <= 365);
  });
});
