import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { verifyEdxmlDom } from "../src/dsig/dom.ts";
import { derToP1363, EdxmlError, signEdxml, verifyEdxml } from "../src/index.ts";
import {
  appendTraceHeader,
  fixtureSigner,
  pemToDer,
  readFixture,
  rootTrust,
  samplePackage,
} from "./fixtures/dsig/helpers.ts";

const SIGNATURE = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/g;

async function* chunked(buf: Buffer, size: number): AsyncIterable<Uint8Array> {
  // Plain Uint8Array views, as a web stream gives them.
  for (let i = 0; i < buf.length; i += size)
    yield new Uint8Array(buf.buffer, buf.byteOffset + i, Math.min(size, buf.length - i));
}

async function expectCode(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(EdxmlError.is(e), `expected EdxmlError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

describe("signEdxml + verifyEdxml", () => {
  const pkg = samplePackage({ attachmentBytes: 20_000 });

  for (const name of ["rsa", "ec"] as const) {
    it(`${name}: signs, and both the streaming and the DOM verifier accept`, async () => {
      const signed = await signEdxml(pkg, fixtureSigner(name));
      const trust = rootTrust();
      const fast = await verifyEdxml(signed, { trust });
      assert.equal(fast.status, "valid");
      assert.equal(fast.code, undefined);
      assert.equal(fast.algorithm, name === "rsa" ? "RSA-SHA256" : "ECDSA-P256-SHA256");
      assert.equal(fast.digestAlgorithm, "sha256");
      assert.equal(fast.canonicalization, "exc-c14n");
      assert.equal(fast.legacyAlgorithm, false);
      assert.deepEqual(Buffer.from(fast.certificate!.der), pemToDer(readFixture(`${name}.pem`)));
      assert.equal(fast.trust?.status, "valid");
      assert.equal(fast.digest, createHash("sha256").update(signed).digest("hex"));
      assert.equal(fast.size, signed.length);
      assert.equal(trust.calls, 1);

      const dom = await verifyEdxmlDom(signed, { trust });
      assert.equal(dom.status, "valid");
      assert.equal(dom.digest, fast.digest);
    });
  }

  it("leaves every byte outside the signature element unchanged, signature last in edXMLHeader", async () => {
    const signed = await signEdxml(pkg, fixtureSigner("rsa"), { includeSubjectName: true });
    const text = signed.toString("utf8");
    const matches = text.match(SIGNATURE) ?? [];
    assert.equal(matches.length, 1);
    assert.deepEqual(Buffer.from(text.replace(SIGNATURE, ""), "utf8"), pkg);
    assert.match(text, /<\/Signature><\/edXML:edXMLHeader>/);
    assert.match(
      text,
      /<X509SubjectName>CN=Trục LGSP thử nghiệm,O=UBND Tỉnh Thử nghiệm,C=VN<\/X509SubjectName>/,
    );
  });

  it("re-signs after an axis hop appends a TraceHeader (replaceExisting), in place", async () => {
    const first = await signEdxml(pkg, fixtureSigner("rsa"));
    const hop = appendTraceHeader(first, "000.00.00.G22", "2025/03/05 10:30:00");
    const stale = await verifyEdxml(hop, { trust: rootTrust() });
    assert.equal(stale.status, "invalid");
    assert.equal(stale.code, "EDXML_SIGNATURE_DIGEST_MISMATCH");

    await expectCode(signEdxml(hop, fixtureSigner("other")), "EDXML_SIGN_ALREADY_SIGNED");
    const resigned = await signEdxml(hop, fixtureSigner("other"), { replaceExisting: true });
    const result = await verifyEdxml(resigned, { trust: rootTrust() });
    assert.equal(result.status, "valid");
    assert.deepEqual(Buffer.from(result.certificate!.der), pemToDer(readFixture("other.pem")));
    assert.equal((resigned.toString().match(SIGNATURE) ?? []).length, 1);
    assert.equal(resigned.toString().replace(SIGNATURE, ""), hop.toString().replace(SIGNATURE, ""));
  });

  it("verifies a stream in small chunks with the same result and digest", async () => {
    const signed = await signEdxml(pkg, fixtureSigner("ec"));
    const whole = await verifyEdxml(signed, { trust: rootTrust() });
    for (const size of [1, 7, 4096]) {
      const small =
        size === 1 ? await signEdxml(samplePackage({ attachmentBytes: 300 }), fixtureSigner("ec")) : signed;
      const streamed = await verifyEdxml(chunked(small, size), { trust: rootTrust() });
      assert.equal(streamed.status, "valid", `chunk size ${size}`);
      if (small === signed) assert.equal(streamed.digest, whole.digest);
    }
  });

  it("reports an unsigned package, or refuses it when a signature is required", async () => {
    const result = await verifyEdxml(pkg, { trust: rootTrust() });
    assert.equal(result.status, "unsigned");
    assert.equal(result.trust, null);
    assert.equal(result.digest, createHash("sha256").update(pkg).digest("hex"));
    const dom = await verifyEdxmlDom(pkg, { trust: rootTrust() });
    assert.equal(dom.status, "unsigned");
    await expectCode(
      verifyEdxml(pkg, { trust: rootTrust(), policy: { requireSignature: true } }),
      "EDXML_SIGNATURE_MISSING",
    );
  });

  it("passes the chain as candidates, the purpose and the time to the trust callback", async () => {
    const signed = await signEdxml(pkg, fixtureSigner("rsa"));
    const at = new Date("2030-01-02T03:04:05Z");
    let seen: unknown;
    await verifyEdxml(signed, {
      at,
      trust: async (input) => {
        seen = input;
        return { status: "valid" };
      },
    });
    const input = seen as { candidates: Uint8Array[]; at: Date; purpose: string };
    assert.equal(input.purpose, "package-signature");
    assert.equal(input.at, at);
    assert.deepEqual(
      input.candidates.map((c) => Buffer.from(c)),
      [pemToDer(readFixture("root.pem"))],
    );
  });

  it("refuses to sign without exactly one edXMLHeader", async () => {
    await expectCode(signEdxml(Buffer.from("<a><b/></a>"), fixtureSigner("rsa")), "EDXML_SIGN_NO_HEADER");
  });

  it("refuses a signer whose key does not match its certificate", async () => {
    const wrong = { ...fixtureSigner("rsa"), certificate: pemToDer(readFixture("other.pem")) };
    await expectCode(signEdxml(pkg, wrong), "EDXML_SIGN_SIGNER_FAILED");
  });
});

describe("derToP1363", () => {
  it("left-pads short integers and strips the DER sign byte", () => {
    const r = Buffer.from([0x00, 0x80, ...Buffer.alloc(31, 1)]); // 33 bytes with a sign byte
    const s = Buffer.from([0x05]);
    const der = Buffer.from([0x30, 2 + r.length + 2 + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s]);
    const out = derToP1363(der, 32);
    assert.equal(out.length, 64);
    assert.deepEqual(out.subarray(0, 32), r.subarray(1));
    assert.deepEqual(out.subarray(32), Buffer.concat([Buffer.alloc(31), s]));
    assert.throws(() => derToP1363(Buffer.from([0x30, 0x03, 0x02, 0x01]), 32), RangeError);
  });
});
