/**
 * `truc edxml build | inspect | validate | sign | verify` end to end through the real binary,
 * with an openssl-made PKI; the signed package is also checked by xmlsec1.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { makeTestPki, type TestPki } from "../../pdfsign/test/helpers/openssl-pki.ts";
import { samplePdf } from "../src/conformance/packages.ts";
import { runCli } from "../src/support/in-process.ts";

const truc = (...args: string[]) => runCli(args);

let pki: TestPki;
let dir: string;

before(async () => {
  pki = await makeTestPki();
  dir = mkdtempSync(join(tmpdir(), "truc-cli-edxml-"));
  writeFileSync(join(dir, "quyet-dinh.pdf"), samplePdf("Quyet dinh 15"));
  writeFileSync(
    join(dir, "van-ban.json"),
    JSON.stringify({
      from: { organId: "H29.12", organName: "Sở Nội vụ" },
      to: ["H41.05", { organId: "G09", organName: "Bộ Nội vụ" }],
      notation: "15/QĐ-SNV",
      type: "Quyết định",
      subject: "Về việc thử nghiệm liên thông",
      date: "2025/03/05",
      signer: { fullName: "Nguyễn Văn A", position: "Giám đốc" },
      attachments: ["quyet-dinh.pdf"],
    }),
  );
});

test("build → validate → inspect → sign → verify (valid 0, untrusted anchor-less 3, tampered 1)", async () => {
  const pkg = join(dir, "van-ban.edxml");
  let r = await truc("--lang", "en", "edxml", "build", join(dir, "van-ban.json"), "-o", pkg);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Built .*van-ban\.edxml/);

  r = await truc("edxml", "validate", pkg);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Hợp lệ \(văn bản/);

  r = await truc("edxml", "inspect", pkg);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Số, ký hiệu\s+15\/QĐ-SNV/);
  assert.match(r.stdout, /Nơi nhận\s+H41\.05, G09 \(Bộ Nội vụ\)/);
  assert.match(r.stdout, /Chữ ký gói tin\s+không có/);
  r = await truc("--json", "edxml", "inspect", pkg);
  const model = JSON.parse(r.stdout);
  assert.equal(model.document.header.documentId, "H29.12,2025/03/05,15/QĐ-SNV");
  assert.equal(model.document.header.documentType.type, 2);
  assert.equal(model.attachments[0].name, "quyet-dinh.pdf");
  assert.equal(model.attachments[0].contentType, "application/pdf");

  const signed = join(dir, "van-ban.signed.edxml");
  const chain = join(dir, "org-chain.pem");
  writeFileSync(chain, pki.organisation.certPem + pki.ca.certPem);
  r = await truc("edxml", "sign", pkg, "-o", signed, "--key", pki.organisation.keyFile, "--cert", chain);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // Independent check: xmlsec1 (libxml2 + OpenSSL) accepts our enveloped signature.
  execFileSync(
    "xmlsec1",
    ["--verify", "--trusted-pem", pki.root.certFile, "--untrusted-pem", pki.ca.certFile, signed],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );

  r = await truc(
    "--lang",
    "en",
    "edxml",
    "verify",
    signed,
    "--trust",
    pki.root.certFile,
    "--crl",
    pki.crlFile,
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Verdict: VALID/);
  r = await truc("edxml", "verify", signed);
  assert.equal(r.status, 3, r.stdout);
  assert.match(r.stdout, /CHƯA XÁC ĐỊNH ĐƯỢC/);
  r = await truc("--json", "edxml", "verify", signed, "--trust", pki.person.certFile, "--revocation", "off");
  assert.equal(r.status, 1, r.stdout);
  assert.equal(JSON.parse(r.stdout).code, "EDXML_SIGNATURE_UNTRUSTED");

  const tampered = join(dir, "sua.edxml");
  writeFileSync(tampered, readFileSync(signed, "utf8").replace("thử nghiệm", "THỬ NGHIỆM"));
  r = await truc("--json", "edxml", "verify", tampered, "--trust", pki.root.certFile, "--crl", pki.crlFile);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(JSON.parse(r.stdout).code, "EDXML_SIGNATURE_DIGEST_MISMATCH");

  // Signing twice needs --replace.
  r = await truc(
    "edxml",
    "sign",
    signed,
    "-o",
    join(dir, "x.edxml"),
    "--key",
    pki.organisation.keyFile,
    "--cert",
    chain,
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /EDXML_SIGN_ALREADY_SIGNED/);
});

test("invalid inputs: every issue with its code, exit 1; bad flags exit 2", async () => {
  const description = join(dir, "sai.json");
  writeFileSync(
    description,
    JSON.stringify({
      from: "H29.12",
      to: ["khong-hop-le"],
      notation: "7/SNV VP",
      subject: "x",
      type: "Công văn",
    }),
  );
  const out = join(dir, "sai.edxml");
  let r = await truc("--json", "edxml", "build", description, "-o", out);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.written, false);
  assert.deepEqual(result.issues.map((i: { code: string }) => i.code).sort(), [
    "EDXML_V_AGENCY_ID",
    "EDXML_V_CODE_NOTATION",
  ]);
  assert.equal(existsSync(out), false);

  r = await truc("edxml", "build", description, "-o", out, "--force");
  assert.equal(r.status, 1);
  r = await truc("--lang", "en", "edxml", "validate", out);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /Invalid: 2 issues/);
  assert.match(r.stdout, /EDXML_V_AGENCY_ID MessageHeader\/To\[1\]\/OrganId/);

  writeFileSync(join(dir, "hong.edxml"), "<edXML><chua-dong>");
  r = await truc("edxml", "validate", join(dir, "hong.edxml"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^EDXML_XML_MALFORMED: /);

  r = await truc("edxml", "sign", out, "-o", join(dir, "y.edxml"));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_USAGE/);
  r = await truc("edxml", "inspect", join(dir, "khong-co.edxml"));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_INPUT_UNREADABLE/);
});
