/**
 * Load test of one axis node on PostgreSQL over loopback: N agencies (each its own connected
 * system with an mTLS client certificate) send signed 100 KB packages (one random attachment,
 * like a compressed PDF) to each other through the native API, from a load generator in its
 * own process. Every package is parsed, its XML-DSig verified against the test CA, its
 * attachments stored, a TraceHeader appended, re-signed with the node key, and committed
 * with its mailbox row and evidence record before the answer.
 *
 * Printed next to the same-run ceiling of a bare durable INSERT of the same bytes, with the CPU
 * per package of the node, of PostgreSQL and of the load generator (they share the cores).
 * Env: BENCH_PACKAGES (default 800), BENCH_CONCURRENCY (16), BENCH_AGENCIES (8), BENCH_BODIES
 * (log: the node's default on PostgreSQL; database: package bytes in a table);
 * TRUC_BENCH_CPU_PROFILE=<dir> records the node's main thread over the measured run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mainThreadCpuSeconds, percentile, profiled, report } from "@truc/common/bench";
import { openDatabase } from "@truc/store";
import { localPostgresCpuSeconds, measureBareInsertCeiling } from "@truc/store/bench";
import { createTestDatabase } from "@truc/store/testing";
import { parseNodeConfig } from "../src/config.ts";
import { startNode } from "../src/node.ts";
import { makeTestPki } from "../test/support/pki.ts";
import { startFloorNode } from "./support/floor-node.ts";
import { startLoadGenerator } from "./support/load-generator.ts";

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 800);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const AGENCIES = Number(process.env.BENCH_AGENCIES ?? 8);
const WARMUP = 64;
const PAYLOAD = 100 * 1024;
const BODIES = process.env.BENCH_BODIES === "database" ? "database" : "log";

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
      storage: { bodies: BODIES },
    },
    { env: {} },
  ),
);

const agencies = Array.from({ length: AGENCIES }, (_, i) => {
  const code = `H${String(10 + i).padStart(2, "0")}.01`;
  return { code, id: pki.issue(`qlvb-${code}`) };
});
for (const a of agencies) {
  await node.registerAgency({ code: a.code, name: `Sở ${a.code}` });
  await node.connectSystem({
    systemId: `sys-${a.code}`,
    certFingerprint: a.id.fingerprint,
    agencyCodes: [a.code],
  });
}

console.log(`preparing ${PACKAGES + WARMUP} signed packages of ${PAYLOAD / 1024} KB in the load generator …`);
const generator = await startLoadGenerator({
  url: node.url,
  caPem: pki.caPem,
  agencies: agencies.map((a) => ({ code: a.code, certPem: a.id.certPem, keyPem: a.id.keyPem })),
  packages: { warmup: WARMUP, measure: PACKAGES },
  concurrency: CONCURRENCY,
  attachmentBytes: PAYLOAD,
});

await generator.run("warmup");
const cpu0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const pg0 = localPostgresCpuSeconds();
const main0 = mainThreadCpuSeconds();
const measured = await profiled("axis-accept", () => generator.run("measure"));
const cpu = process.cpuUsage(cpu0);
const elu = performance.eventLoopUtilization(elu0);
const pg1 = localPostgresCpuSeconds();
const main1 = mainThreadCpuSeconds();
if (measured.failures > 0) throw new Error(`${measured.failures} packages were not accepted`);
const rate = PACKAGES / measured.seconds;
const perPackageMs = (seconds: number) => (seconds * 1000) / PACKAGES;

// The recipient's mailbox row commits in the same transaction as the package: the time to
// the mailbox is the accept latency. Check it really is there for every package.
const pending = await node.context.db.kysely
  .selectFrom("axis_deliveries")
  .select((eb) => eb.fn.countAll<number>().as("n"))
  .executeTakeFirstOrThrow();
const sample = await generator.sample();
await node.close();

// Same-run ceilings: the least any node must do per package (floor-node.ts), driven by the
// same generator with the same packages; and a bare INSERT of one of those packages.
const db = await openDatabase({ kind: "postgres", url: created.url, poolSize: 8 });
const floorNode = await startFloorNode({
  db,
  tls: { cert: nodeId.certPem, key: nodeId.keyPem, ca: pki.caPem },
});
await generator.run("warmup", floorNode.url);
const floorCpu0 = process.cpuUsage();
const floor = await generator.run("measure", floorNode.url);
const floorCpu = process.cpuUsage(floorCpu0);
await floorNode.close();
await generator.close();
if (floor.failures > 0) throw new Error(`${floor.failures} packages were refused by the floor node`);
const floorRate = PACKAGES / floor.seconds;
const ceiling1 = await measureBareInsertCeiling(db, sample, { seconds: 3, runs: 3, concurrency: 1 });
const ceiling8 = await measureBareInsertCeiling(db, sample, { seconds: 3, runs: 3, concurrency: 8 });
await db.close();
await created.drop();
rmSync(dir, { recursive: true, force: true });

report("axis: one node, PostgreSQL, signed 100 KB packages (native API, mTLS)", [
  {
    figure: `accepted packages/s (${AGENCIES} agencies, ${CONCURRENCY} in flight, ${PACKAGES} pkgs)`,
    value: rate,
    unit: "pkg/s",
    ceiling: { name: "bare 100 KB INSERT, 8 conns", value: ceiling8.median },
  },
  {
    figure: "accepted packages/s vs the least any node must do (mTLS, 2 hashes, RSA verify + sign, INSERT)",
    value: rate,
    unit: "pkg/s",
    ceiling: { name: "floor node, same generator", value: floorRate },
  },
  {
    figure: "floor node packages/s vs bare INSERT (what the machine leaves for any node)",
    value: floorRate,
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
    figure: "node CPU per package, all threads",
    value: perPackageMs((cpu.user + cpu.system) / 1e6),
    unit: "ms",
  },
  {
    figure: "floor node CPU per package (its whole process)",
    value: perPackageMs((floorCpu.user + floorCpu.system) / 1e6),
    unit: "ms",
  },
  {
    // The main thread serves HTTP and SQL for every package: on a host with more cores (and
    // pipeline workers), 1000 / this is what one node can accept per second at most.
    figure: "node main-thread CPU per package",
    value: main0 === undefined || main1 === undefined ? Number.NaN : perPackageMs(main1 - main0),
    unit: "ms",
  },
  { figure: "node main-thread busy time per package (event loop)", value: elu.active / PACKAGES, unit: "ms" },
  {
    figure: "PostgreSQL CPU per package (server processes on this host)",
    value: pg0 === undefined || pg1 === undefined ? Number.NaN : perPackageMs(pg1 - pg0),
    unit: "ms",
  },
  {
    figure: "load generator CPU per package (its own process)",
    value: perPackageMs(measured.cpuSeconds),
    unit: "ms",
  },
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
