/**
 * `truc node --config` runs a node from a file and stops cleanly on SIGTERM (evidence sealed);
 * `truc axis verify-log` then finds the log intact, and finds where it was altered.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadNodeConfig, startNode } from "@truc/axis";
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
