/**
 * A node configuration that declares a system (secret from an environment variable) connects
 * it at start; `truc axis operator add` creates console operators (password from an
 * environment variable, or generated and printed once) that can then sign in.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadNodeConfig, startNode } from "@truc/axis";
import { signSdkvxpHeaders } from "@truc/client";
import { runCli } from "../src/support/in-process.ts";

async function login(url: string, username: string, password: string): Promise<number> {
  const res = await fetch(new URL("/admin/api/login", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

test("declared systems are connected at start; truc axis operator add creates console operators", async () => {
  const dir = mkdtempSync(join(tmpdir(), "truc-cli-operator-"));
  const dataDir = join(dir, "data");
  const config = join(dir, "node.json");
  writeFileSync(
    config,
    JSON.stringify({
      role: "national",
      nodeId: "national",
      organId: "000.00.00.G22",
      dataDir,
      masterKey: "66".repeat(32),
      logLevel: "silent",
      systems: [
        {
          systemId: "qlvb.h29",
          secretEnv: "TRUC_TEST_QLVB_H29_SECRET",
          agencyCodes: ["H29.12"],
          sdkCompatibility: "legacy-sdk",
        },
      ],
    }),
  );
  const env = { TRUC_TEST_QLVB_H29_SECRET: "bí-mật-từ-môi-trường" };

  // Missing store: an input error, nothing created.
  const missing = await runCli([
    "--json",
    "axis",
    "operator",
    "add",
    "--data-dir",
    dataDir,
    "--username",
    "ops",
  ]);
  assert.equal(JSON.parse(missing.stdout).error.code, "CLI_INPUT_UNREADABLE");

  const first = await startNode(loadNodeConfig(config, { env }), { workers: false, env });
  await first.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
  // The declared system answers with the secret from the environment, and with a reused
  // timestamp an hour old (legacy-sdk) on a read.
  const signed = signSdkvxpHeaders({
    systemId: "qlvb.h29",
    secret: env.TRUC_TEST_QLVB_H29_SECRET,
    params: {},
    contentType: "application/json",
    now: new Date(Date.now() - 3600_000),
  });
  const res = await fetch(new URL("/getAgenciesList", first.url), {
    method: "POST",
    headers: Object.fromEntries(signed.headers),
  });
  const body = (await res.json()) as { status: string; data: { code: string }[] };
  assert.equal(body.status, "OK", JSON.stringify(body));
  assert.deepEqual(
    body.data.map((a) => a.code),
    ["H29.12"],
  );
  await first.close();

  const generated = await runCli([
    "--json",
    "axis",
    "operator",
    "add",
    "--data-dir",
    dataDir,
    "--username",
    "Van.Thu",
    "--display-name",
    "Văn thư",
  ]);
  assert.equal(generated.status, 0, generated.stderr);
  const made = JSON.parse(generated.stdout) as { username: string; password: string };
  assert.equal(made.username, "van.thu");
  assert.ok(made.password.length >= 20);

  const noEnv = await runCli(
    [
      "--json",
      "axis",
      "operator",
      "add",
      "--data-dir",
      dataDir,
      "--username",
      "ops",
      "--password-env",
      "TRUC_NOPE",
    ],
    { TRUC_NOPE: undefined },
  );
  assert.notEqual(noEnv.status, 0);
  assert.equal(JSON.parse(noEnv.stdout).error.code, "CLI_CREDENTIALS_MISSING");
  const fromEnv = await runCli(
    [
      "--json",
      "axis",
      "operator",
      "add",
      "--data-dir",
      dataDir,
      "--username",
      "ops",
      "--password-env",
      "TRUC_OPS_PW",
    ],
    { TRUC_OPS_PW: "mật-khẩu-của-ops-đủ-dài" },
  );
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  assert.equal((JSON.parse(fromEnv.stdout) as { password?: string }).password, undefined, "never printed");
  const short = await runCli(
    [
      "--json",
      "axis",
      "operator",
      "add",
      "--data-dir",
      dataDir,
      "--username",
      "ops3",
      "--password-env",
      "TRUC_OPS_PW",
    ],
    { TRUC_OPS_PW: "ngắn" },
  );
  assert.equal(JSON.parse(short.stdout).error.code, "AXIS_ADMIN_OPERATOR_INVALID");

  const second = await startNode(loadNodeConfig(config, { env }), { workers: false, env });
  try {
    assert.equal(await login(second.url, "van.thu", made.password), 200);
    assert.equal(await login(second.url, "ops", "mật-khẩu-của-ops-đủ-dài"), 200);
    assert.equal(await login(second.url, "ops", "sai-mật-khẩu-rồi"), 401);
  } finally {
    await second.close();
  }
});
