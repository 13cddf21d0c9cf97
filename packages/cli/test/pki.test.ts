import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../src/main.ts";

/** Runs `truc …` in-process and captures what it prints. */
async function truc(...args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  // the CLI prints strings; the test runner's own protocol (binary chunks) passes through
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== "string") return write(chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "truc", ...args]);
    return { code, out };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

test("truc pki: init, issue, batch, revoke, crl, inspect", async () => {
  const work = mkdtempSync(join(tmpdir(), "truc-cli-pki-"));
  const dir = join(work, "ca");
  process.env.TRUC_TEST_CA_PASS = "mật khẩu";
  const ca = ["--dir", dir, "--passphrase-env", "TRUC_TEST_CA_PASS"];

  const init = await truc("--json", "pki", "init", ...ca, "--algorithm", "ECDSA-P256", "--actor", "cli-test");
  assert.equal(init.code, 0, init.out);
  assert.equal(JSON.parse(init.out).certificates.length, 4);

  const issue = await truc(
    "--json",
    "pki",
    "issue",
    ...ca,
    "--profile",
    "personal-leader",
    "--subject",
    "C=VN, L=Hà Nội, O=Bộ Nội vụ, CN=Nguyễn Văn An, E=an@moha.gov.vn",
    "--out",
    join(work, "an.pem"),
  );
  assert.equal(issue.code, 0, issue.out);
  const serial = JSON.parse(issue.out).serial as string;
  const verify = spawnSync(
    "openssl",
    [
      "verify",
      "-CAfile",
      join(dir, "public", "root.crt"),
      "-untrusted",
      join(dir, "public", "ca.crt"),
      join(work, "an.pem"),
    ],
    { encoding: "utf8" },
  );
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);

  const batchFile = join(work, "batch.csv");
  writeFileSync(
    batchFile,
    [
      "op,profile,subject,serial,reason,dns",
      'issue,personal-clerk,"C=VN, O=Sở Nội vụ, CN=Văn thư 1",,,',
      'issue,node,"C=VN, CN=lgsp.test",,,lgsp.test',
      `revoke,,,${serial},keyCompromise,`,
      "issue,no-such-profile,CN=x,,,",
    ].join("\n"),
  );
  const batch = await truc(
    "--json",
    "pki",
    "issue",
    ...ca,
    "--batch",
    batchFile,
    "--results",
    join(work, "results.jsonl"),
  );
  // the unknown profile is refused while parsing: nothing is issued, exit code "invalid"
  assert.equal(batch.code, 1, batch.out);
  assert.equal(JSON.parse(batch.out).error.code, "PKI_BAD_REQUEST");
  writeFileSync(batchFile, readFileSync(batchFile, "utf8").split("\n").slice(0, 4).join("\n"));
  const batch2 = await truc(
    "--json",
    "pki",
    "issue",
    ...ca,
    "--batch",
    batchFile,
    "--results",
    join(work, "results.jsonl"),
  );
  assert.equal(batch2.code, 0, batch2.out);
  const results = JSON.parse(batch2.out);
  assert.equal(results.total, 3);
  assert.equal(results.failed, 0);
  assert.equal(readFileSync(join(work, "results.jsonl"), "utf8").trim().split("\n").length, 3);

  const again = await truc("--json", "pki", "revoke", ...ca, "--serial", serial, "--reason", "superseded");
  assert.equal(again.code, 1);
  assert.equal(JSON.parse(again.out).error.code, "PKI_INVALID_STATE");

  const crl = await truc("--json", "pki", "crl", ...ca, "--out", join(work, "ca.crl"));
  assert.equal(crl.code, 0, crl.out);
  assert.equal(JSON.parse(crl.out).entries, 1);
  const parsed = spawnSync("openssl", ["crl", "-in", join(work, "ca.crl"), "-noout", "-text"], {
    encoding: "utf8",
  });
  assert.match(parsed.stdout, /Key Compromise/);

  const inspect = await truc(
    "--json",
    "pki",
    "inspect",
    join(work, "an.pem"),
    "--trust",
    join(dir, "public", "root.crt"),
    "--crl",
    join(work, "ca.crl"),
    join(dir, "public", "root.crl"),
    "--purpose",
    "document-signature",
  );
  assert.equal(inspect.code, 1, inspect.out);
  const view = JSON.parse(inspect.out);
  assert.equal(view.kind, "personal");
  assert.equal(view.validation.status, "invalid");
  assert.equal(view.validation.reason, "PKI_REVOKED");

  const human = await truc("--lang", "vi", "pki", "inspect", join(work, "an.pem"));
  assert.equal(human.code, 0);
  assert.match(human.out, /ngày còn lại/);

  const wrongPass = await truc(
    "--json",
    "pki",
    "crl",
    "--dir",
    dir,
    "--passphrase-env",
    "TRUC_TEST_NO_SUCH_VAR",
  );
  assert.equal(wrongPass.code, 1);
  assert.ok(existsSync(join(dir, "operations.jsonl")));
  const log = readFileSync(join(dir, "operations.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.ok(log.some((e) => e.op === "revoke" && e.serial === serial));
});
