/**
 * The verdict cache in front of @truc/pki: a valid verdict is reused only while the validator
 * would reach it again from the data it holds; a revocation (new CRL, OCSP answer), an expired
 * certificate or stale revocation data are seen at once.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CertificateValidator, normalizeSerial } from "@truc/pki";
import { createCachedTrust } from "../src/adapters/pki-trust.ts";
import { type Identity, makeTestPki, type TestPki } from "./support/pki.ts";

describe("trust verdict cache", () => {
  let dir: string;
  let pki: TestPki;
  let signer: Identity;
  let der: Uint8Array;
  const purpose = "package-signature" as const;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "truc-trust-cache-"));
    pki = makeTestPki(dir);
    signer = pki.issue("signer");
    der = new Uint8Array(new X509Certificate(signer.certPem).raw);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reuses a valid verdict, and refuses the certificate as soon as a CRL revokes it", async () => {
    const cached = createCachedTrust({
      trustAnchors: [pki.caPem],
      revocation: { crls: [await pki.crl()], ocsp: false, fetchCrls: false },
    });
    const at = new Date();
    for (let i = 0; i < 3; i++) {
      const v = await cached.trust({ certificate: der, candidates: [], at, purpose });
      assert.equal(v.status, "valid");
    }
    assert.deepEqual({ hits: cached.stats().hits, misses: cached.stats().misses }, { hits: 2, misses: 1 });

    // Added on the validator directly (as an operator's CRL refresh would): the cache forgets.
    cached.validator.addCrl(await pki.crl([{ serial: signer.serial, at: new Date(Date.now() - 60_000) }]));
    const v = await cached.trust({ certificate: der, candidates: [], at: new Date(), purpose });
    assert.equal(v.status, "invalid");
    assert.equal(v.reason, "PKI_REVOKED");
    // Refusals are never remembered.
    assert.equal(cached.stats().size, 0);
  });

  it("recomputes past the certificate's notAfter, before the validation time, and when the CRL is stale", async () => {
    let wall = new Date();
    const cached = createCachedTrust({
      trustAnchors: [pki.caPem],
      revocation: { crls: [await pki.crl()], ocsp: false, fetchCrls: false },
      now: () => wall,
    });
    const at = new Date();
    assert.equal((await cached.trust({ certificate: der, candidates: [], at, purpose })).status, "valid");
    const notAfter = new Date(new X509Certificate(signer.certPem).validTo);
    const late = await cached.trust({
      certificate: der,
      candidates: [],
      at: new Date(notAfter.getTime() + 1000),
      purpose,
    });
    assert.equal(late.reason, "PKI_EXPIRED");
    assert.equal((await cached.trust({ certificate: der, candidates: [], at, purpose })).status, "valid");
    const hitsBefore = cached.stats().hits;
    // An earlier validation time is not covered by a verdict computed later.
    await cached.trust({ certificate: der, candidates: [], at: new Date(at.getTime() - 1000), purpose });
    assert.equal(cached.stats().hits, hitsBefore);
    // The CRL is fresh for a day: two days later (wall clock) it no longer counts.
    assert.equal((await cached.trust({ certificate: der, candidates: [], at, purpose })).status, "valid");
    const misses = cached.stats().misses;
    wall = new Date(Date.now() + 2 * 86_400_000);
    const stale = await cached.trust({ certificate: der, candidates: [], at: new Date(), purpose });
    assert.equal(stale.status, "indeterminate");
    assert.equal(stale.reason, "PKI_REVOCATION_UNAVAILABLE");
    assert.equal(cached.stats().misses, misses + 1);
  });

  it("follows the validator's OCSP cache: a revoked answer replaces a good one at once", async () => {
    const validator = new CertificateValidator({
      trustAnchors: [pki.caPem],
      revocation: { ocspUrl: "http://127.0.0.1:9/unreachable", fetchCrls: false, timeoutMs: 200 },
    });
    const cached = createCachedTrust(validator, { localSource: false });
    const issuer = new X509Certificate(pki.caPem);
    const key = `${issuer.fingerprint256}/${normalizeSerial(signer.serial)}`;
    const now = new Date();
    const answer = { thisUpdate: now, producedAt: now, der: Buffer.alloc(0) };
    validator.ocspCache.set(key, { ...answer, status: "good" }, now);
    assert.equal(
      (await cached.trust({ certificate: der, candidates: [], at: now, purpose })).status,
      "valid",
    );
    assert.equal(
      (await cached.trust({ certificate: der, candidates: [], at: now, purpose })).status,
      "valid",
    );
    assert.equal(cached.stats().hits, 1);

    validator.ocspCache.set(
      key,
      { ...answer, status: "revoked", revokedAt: new Date(now.getTime() - 1000), reason: "keyCompromise" },
      new Date(),
    );
    const v = await cached.trust({ certificate: der, candidates: [], at: new Date(), purpose });
    assert.equal(v.reason, "PKI_REVOKED");
  });

  it("does not cache when the validator may consult a local revocation source", async () => {
    const validator = new CertificateValidator({
      trustAnchors: [pki.caPem],
      revocation: { crls: [await pki.crl()], ocsp: false, fetchCrls: false },
    });
    const cached = createCachedTrust(validator);
    const at = new Date();
    await cached.trust({ certificate: der, candidates: [], at, purpose });
    await cached.trust({ certificate: der, candidates: [], at, purpose });
    assert.deepEqual({ hits: cached.stats().hits, size: cached.stats().size }, { hits: 0, size: 0 });
  });
});
