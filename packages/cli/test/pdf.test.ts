import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { makeSampleDocument } from "@truc/pdfsign";
import { makeTestPki, type TestPki } from "../../pdfsign/test/helpers/openssl-pki.ts";

const bin = join(import.meta.dirname, "..", "bin", "truc.mjs");
const assets = join(import.meta.dirname, "..", "..", "pdfsign", "assets");
let pki: TestPki;
let dir: string;
let unsigned: string;

const truc = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const trustArgs = () => [
  "--anchor",
  pki.root.certFile,
  "--intermediate",
  pki.ca.certFile,
  "--crl",
  pki.crlFile,
  "--offline",
];

before(async () => {
  pki = await makeTestPki();
  dir = mkdtempSync(join(tmpdir(), "truc-cli-pdf-"));
  unsigned = join(dir, "van-ban.pdf");
  writeFileSync(unsigned, await makeSampleDocument());
});

test("truc pdf sign (leader, then organisation) and truc pdf verify: exit 0, Vietnamese report", () => {
  const personal = join(dir, "ky-ca-nhan.pdf");
  const issued = join(dir, "ban-hanh.pdf");
  const cert = (id: { certPem: string }) => {
    const f = join(dir, `${Math.random()}.pem`);
    writeFileSync(f, id.certPem + pki.ca.certPem);
    return f;
  };
  let r = truc(
    "pdf",
    "sign",
    unsigned,
    "-o",
    personal,
    "--key",
    pki.person.keyFile,
    "--cert",
    cert(pki.person),
    "--appearance",
    "personal",
    "--image",
    join(assets, "signature-blue.png"),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Đã ký/);
  r = truc(
    "--json",
    "pdf",
    "sign",
    personal,
    "-o",
    issued,
    "--key",
    pki.organisation.keyFile,
    "--cert",
    cert(pki.organisation),
    "--appearance",
    "organisation",
    "--image",
    join(assets, "seal-red.png"),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).field, "DauCoQuan_1");

  r = truc("pdf", "verify", issued, ...trustArgs());
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Kết luận chung: HỢP LỆ/);
  r = truc("--lang", "en", "pdf", "verify", issued, ...trustArgs());
  assert.match(r.stdout, /Overall verdict: VALID/);
  r = truc("--json", "pdf", "verify", issued, ...trustArgs());
  const report = JSON.parse(r.stdout);
  assert.equal(report.signatures.length, 2);
  assert.deepEqual(
    report.signatures.map((s: { kind: string }) => s.kind),
    ["personal", "organisation"],
  );

  // Tampered → 1; no trust anchor → 3 (indeterminate).
  const bytes = readFileSync(issued);
  bytes[2000] = bytes[2000]! ^ 1;
  const tampered = join(dir, "sua.pdf");
  writeFileSync(tampered, bytes);
  assert.equal(truc("pdf", "verify", tampered, ...trustArgs()).status, 1);
  r = truc("pdf", "verify", issued);
  assert.equal(r.status, 3, r.stdout);
  assert.match(r.stdout, /CHƯA XÁC ĐỊNH ĐƯỢC/);
});

test("truc pdf sign: bad options exit 2 with the error code", () => {
  const r = truc(
    "pdf",
    "sign",
    unsigned,
    "-o",
    join(dir, "x.pdf"),
    "--appearance",
    "invisible",
    "--key",
    pki.person.keyFile,
    "--cert",
    pki.person.certFile,
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PDF_OPTIONS_INVALID/);
});
