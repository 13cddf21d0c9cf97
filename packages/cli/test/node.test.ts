/**
 * `truc node --config` runs a node from a file and stops cleanly on SIGTERM (evidence sealed);
 * `truc axis verify-log` then finds the log intact, and finds where it was altered; against the
 * node's anchor file (or a copy given with --anchors) it also finds a cut-off tail.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createPemSigner, loadNodeConfig, startNode } from "@truc/axis";
import { SdkvxpClient } from "@truc/client";
import Database from "better-sqlite3";
import { PackageFactory } from "../src/conformance/packages.ts";
import { runCli } from "../src/support/in-process.ts";

const bin = join(import.meta.dirname, "..", "bin", "truc.mjs");

test("truc node runs until SIGTERM, then truc axis verify-log checks its evidence chain", async () => {
  const dir = mkdtempSync(join(tmpdir(), "truc-cli-node-"));
  const dataDir = join(dir, "data");
  const config = join(dir, "node.json");
  writeFileSync(
    config,
    JSON.stringify({
      role: "national",
      nodeId: "national",
      organId: "000.00.00.G22",
      dataDir,
      masterKey: "55".repeat(32),
      logLevel: "silent",
    }),
  );

  // Directory and connections live in the node's store: set them up once, in-process.
  const setup = await startNode(loadNodeConfig(config, { env: {} }), { workers: false });
  await setup.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
  await setup.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
  await setup.connectSystem({ systemId: "vxp.gui", secret: "bí-mật", agencyCodes: ["H29.12"] });
  await setup.close();

  // The node takes DATABASE_URL from the environment when its file names none: CI sets it,
  // and this node's directory and connections are in its SQLite file.
  const { DATABASE_URL: _unused, ...env } = process.env;
  const child = spawn(process.execPath, [bin, "--json", "node", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  while (!stdout.includes("}\n")) {
    if (child.exitCode !== null) assert.fail(`node exited early: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const started = JSON.parse(stdout.slice(0, stdout.indexOf("}\n") + 1));
  assert.equal(started.event, "started");
  assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  // It serves the SDKVXP API with the connections kept in its store.
  const client = (systemId: string) =>
    new SdkvxpClient({
      endpoint: started.url,
      systemId,
      secret: "bí-mật",
      agencyCode: "H29.12",
      retry: { retries: 0 },
    });
  const pkg = await new PackageFactory("H29.12", "H41.05").newDocument("V/v thử nghiệm nút");
  assert.ok((await client("vxp.gui").sendEdoc(pkg.bytes, { messageType: "edoc" })).docId);
  await assert.rejects(
    client("khong-co").sendEdoc(pkg.bytes, { messageType: "edoc" }),
    /AXIS_AUTH_UNKNOWN_SYSTEM/,
  );

  child.kill("SIGTERM");
  assert.equal(await exited, 0, stderr);
  assert.match(stdout, /"event": "stopped"/);

  let r = await runCli(["--json", "axis", "verify-log", "--data-dir", dataDir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.ok(report.records >= 1, "the accepted package left evidence");

  // Alter the first record: the chain breaks there.
  const db = new Database(join(dataDir, "axis.sqlite"));
  db.prepare("UPDATE axis_evidence SET details = ? WHERE seq = 1").run('{"edited":true}');
  db.close();
  r = await runCli(["--lang", "en", "axis", "verify-log", "--data-dir", dataDir]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^AXIS_EVIDENCE_BROKEN: The evidence log was altered at record 1: /);

  r = await runCli(["axis", "verify-log", "--data-dir", join(dir, "khong-co")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_INPUT_UNREADABLE/);
});

test("truc axis verify-log checks the chain against the node's anchor file and --anchors copies", async () => {
  const dir = mkdtempSync(join(tmpdir(), "truc-cli-anchors-"));
  const dataDir = join(dir, "data");
  // A node key (self-signed: the seals are checked against the chain's own certificate).
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "node.key",
      "-out",
      "node.pem",
      "-days",
      "2",
      "-subj",
      "/CN=truc test node",
    ],
    { cwd: dir, stdio: "ignore" },
  );
  const node = await startNode(
    loadNodeConfig(
      {
        role: "national",
        nodeId: "national",
        organId: "000.00.00.G22",
        dataDir,
        masterKey: "55".repeat(32),
        logLevel: "silent",
      },
      { env: {} },
    ),
    {
      workers: false,
      signer: createPemSigner(
        readFileSync(join(dir, "node.key"), "utf8"),
        readFileSync(join(dir, "node.pem"), "utf8"),
      ),
    },
  );
  await node.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
  await node.sealEvidenceNow();
  await node.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
  await node.close(); // seals again on the way out
  const own = join(dataDir, "evidence-anchors.jsonl");
  const lines = readFileSync(own, "utf8").trim().split("\n");
  assert.equal(lines.length, 2, "one anchor line per seal");

  // By default the node's own anchor file is used.
  let r = await runCli(["--json", "axis", "verify-log", "--data-dir", dataDir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.anchors.length, 1);
  assert.equal(report.anchors[0].source, own);
  assert.equal(report.anchors[0].accepted, 2);
  r = await runCli(["--lang", "en", "axis", "verify-log", "--data-dir", dataDir]);
  assert.match(r.stdout, /Checked against 2 seals anchored outside the database .*: the chain was not cut\./);

  // A copy kept elsewhere (the WORM one), and an edited line: refused, not taken as proof.
  const worm = join(dir, "worm-anchors.jsonl");
  copyFileSync(own, worm);
  const forged = join(dir, "forged.jsonl");
  const last = JSON.parse(lines[1]!);
  writeFileSync(forged, `${JSON.stringify({ ...last, seq: last.seq + 40 })}\n`);
  r = await runCli(["--lang", "en", "axis", "verify-log", "--data-dir", dataDir, "--anchors", forged]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^AXIS_EVIDENCE_ANCHOR_INVALID: Line 1 of anchor source .*forged\.jsonl is not a seal signed by the node: signature-invalid/,
  );

  // Cut the tail (the last seal) and remove the node's own anchor file, as an intruder would.
  const db = new Database(join(dataDir, "axis.sqlite"));
  db.prepare("DELETE FROM axis_evidence WHERE seq = (SELECT max(seq) FROM axis_evidence)").run();
  db.close();
  rmSync(own);
  r = await runCli(["--lang", "en", "axis", "verify-log", "--data-dir", dataDir]);
  assert.equal(r.status, 0, "without any anchor the shorter chain looks intact");
  assert.match(r.stdout, /No anchor file: a cut-off tail cannot be detected/);
  r = await runCli(["axis", "verify-log", "--data-dir", dataDir, "--anchors", worm]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^AXIS_EVIDENCE_TRUNCATED: Nhật ký chứng cứ bị cắt mất phần cuối: /);
  r = await runCli(["--json", "axis", "verify-log", "--data-dir", dataDir, "--anchors", worm]);
  const cut = JSON.parse(r.stdout);
  assert.equal(cut.error.code, "AXIS_EVIDENCE_TRUNCATED");
  assert.equal(cut.problem.reason, "truncated");
  assert.equal(cut.problem.anchoredSeq, last.seq);

  r = await runCli(["axis", "verify-log", "--data-dir", dataDir, "--anchors", join(dir, "khong-co.jsonl")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_INPUT_UNREADABLE/);
});
