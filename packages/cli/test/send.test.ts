/**
 * `truc send` and `truc receive` against an in-process node over the SDKVXP API: a PDF goes
 * out wrapped in a package built from flags, the recipient pulls, saves and acknowledges it;
 * refusals and missing settings exit with their codes; the secret is never printed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { parseEdxml } from "@truc/edxml";
import { samplePdf } from "../src/conformance/packages.ts";
import { runCli } from "../src/support/in-process.ts";

const SENDER = { TRUC_SYSTEM_ID: "vxp.gui", TRUC_SECRET: "bí-mật-rất-riêng", TRUC_AGENCY: "H29.12" };
const PEER = { TRUC_SYSTEM_ID: "vxp.nhan", TRUC_SECRET: "secret-nhan-02", TRUC_AGENCY: "H41.05" };
let node: RunningNode;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "truc-cli-send-"));
  node = await startNode(
    parseNodeConfig(
      {
        role: "national",
        nodeId: "national",
        organId: "000.00.00.G22",
        dataDir: join(dir, "node"),
        masterKey: "44".repeat(32),
        logLevel: "silent",
      },
      { env: {} },
    ),
    { workers: false },
  );
  await node.registerAgency({ code: "H29.12", name: "Sở Nội vụ" });
  await node.registerAgency({ code: "H41.05", name: "Sở Tư pháp" });
  await node.connectSystem({
    systemId: SENDER.TRUC_SYSTEM_ID,
    secret: SENDER.TRUC_SECRET,
    agencyCodes: ["H29.12"],
  });
  await node.connectSystem({
    systemId: PEER.TRUC_SYSTEM_ID,
    secret: PEER.TRUC_SECRET,
    agencyCodes: ["H41.05"],
  });
});

after(async () => {
  await node?.close();
});

test("send a PDF, receive it as the recipient, nothing twice", async () => {
  const pdf = join(dir, "cong-van.pdf");
  writeFileSync(pdf, samplePdf("Cong van 7"));
  const env = { ...SENDER, TRUC_ENDPOINT: node.url };
  let r = await runCli(
    [
      "--json",
      "send",
      pdf,
      "--to",
      "H41.05",
      "--subject",
      "V/v báo cáo thử nghiệm",
      "--notation",
      "7/SNV-VP",
    ],
    env,
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const sent = JSON.parse(r.stdout);
  assert.equal(sent.sent, true);
  assert.match(sent.documentId, /^H29\.12,\d{4}\/\d{2}\/\d{2},07\/SNV-VP$/);
  assert.deepEqual(sent.connection, { endpoint: node.url, systemId: "vxp.gui", agency: "H29.12" });
  assert.ok(!r.stdout.includes(SENDER.TRUC_SECRET));

  const inbox = join(dir, "inbox");
  r = await runCli(["--json", "receive", "--out-dir", inbox, "--endpoint", node.url], PEER);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const received = JSON.parse(r.stdout).received;
  assert.equal(received.length, 1);
  assert.equal(received[0].docId, sent.docId);
  assert.equal(received[0].documentId, sent.documentId);
  assert.deepEqual(readdirSync(inbox), [`${sent.docId}.edxml`]);
  const parsed = await parseEdxml(readFileSync(join(inbox, `${sent.docId}.edxml`)));
  assert.equal(parsed.kind, "document");
  assert.equal(parsed.attachments[0]!.name, "cong-van.pdf");

  // Acknowledged: the next pull is empty.
  r = await runCli(["--lang", "en", "receive", "--out-dir", inbox, "--endpoint", node.url], PEER);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "Nothing new.\n");
});

test("refusals and missing settings: exit 1 with the server's code, exit 2 naming what is missing", async () => {
  const pdf = join(dir, "cong-van-2.pdf");
  writeFileSync(pdf, samplePdf("Cong van 8"));
  let r = await runCli(["send", pdf, "--to", "H99.99.99", "--subject", "V/v thử", "--notation", "8/SNV-VP"], {
    ...SENDER,
    TRUC_ENDPOINT: node.url,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /CLIENT_SERVER_ERROR: .*AXIS_RECIPIENT_UNKNOWN/);

  r = await runCli(["--lang", "en", "send", pdf, "--to", "H41.05"], {
    TRUC_ENDPOINT: node.url,
    TRUC_SYSTEM_ID: undefined,
    TRUC_SECRET: undefined,
    TRUC_AGENCY: undefined,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_CREDENTIALS_MISSING: .*--system-id, --secret, --agency/);

  r = await runCli(["send", pdf, "--to", "H41.05", "--subject", "x"], { ...SENDER, TRUC_ENDPOINT: node.url });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /CLI_USAGE: .*--notation/);
});
