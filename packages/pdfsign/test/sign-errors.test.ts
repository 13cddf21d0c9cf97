import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import type { Signer } from "@truc/common";
import {
  HttpTimestampAuthority,
  makeSampleDocument,
  type PdfErrorCode,
  signPdf,
  verifyPdf,
} from "../src/index.ts";
import { makeTestPki, type TestPki } from "./helpers/openssl-pki.ts";

const assets = join(import.meta.dirname, "..", "assets");
const signatureImage = new Uint8Array(readFileSync(join(assets, "signature-blue.png")));
const sealImage = new Uint8Array(readFileSync(join(assets, "seal-red.png")));

let pki: TestPki;
let document: Uint8Array;
let signer: Signer;

before(async () => {
  pki = await makeTestPki();
  document = await makeSampleDocument();
  signer = pki.signer(pki.person);
});

const rejects = (promise: Promise<unknown>, code: PdfErrorCode) =>
  assert.rejects(promise, (error: { code?: string }) => {
    assert.equal(error.code, code);
    return true;
  });

test("the seal needs the competent person's visible signature first (NĐ 30 Art. 32(2)(d))", async () => {
  await rejects(
    signPdf(document, {
      signer: pki.signer(pki.organisation),
      appearance: { kind: "organisation", image: sealImage },
    }),
    "PDF_PERSONAL_SIGNATURE_MISSING",
  );
});

test("an explicit rectangle places the seal without a personal signature", async () => {
  const r = await signPdf(document, {
    signer: pki.signer(pki.organisation),
    appearance: {
      kind: "organisation",
      image: sealImage,
      page: 1,
      rect: { x: 300, y: 300, width: 100, height: 100 },
    },
  });
  assert.deepEqual(r.placement, { page: 1, rect: { x: 300, y: 300, width: 100, height: 100 } });
});

test("rejections while signing carry their codes", async () => {
  await rejects(
    signPdf(document, { signer, appearance: { kind: "personal", image: new Uint8Array([1, 2, 3]) } }),
    "PDF_IMAGE_INVALID",
  );
  await rejects(
    signPdf(document, { signer, appearance: { kind: "personal", image: signatureImage, page: 9 } }),
    "PDF_PAGE_OUT_OF_RANGE",
  );
  await rejects(
    signPdf(document, {
      signer,
      appearance: { kind: "personal", image: signatureImage, name: "Không Có Tên Này" },
    }),
    "PDF_PLACEMENT_NOT_FOUND",
  );
  await rejects(signPdf(document, { signer, level: "B-T" }), "PDF_OPTIONS_INVALID");
  await rejects(
    signPdf(document, { signer, level: "B-LT", tsa: new HttpTimestampAuthority("http://127.0.0.1:9/") }),
    "PDF_VALIDATION_DATA_MISSING",
  );
  await rejects(
    signPdf(document, { signer, level: "B-T", tsa: new HttpTimestampAuthority("http://127.0.0.1:9/") }),
    "PDF_TSA_FAILED",
  );
  await rejects(signPdf(document, { signer, maxInputBytes: 1000 }), "PDF_TOO_LARGE");
  await rejects(signPdf(document, { signer, reservedBytes: 200 }), "PDF_SIGNATURE_TOO_LARGE");
  await rejects(signPdf(new TextEncoder().encode("không phải PDF"), { signer }), "PDF_MALFORMED");
  const broken: Signer = { ...signer, sign: async () => Promise.reject(new Error("token removed")) };
  await rejects(signPdf(document, { signer: broken }), "PDF_SIGNER_FAILED");
  await rejects(verifyPdf(document, { trust: pki.trust, maxBytes: 10 }), "PDF_TOO_LARGE");
});

test("a signature made with the wrong key is reported as PDF_SIGNATURE_VALUE_INVALID", async () => {
  const other = pki.signer(pki.organisation);
  const lying: Signer = { ...signer, sign: other.sign };
  const signed = await signPdf(document, { signer: lying });
  const report = await verifyPdf(signed.bytes, { trust: pki.trust });
  assert.equal(report.verdict, "invalid");
  assert.ok(report.signatures[0]!.reasons.some((r) => r.code === "PDF_SIGNATURE_VALUE_INVALID"));
  assert.equal(report.signatures[0]!.integrity.digestMatches, true);
});
