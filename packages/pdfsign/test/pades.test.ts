import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PDF, rgb } from "@libpdf/core";
import { toVietnamIso } from "@truc/common";
import {
  formatReport,
  HttpTimestampAuthority,
  makeSampleDocument,
  type SignPdfResult,
  signPdf,
  type ValidationReport,
  verifyPdf,
} from "../src/index.ts";
import { makeTestPki, type RunningTsa, startOpensslTsa, type TestPki } from "./helpers/openssl-pki.ts";
import {
  extractSignatures,
  opensslCmsPrint,
  opensslCmsVerify,
  opensslVerify,
  pdfsig,
  pdftotext,
  qpdfCheck,
  tool,
  writeTemp,
} from "./helpers/oracles.ts";

const assets = join(import.meta.dirname, "..", "assets");
const signatureImage = new Uint8Array(readFileSync(join(assets, "signature-blue.png")));
const sealImage = new Uint8Array(readFileSync(join(assets, "seal-red.png")));

let pki: TestPki;
let tsaServer: RunningTsa;
let tsa: HttpTimestampAuthority;
let document: Uint8Array;
/** Signed by the competent person (B-T), then by the organisation (B-LT). */
let issued: { personal: SignPdfResult; organisation: SignPdfResult };

const codes = (report: ValidationReport, i = 0) => report.signatures[i]!.reasons.map((r) => r.code);

before(async () => {
  pki = await makeTestPki();
  tsaServer = await startOpensslTsa(pki);
  tsa = new HttpTimestampAuthority(tsaServer.url);
  document = await makeSampleDocument();
  const personal = await signPdf(document, {
    signer: pki.signer(pki.person),
    level: "B-T",
    tsa,
    appearance: { kind: "personal", image: signatureImage },
    reason: "Ký ban hành",
  });
  const organisation = await signPdf(personal.bytes, {
    signer: pki.signer(pki.organisation),
    level: "B-LT",
    tsa,
    appearance: { kind: "organisation", image: sealImage },
    validationData: async (chain) => {
      assert.equal(chain.length, 3);
      return {
        crls: [pki.caCrlDer, pki.rootCrlDer],
        ocspResponses: [pki.ocspResponse(pki.organisation), pki.ocspResponse(pki.person)],
      };
    },
  });
  issued = { personal, organisation };
});

after(async () => {
  await tsaServer?.close();
});

describe("issuance: competent person, then organisation", () => {
  test("both signatures are valid for us, and for pdfsig and qpdf", async () => {
    const bytes = issued.organisation.bytes;
    const report = await verifyPdf(bytes, { trust: pki.trust });
    assert.equal(report.verdict, "valid", formatReport(report, "en"));
    assert.equal(report.signatures.length, 2);
    const [first, second] = report.signatures;
    assert.equal(first!.kind, "personal");
    assert.equal(second!.kind, "organisation");
    assert.equal(first!.timeSource, "timestamp");
    assert.equal(second!.level, "B-LT");
    assert.deepEqual(first!.changesAfter.disallowed, []);
    assert.ok(first!.changesAfter.allowed.length > 0, "the seal's revision is listed as an allowed change");
    assert.deepEqual(second!.changesAfter.disallowed, []); // only the DSS follows it
    assert.ok(second!.revocation?.some((r) => r.source === "dss-ocsp" && r.status === "good"));
    assert.ok(second!.revocation?.some((r) => r.source === "dss-crl" && r.status === "good"));

    const sig = pdfsig(bytes);
    assert.equal((sig.out.match(/Signature is Valid/g) ?? []).length, 2, sig.out);
    assert.match(sig.out, /ETSI\.CAdES\.detached/);
    assert.match(sig.out, /Nguyễn Văn An/);
    assert.match(sig.out, /ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM/);
    const q = qpdfCheck(bytes);
    assert.equal(q.status, 0, q.out);
    assert.match(q.out, /No syntax or stream encoding errors/);
  });

  test("openssl cms -verify agrees on each signature; the CMS is PAdES baseline shaped", () => {
    const sigs = extractSignatures(issued.organisation.bytes);
    assert.equal(sigs.length, 2);
    for (const s of sigs) {
      const r = opensslCmsVerify(s, pki.chainFile);
      assert.equal(r.status, 0, r.out);
      const printed = opensslCmsPrint(s);
      assert.match(printed, /id-smime-aa-signingCertificateV2|signingCertificateV2/);
      assert.match(printed, /id-smime-aa-timeStampToken|timeStampToken/);
      assert.doesNotMatch(printed, /object: signingTime/);
      assert.match(printed, /sha256/);
    }
    // The personal signature's range ends where the organisation's revision starts.
    assert.ok(sigs[0]!.byteRange[2] + sigs[0]!.byteRange[3] < sigs[1]!.byteRange[2]);
  });

  test("the seal overlaps the left third of the signature image, centred between title and name", async () => {
    const p = issued.personal.placement!;
    const o = issued.organisation.placement!;
    assert.equal(p.page, 1);
    assert.equal(o.page, p.page);
    assert.ok(Math.abs(o.rect.x + o.rect.width - (p.rect.x + p.rect.width / 3)) < 0.01);
    assert.ok(Math.abs(o.rect.y + o.rect.height / 2 - (p.rect.y + p.rect.height / 2)) < 0.01);
    assert.ok(Math.abs(o.rect.width - (36 * 72) / 25.4) < 0.01, "seal at real size (36 mm)");
    const pdf = await PDF.load(document);
    const name = pdf.findText("Nguyễn Văn An")[0]!.bbox;
    const title = pdf.findText("PHÓ CHỦ TỊCH")[0]!.bbox;
    assert.ok(p.rect.y >= name.y + name.height, "above the name");
    assert.ok(p.rect.y + p.rect.height <= title.y, "below the title line");
    assert.ok(Math.abs(p.rect.x + p.rect.width / 2 - (name.x + name.width / 2)) < 0.5, "centred on the name");
  });

  test("text still extracts as Vietnamese after signing", () => {
    const text = pdftotext(issued.organisation.bytes);
    assert.match(text, /KT\. CHỦ TỊCH/);
    assert.match(text, /PHÓ CHỦ TỊCH/);
    assert.match(text, /Nguyễn Văn An/);
  });

  test("the report reads in Vietnamese and in English", async () => {
    const report = await verifyPdf(issued.organisation.bytes, { trust: pki.trust });
    const vi = formatReport(report, "vi");
    assert.match(vi, /Kết luận chung: HỢP LỆ/);
    assert.match(vi, /chữ ký số của người có thẩm quyền/);
    assert.match(vi, /chữ ký số của cơ quan, tổ chức/);
    assert.match(formatReport(report, "en"), /Overall verdict: VALID/);
  });
});

describe("invisible organisation signature on an appendix / copy", () => {
  test("notation and ISO 8601 Vietnam time, top-right of page 1, Liberation Serif 10 pt, embedded", async () => {
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    const signed = await signPdf(document, {
      signer: pki.signer(pki.organisation),
      appearance: { kind: "invisible", notation: "123/QĐ-UBND" },
      signingTime,
    });
    const text = pdftotext(signed.bytes);
    assert.match(text, /123\/QĐ-UBND/);
    assert.ok(text.includes(toVietnamIso(signingTime)), text.slice(0, 300));
    assert.match(toVietnamIso(signingTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    const rect = signed.placement!.rect;
    assert.ok(rect.x > 595 / 2 && rect.y > 842 * 0.85, `top-right, got ${JSON.stringify(rect)}`);
    const fonts = tool("pdffonts", [writeTemp(signed.bytes)]).out;
    assert.match(fonts, /[A-Z]{6}\+LiberationSerif\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const report = await verifyPdf(signed.bytes, { trust: pki.trust });
    assert.equal(report.verdict, "valid", formatReport(report, "en"));
    const s = report.signatures[0]!;
    assert.equal(s.level, "B-B");
    assert.equal(s.timeSource, "claimed");
    assert.equal(s.validationTime, toVietnamIso(signingTime));
    assert.deepEqual(codes(report), ["PDF_SIGNING_TIME_UNTRUSTED"]);
    assert.match(pdfsig(signed.bytes).out, /Signature is Valid/);
  });
});

describe("rejections", () => {
  test("a flipped byte inside a signed range: digest mismatch (openssl agrees)", async () => {
    const bytes = new Uint8Array(issued.personal.bytes);
    const [sig] = extractSignatures(bytes);
    const at = Math.floor(sig!.byteRange[1] / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    const report = await verifyPdf(bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_DIGEST_MISMATCH"), codes(report).join());
    const r = opensslCmsVerify(extractSignatures(bytes)[0]!, pki.chainFile);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /digest failure|verification failure/i);
  });

  test("a flipped byte in a content stream (parsable file) is reported as PDF_DIGEST_MISMATCH", async () => {
    const bytes = new Uint8Array(issued.personal.bytes);
    const text = Buffer.from(bytes).toString("latin1");
    const at = text.indexOf("stream\n") + 20; // inside the first stream's data
    bytes[at] = bytes[at]! ^ 0x01;
    const report = await verifyPdf(bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_DIGEST_MISMATCH"), codes(report).join());
  });

  test("a truncated file: the signed range runs past the end", async () => {
    const bytes = issued.organisation.bytes.subarray(0, issued.organisation.bytes.length - 200);
    const report = await verifyPdf(bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    const last = report.signatures.at(-1)!;
    assert.ok(
      last.reasons.some(
        (r) => r.code === "PDF_BYTE_RANGE_INVALID" || r.code === "PDF_NOT_COVERING_WHOLE_FILE",
      ),
      last.reasons.map((r) => r.code).join(),
    );
  });

  test("bytes appended after the last revision are not covered", async () => {
    const bytes = new Uint8Array([
      ...issued.personal.bytes,
      ...new TextEncoder().encode("\n1 0 obj (x) endobj\n"),
    ]);
    const report = await verifyPdf(bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_NOT_COVERING_WHOLE_FILE"), codes(report).join());
  });

  test("page content changed in a later incremental update: signed then modified", async () => {
    const pdf = await PDF.load(issued.personal.bytes);
    pdf.getPage(0)!.drawText("ĐÃ SỬA", { x: 100, y: 100, size: 20, color: rgb(1, 0, 0) });
    const modified = await pdf.save({ incremental: true });
    assert.ok(modified.length > issued.personal.bytes.length);
    const report = await verifyPdf(modified, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_MODIFIED_AFTER_SIGNING"), codes(report).join());
    assert.match(report.signatures[0]!.changesAfter.disallowed.join(" "), /page 1/);
    // pdfsig still calls the CMS valid, but only over part of the file: our verdict is stricter.
    assert.match(pdfsig(modified).out, /Not total document signed/);
  });

  test("certificate revoked before the signing time (B-T): PDF_CERTIFICATE_REVOKED (openssl agrees)", async () => {
    const signed = await signPdf(document, {
      signer: pki.signer(pki.revoked),
      level: "B-T",
      tsa,
      appearance: { kind: "personal", image: signatureImage, name: "Nguyễn Văn An" },
    });
    const report = await verifyPdf(signed.bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_CERTIFICATE_REVOKED"), codes(report).join());
    assert.equal(report.signatures[0]!.integrity.signatureValueValid, true);
    const r = opensslVerify(pki.revoked.certFile, pki.root.certFile, pki.ca.certFile, pki.crlFile);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /certificate revoked/);
    assert.equal(
      opensslCmsVerify(extractSignatures(signed.bytes)[0]!, pki.chainFile).status,
      0,
      "the CMS itself verifies",
    );
  });

  test("revocation found in the DSS is reported even if the trust callback misses it", async () => {
    const signed = await signPdf(document, {
      signer: pki.signer(pki.revoked),
      level: "B-LT",
      tsa,
      validationData: { crls: [pki.caCrlDer] },
    });
    const naive = async () => ({ status: "valid" as const });
    const report = await verifyPdf(signed.bytes, { trust: naive });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_CERTIFICATE_REVOKED"));
    assert.equal(report.signatures[0]!.revocation?.[0]?.status, "revoked");
  });

  test("signed after the certificate expired: PDF_CERTIFICATE_UNTRUSTED (openssl agrees)", async () => {
    const signed = await signPdf(document, { signer: pki.signer(pki.expired), level: "B-T", tsa });
    const report = await verifyPdf(signed.bytes, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_CERTIFICATE_UNTRUSTED"), codes(report).join());
    assert.equal(report.signatures[0]!.certificate?.reason, "PKI_EXPIRED");
    const r = opensslVerify(pki.expired.certFile, pki.root.certFile, pki.ca.certFile, pki.crlFile);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /certificate has expired/);
  });

  test("an undecidable certificate status makes the signature indeterminate", async () => {
    const report = await verifyPdf(issued.personal.bytes, {
      trust: async () => ({ status: "indeterminate", reason: "PKI_REVOCATION_UNAVAILABLE" }),
    });
    assert.equal(report.verdict, "indeterminate");
    assert.ok(codes(report).includes("PDF_CERTIFICATE_STATUS_UNKNOWN"));
  });

  test("an untrusted TSA makes the time-stamp indeterminate or invalid, never silently trusted", async () => {
    const report = await verifyPdf(issued.personal.bytes, {
      trust: async ({ purpose }) =>
        purpose === "timestamp" ? { status: "invalid", reason: "PKI_NO_PATH" } : { status: "valid" },
    });
    assert.equal(report.verdict, "invalid");
    assert.ok(codes(report).includes("PDF_TIMESTAMP_INVALID"));
    assert.equal(report.signatures[0]!.timeSource, "claimed");
  });

  test("an unsigned PDF: PDF_NO_SIGNATURES", async () => {
    const report = await verifyPdf(document, { trust: pki.trust });
    assert.equal(report.verdict, "invalid");
    assert.deepEqual(
      report.reasons.map((r) => r.code),
      ["PDF_NO_SIGNATURES"],
    );
  });
});
