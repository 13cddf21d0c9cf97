/**
 * Runs one axis node in its own process, for crash tests (the `truc node` command is the
 * production entry point; this is the test harness's). Usage:
 *
 *   node --import tsx test/support/node-runner.ts <run.json>
 *
 * run.json: { "config": <node configuration, as for loadNodeConfig>, "setup": { "agencies":
 * [{code, name, parentCode?}], "systems": [{systemId, secret?, certFingerprint?, agencyCodes}] } }.
 * The setup is applied at every start (both calls are upserts). When the node listens, one line
 * `TRUC_NODE_URL <url>` is printed on stdout. SIGTERM/SIGINT close the node cleanly.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseNodeConfig, startNode } from "@truc/axis";

interface RunFile {
  config: object;
  setup?: {
    agencies?: { code: string; name: string; parentCode?: string }[];
    systems?: { systemId: string; secret?: string; certFingerprint?: string; agencyCodes: string[] }[];
    /** Pull the directory from every neighbour after start (federated topologies). */
    syncDirectory?: boolean;
  };
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node-runner.ts <run.json>");
  process.exit(2);
}
const run = JSON.parse(readFileSync(file, "utf8")) as RunFile;
const config = parseNodeConfig(run.config, { baseDir: dirname(resolve(file)), env: {} });
const node = await startNode(config);
for (const a of run.setup?.agencies ?? [])
  await node.registerAgency({
    code: a.code,
    name: a.name,
    ...(a.parentCode ? { parentCode: a.parentCode } : {}),
  });
for (const s of run.setup?.systems ?? []) await node.connectSystem(s);
if (run.setup?.syncDirectory) await node.syncDirectoryNow().catch(() => 0);
process.stdout.write(`TRUC_NODE_URL ${node.url}\n`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await node.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
