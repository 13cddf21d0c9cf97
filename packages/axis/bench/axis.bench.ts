/**
 * Load test of one axis node on PostgreSQL over loopback: N agencies (each its own connected
 * system with an mTLS client certificate) send signed 100 KB packages to each other through
 * the native API. Every package is parsed, its XML-DSig verified against the test CA, its
 * attachments stored, a TraceHeader appended, re-signed with the node key, and committed
 * with its mailbox row and evidence record before the answer.
 *
 * Printed next to the same-run ceiling of a bare durable INSERT of the same bytes.
 * Env: BENCH_PACKAGES (default 800), BENCH_CONCURRENCY (16), BENCH_AGENCIES (8).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, report } from "@truc/common/bench";
import { signEdxml } from "@truc/edxml";
import { openDatabase } from "@truc/store";
import { measureBareInsertCeiling } from "@truc/store/bench";
import { createTestDatabase } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { startNode } from "../src/node.ts";
import { edocXml } from "../test/support/packages.ts";
import { makeTestPki } from "../test/support/pki.ts";

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 800);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const AGENCIES = Number(process.env.BENCH_AGENCIES ?? 8);
const WARMUP = 64;
const PAYLOAD = 100 * 1024;

const dir = mkdtempSync(join(tmpdir(), "truc-axis-bench-"));
const pki = makeTestPki(dir);
const nodeId = pki.issue("bench-node");
const created = await createTestDatabase();
const crl = await pki.crl();

const node = await startNode(
  parseNodeConfig(
    {
      role: "national",
      nodeId: "national",
      organId: "000.00.00.G22",
      dataDir: join(dir, "node"),
      databaseUrl: created.url,
      listen: { host: "127.0.0.1", port: 0 },
      tls: { cert: nodeId.certPem, key: nodeId.keyPem, ca: [pki.caPem], allowUnclassifiedClients: true },
      signature: { default: "require", perSender: {}, signForwarded: true },
      // Revocation is checked against the CA's CRL (a local file, as a node keeps it).
      trust: { crls: [crl] },
      masterKey: "33".repeat(32),
      logLevel: "silent",
    },
    { env: {} },
  ),
);

const agencies = Array.from({ length: AGENCIES }, (_, i) => {
  const code = `H${String(10 + i).padStart(2, "0")}.01`;
  return {
    code,
    id: pki.issue(`qlvb-${code}`),
    signer: undefined as ReturnType<typeof createPemSigner> | undefined,
  };
});
for (const a of agencies) {
  await node.registerAgency({ code: a.code, name: `Sở ${a.code}` });
  await node.connectSystem({
    systemId: `sys-${a.code}`,
    certFingerprint: a.id.fingerprint,
    agencyCodes: [a.code],
  });
  a.signer = createPemSigner(a.id.keyPem, a.id.certPem);
}

console.log(`preparing ${PACKAGES + WARMUP} signed packages of ${PAYLOAD / 1024} KB …`);
const jobs: { from: number; body: Buffer }[] = [];
for (let i = 0; i < PACKAGES + WARMUP; i++) {
  const from = i % AGENCIES;
  const to = (i + 1 + (i % (AGENCIES - 1))) % AGENCIES;
  const raw = edocXml({
    from: agencies[from]!.code,
    to: [agencies[to === from ? (to + 1) % AGENCIES : to]!.code],
    documentId: `${agencies[from]!.code},2025/03/05,${i}/BENCH`,
    attachmentBytes: PAYLOAD,
    seed: String.fromCharCode(97 + (i % 26)),
  });
  jobs.push({ from, body: await signEdxml(raw, agencies[from]!.signer!) });
}

const agents = agencies.map(
  (a) =>
    new Agent({
      keepAlive: true,
      cert: a.id.certPem,
      key: a.id.keyPem,
      ca: pki.caPem,
      checkServerIdentity: () => undefined,
    }),
);
function post(job: { from: number; body: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL("/v1/packages", node.url),
      {
        method: "POST",
        agent: agents[job.from]!,
        headers: { "content-type": "application/xml", "content-length": String(job.body.length) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(job.body);
  });
}

async function run(list: { from: number; body: Buffer }[]) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < list.length) {
        const job = list[next++]!;
        const t0 = performance.now();
        const status = await post(job);
        latencies.push(performance.now() - t0);
        if (status !== 201) failures++;
      }
    }),
  );
  return {
    seconds: (performance.now() - start) / 1000,
    latencies: latencies.sort((a, b) => a - b),
    failures,
  };
}

await run(jobs.slice(0, WARMUP));
const cpu0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const measured = await run(jobs.slice(WARMUP));
const cpu = process.cpuUsage(cpu0);
const elu = performance.eventLoopUtilization(elu0);
// Node and load generator share this process: CPU of every thread, and the main thread's busy time.
const cpuMsPerPackage = (cpu.user + cpu.system) / 1000 / PACKAGES;
const mainMsPerPackage = elu.active / PACKAGES;
if (measured.failures > 0) throw new Error(`${measured.failures} packages were not accepted`);
const rate = PACKAGES / measured.seconds;

// The recipient's mailbox row commits in the same transaction as the package: the time to
// the mailbox is the accept latency. Check it really is there for every package.
const pending = await node.context.db.kysely
  .selectFrom("axis_deliveries")
  .select((eb) => eb.fn.countAll<number>().as("n"))
  .executeTakeFirstOrThrow();
await node.close();

const db = await openDatabase({ kind: "postgres", url: created.url, poolSize: 8 });
const ceiling1 = await measureBareInsertCeiling(db, PAYLOAD, { seconds: 1, runs: 3, concurrency: 1 });
const ceiling8 = await measureBareInsertCeiling(db, PAYLOAD, { seconds: 1, runs: 3, concurrency: 8 });
await db.close();
await created.drop();
for (const a of agents) a.destroy();
rmSync(dir, { recursive: true, force: true });

report("axis: one node, PostgreSQL, signed 100 KB packages (native API, mTLS)", [
  {
    figure: `accepted packages/s (${AGENCIES} agencies, ${CONCURRENCY} in flight, ${PACKAGES} pkgs)`,
    value: rate,
    unit: "pkg/s",
    ceiling: { name: "bare 100 KB INSERT, 8 conns", value: ceiling8.median },
  },
  {
    figure: "accepted packages/s vs single-connection INSERT",
    value: rate,
    unit: "pkg/s",
    ceiling: { name: "bare 100 KB INSERT, 1 conn", value: ceiling1.median },
  },
  {
    figure: "CPU per package, all threads (node + TLS client in one process)",
    value: cpuMsPerPackage,
    unit: "ms",
  },
  { figure: "main-thread busy time per package (event loop)", value: mainMsPerPackage, unit: "ms" },
  { figure: "accept latency p50", value: percentile(measured.latencies, 50), unit: "ms" },
  { figure: "accept latency p95", value: percentile(measured.latencies, 95), unit: "ms" },
  { figure: "accept latency p99", value: percentile(measured.latencies, 99), unit: "ms" },
  ...([50, 95, 99] as const).map((p) => ({
    figure: `time to recipient's mailbox p${p} (≤ accept: same transaction, committed before the answer)`,
    value: percentile(measured.latencies, p),
    unit: "ms",
    ...(p === 50 ? { note: `${Number(pending.n)} mailbox rows for ${PACKAGES + WARMUP} packages` } : {}),
  })),
]);
console.log(
  `pipeline workers (TRUC_PIPELINE_WORKERS): ${process.env.TRUC_PIPELINE_WORKERS ?? "0 (main thread)"}`,
);
