/**
 * `truc conformance` against our own node, started in-process on SQLite: every scenario passes
 * with the built-in simulated agency, and the signed report verifies with `openssl cms`.
 * Against a deliberately broken agency (skips 04 and 05, never answers a take-back) the report
 * says exactly what is missing.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { SdkvxpClient } from "@truc/client";
import { makeTestPki, type TestPki } from "../../pdfsign/test/helpers/openssl-pki.ts";
import { SimulatedAgency, type StatusAnswer, type Trigger } from "../src/conformance/agency.ts";
import type { ConformanceReport } from "../src/conformance/model.ts";
import { runConformance } from "../src/conformance/runner.ts";

const bin = join(import.meta.dirname, "..", "bin", "truc.mjs");
const SENDER = { systemId: "vxp.kiemthu.01", secret: "bí-mật-gửi", agency: "H29.12" };
const PEER = { systemId: "vxp.kiemthu.02", secret: "bí-mật-nhận", agency: "H41.05" };

let node: RunningNode;
let pki: TestPki;
let dir: string;

/** Async, so the in-process node keeps serving while the CLI runs. */
function truc(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "truc-cli-conformance-"));
  pki = await makeTestPki();
  node = await startNode(
    parseNodeConfig(
      {
        role: "national",
        nodeId: "national",
        organId: "000.00.00.G22",
        dataDir: join(dir, "node"),
        masterKey: "33".repeat(32),
        logLevel: "silent",
        limits: { sdkvxpMaxBytes: 1024 * 1024 },
      },
      { env: {} },
    ),
    { workers: false },
  );
  await node.registerAgency({ code: SENDER.agency, code102: "000.00.12.H29", name: "Sở Nội vụ (kiểm thử)" });
  await node.registerAgency({ code: PEER.agency, code102: "000.00.05.H41", name: "Sở Tư pháp (kiểm thử)" });
  await node.connectSystem({
    systemId: SENDER.systemId,
    secret: SENDER.secret,
    agencyCodes: [SENDER.agency],
  });
  await node.connectSystem({ systemId: PEER.systemId, secret: PEER.secret, agencyCodes: [PEER.agency] });
});

after(async () => {
  await node?.close();
});

test("truc conformance against our node with the simulated agency: every scenario passes, signed report verifies with openssl", async () => {
  const reportDir = join(dir, "report");
  const cert = join(dir, "runner-chain.pem");
  writeFileSync(cert, pki.organisation.certPem + pki.ca.certPem);
  const r = await truc(
    [
      "--lang",
      "en",
      "conformance",
      "--endpoint",
      node.url,
      "--system-id",
      SENDER.systemId,
      "--agency",
      SENDER.agency,
      "--peer-agency",
      PEER.agency,
      "--peer-system-id",
      PEER.systemId,
      "--oversize-mb",
      "2",
      "--report-dir",
      reportDir,
      "--key",
      pki.organisation.keyFile,
      "--cert",
      cert,
    ],
    { TRUC_SECRET: SENDER.secret, TRUC_PEER_SECRET: PEER.secret },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /6\/6 status feedbacks; 15\/15 scenarios passed/);
  assert.ok(
    !r.stdout.includes(SENDER.secret) && !r.stderr.includes(SENDER.secret),
    "the secret is never printed",
  );

  const report = JSON.parse(readFileSync(join(reportDir, "report.json"), "utf8")) as ConformanceReport;
  assert.deepEqual(
    report.scenarios.filter((s) => s.outcome !== "pass").map((s) => [s.id, s.reason?.en]),
    [],
  );
  const byId = new Map(report.scenarios.map((s) => [s.id, s]));
  // Evidence: the refusals carry the node's own error codes, the statuses arrived in order.
  const codeOf = (id: string) =>
    byId
      .get(id)!
      .answers.filter((a) => !a.ok)
      .map((a) => a.errorCode);
  assert.deepEqual(codeOf("wrong-sender"), ["AXIS_SENDER_MISMATCH", "AXIS_SENDER_MISMATCH"]);
  assert.deepEqual(codeOf("unknown-recipient"), ["AXIS_RECIPIENT_UNKNOWN"]);
  assert.deepEqual(codeOf("oversized"), ["AXIS_PACKAGE_TOO_LARGE"]);
  // The node names the cause (digest mismatch) or the generic refusal, depending on its version.
  assert.match(codeOf("bad-signature").join(), /^(AXIS|EDXML)_SIGNATURE_[A-Z_]+$/);
  assert.equal(codeOf("malformed").length, 2);
  const statuses = byId
    .get("status-feedback")!
    .packages.filter((p) => p.party === "runner" && p.action === "received")
    .map((p) => p.statusCode);
  assert.deepEqual(statuses, ["01", "03", "04", "05", "06"]);
  const dup = byId.get("duplicate")!.answers.filter((a) => a.party === "runner");
  assert.equal(dup.length, 2);
  assert.equal(dup[0]!.docId, dup[1]!.docId);
  for (const p of byId.get("send-receive")!.packages) assert.match(p.sha256, /^[0-9a-f]{64}$/);
  assert.equal(report.summary.statusFeedbacks.count, 6);
  assert.match(report.signer!.subject, /CN=/);

  // The renderings are bound into the signed JSON; the signature verifies with openssl.
  const md = readFileSync(join(reportDir, "report.md"), "utf8");
  assert.match(md, /6\/6 phản hồi trạng thái/);
  assert.match(readFileSync(join(reportDir, "report.html"), "utf8"), /<html lang="vi">/);
  const { createHash } = await import("node:crypto");
  assert.equal(report.renderings!.markdown, createHash("sha256").update(md).digest("hex"));
  const verify = (content: string) =>
    execFileSync(
      "openssl",
      [
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        join(reportDir, "report.json.p7s"),
        "-content",
        content,
        "-CAfile",
        pki.chainFile,
        "-purpose",
        "any",
        "-out",
        "/dev/null",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  verify(join(reportDir, "report.json"));
  const tampered = join(dir, "tampered.json");
  writeFileSync(
    tampered,
    readFileSync(join(reportDir, "report.json"), "utf8").replace('"passed": 15', '"passed": 14'),
  );
  assert.throws(() => verify(tampered));
});

/** A test double: an agency that never reports 04 or 05 and ignores take-back requests. */
class BrokenAgency extends SimulatedAgency {
  protected override answersFor(trigger: Trigger, documentId: string): StatusAnswer[] {
    if (trigger === "takeBack") return [];
    return super.answersFor(trigger, documentId).filter((a) => a.code !== "04" && a.code !== "05");
  }
}

test("against a broken agency the report says exactly what is missing", async () => {
  const client = (c: typeof SENDER) =>
    new SdkvxpClient({
      endpoint: node.url,
      systemId: c.systemId,
      secret: c.secret,
      agencyCode: c.agency,
      retry: { retries: 0 },
    });
  const report = await runConformance({
    endpoint: node.url,
    runner: client(SENDER),
    runnerSystemId: SENDER.systemId,
    peer: new BrokenAgency(client(PEER)),
    timeoutMs: 2500,
    pollMs: 50,
    only: ["status-feedback", "rejection", "take-back-agreed", "take-back-declined", "revoke"],
  });
  assert.equal(report.summary.line.en, "4/6 status feedbacks; 2/5 scenarios passed, 3 failed");
  assert.deepEqual(report.summary.statusFeedbacks.missing, ["04", "05"]);
  const outcome = Object.fromEntries(report.scenarios.map((s) => [s.id, [s.outcome, s.reason?.en]]));
  assert.deepEqual(outcome["status-feedback"], [
    "fail",
    "Missing status 04, 05 after 3 s (received: 01, 03, 06)",
  ]);
  assert.deepEqual(outcome["take-back-agreed"], [
    "fail",
    "No answer (15/16) to the take-back request 13 within 3 s",
  ]);
  assert.deepEqual(outcome["take-back-declined"], [
    "fail",
    "No answer (15/16) to the take-back request 13 within 3 s",
  ]);
  assert.equal(outcome.rejection![0], "pass");
  assert.equal(outcome.revoke![0], "pass");
  // The take-back evidence shows the 13 that went out and was delivered, and no answer.
  const takeBack = report.scenarios.find((s) => s.id === "take-back-agreed")!;
  assert.ok(
    takeBack.packages.some((p) => p.party === "runner" && p.action === "sent" && p.statusCode === "13"),
  );
  assert.ok(
    takeBack.packages.some((p) => p.party === "peer" && p.action === "received" && p.statusCode === "13"),
  );
  assert.ok(!takeBack.packages.some((p) => p.statusCode === "15" || p.statusCode === "16"));
});
