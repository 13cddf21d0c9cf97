/**
 * Network load test of the axis (issue 8): signed packages of 10 KB, 100 KB and 2 MB sent over
 * the native API (mutual TLS, keep-alive) by several agencies at once, through one node and
 * through three hops (province A → national → province B), on SQLite and on PostgreSQL.
 *
 * Figures: accept throughput, accept latency p50/p95/p99, time to the recipient's mailbox
 * (p50/p95: from the send to the commit at the last node), peak RSS. Every throughput is printed
 * next to ceilings measured in the same run, on the same bytes:
 *   - a bare durable INSERT of the same size into the same database kind,
 *   - a bare HTTPS POST of the same size on loopback (same TLS setup, same concurrency),
 *   - SHA-256 of the bytes + one RSA-2048 verify (the cryptographic floor of a signed package).
 *
 * All nodes run in this process (peak RSS is the whole system's, client included).
 * Env: BENCH_SCALE (default 1: 240 × 10 KB, 160 × 100 KB, 24 × 2 MB per scenario),
 * BENCH_CONCURRENCY (8), BENCH_DIALECTS (sqlite,postgres), TRUC_LONG=1 adds 100 MB packages.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { Agent } from "node:https";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPemSigner, type NodeConfig, parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import { type BenchRow, measureRate, peakRssMiB, percentile, report } from "@truc/common/bench";
import { signEdxml } from "@truc/edxml";
import { type Database, openDatabase } from "@truc/store";
import { measureBareInsertCeiling, measureConcurrentRate } from "@truc/store/bench";
import { createTestDatabase } from "@truc/store/testing";
import { rawCall, tlsAgent } from "../test/support/http.ts";
import { freePort, MASTER_KEY } from "../test/support/nodes.ts";
import { edocXml } from "../test/support/packages.ts";
import { type Identity, makeSuitePki } from "../test/support/pki.ts";

const LONG = process.env.TRUC_LONG === "1";
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
const AGENCIES = 4;
const SIZES: { label: string; bytes: number; count: number }[] = [
  { label: "10 KB", bytes: 10 * 1024, count: Math.round(240 * SCALE) },
  { label: "100 KB", bytes: 100 * 1024, count: Math.round(160 * SCALE) },
  { label: "2 MB", bytes: 2 * 1024 * 1024, count: Math.max(8, Math.round(24 * SCALE)) },
  ...(LONG ? [{ label: "100 MB", bytes: 100 * 1024 * 1024, count: 3 }] : []),
];
const MiB = 1024 * 1024;

const root = mkdtempSync(join(tmpdir(), "truc-net-bench-"));
const pki = await makeSuitePki(join(root, "pki"));
const nodeIds = {
  national: await pki.node("national"),
  a: await pki.node("lgsp-a"),
  b: await pki.node("lgsp-b"),
};
const senders: { code: string; id: Identity; agent?: Agent }[] = [];
for (let i = 0; i < AGENCIES; i++)
  senders.push({ code: `H29.${String(10 + i)}`, id: await pki.node(`qlvb-${i}`, "RSA-2048") });
const crls = await pki.crls();
const recipients = Array.from({ length: AGENCIES }, (_, i) => `H41.${String(10 + i)}`);
for (const s of senders) s.agent = tlsAgent(s.id, pki.caPems);

const drops: (() => Promise<void>)[] = [];
async function databaseUrl(dialect: "sqlite" | "postgres"): Promise<string | undefined> {
  if (dialect === "sqlite") return undefined;
  const created = await createTestDatabase();
  drops.push(created.drop);
  return created.url;
}

interface Topology {
  entry: RunningNode;
  last: RunningNode;
  nodes: RunningNode[];
  close(): Promise<void>;
}

async function startTopology(
  dialect: "sqlite" | "postgres",
  hops: 1 | 3,
  maxBytes: number,
): Promise<Topology> {
  const dir = mkdtempSync(join(root, `${dialect}-${hops}-`));
  const common = async (name: string, id: Identity, port: number) => {
    const url = await databaseUrl(dialect);
    return {
      dataDir: join(dir, name),
      ...(url ? { databaseUrl: url } : {}),
      listen: { host: "127.0.0.1", port },
      tls: { cert: id.certPem, key: id.keyPem, ca: pki.caPems },
      masterKey: MASTER_KEY,
      logLevel: "silent" as const,
      signature: { default: "require" as const, perSender: {}, signForwarded: true },
      // Revocation from the CA's CRLs given locally (no OCSP responder in the benchmark).
      trust: { crls },
      limits: { maxPackageBytes: maxBytes, maxRecipients: 1000, requestTimeoutMs: 600_000 },
      federation: {
        pollMs: 10,
        directorySyncMs: 3_600_000,
        backoffBaseMs: 20,
        backoffMaxMs: 500,
        batchSize: 16,
      },
    };
  };
  if (hops === 1) {
    const node = await startNode(
      parseNodeConfig(
        {
          ...(await common("node", nodeIds.national, 0)),
          role: "national",
          nodeId: "national",
          organId: "000.00.00.G22",
        },
        { env: {} },
      ),
    );
    for (const s of senders) {
      await node.registerAgency({ code: s.code, name: `Sở ${s.code}` });
      await node.connectSystem({
        systemId: `sys-${s.code}`,
        certFingerprint: s.id.fingerprint,
        agencyCodes: [s.code],
      });
    }
    for (const r of recipients) await node.registerAgency({ code: r, name: `Sở ${r}` });
    return { entry: node, last: node, nodes: [node], close: () => node.close() };
  }
  const ports = { national: await freePort(), a: await freePort(), b: await freePort() };
  const url = (p: number) => `https://127.0.0.1:${p}`;
  const configs: NodeConfig[] = [
    parseNodeConfig(
      {
        ...(await common("national", nodeIds.national, ports.national)),
        role: "national",
        nodeId: "national",
        organId: "000.00.00.G22",
        children: [
          { nodeId: "lgsp-a", url: url(ports.a), fingerprint: nodeIds.a.fingerprint, organId: "H29" },
          { nodeId: "lgsp-b", url: url(ports.b), fingerprint: nodeIds.b.fingerprint, organId: "H41" },
        ],
      },
      { env: {} },
    ),
  ];
  for (const [key, organ] of [
    ["a", "H29"],
    ["b", "H41"],
  ] as const)
    configs.push(
      parseNodeConfig(
        {
          ...(await common(`lgsp-${key}`, nodeIds[key], ports[key])),
          role: "lgsp",
          nodeId: `lgsp-${key}`,
          organId: `000.00.00.${organ}`,
          parent: { nodeId: "national", url: url(ports.national), fingerprint: nodeIds.national.fingerprint },
        },
        { env: {} },
      ),
    );
  const [national, a, b] = await Promise.all(configs.map((c) => startNode(c)));
  for (const s of senders) {
    await a!.registerAgency({ code: s.code, name: `Sở ${s.code}` });
    await a!.connectSystem({
      systemId: `sys-${s.code}`,
      certFingerprint: s.id.fingerprint,
      agencyCodes: [s.code],
    });
  }
  for (const r of recipients) await b!.registerAgency({ code: r, name: `Sở ${r}` });
  await national!.syncDirectoryNow();
  await a!.syncDirectoryNow();
  await b!.syncDirectoryNow();
  const nodes = [a!, national!, b!];
  return {
    entry: a!,
    last: b!,
    nodes,
    close: async () => void (await Promise.all(nodes.map((n) => n.close()))),
  };
}

let docSeq = 0;
async function preparePackages(bytes: number, count: number): Promise<{ from: number; body: Buffer }[]> {
  const out: { from: number; body: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const from = i % AGENCIES;
    const s = senders[from]!;
    const raw = edocXml({
      from: s.code,
      to: [recipients[(i + 1) % AGENCIES]!],
      documentId: `${s.code},2025/03/05,${++docSeq}/NET`,
      attachmentBytes: Math.max(64, Math.floor((bytes - 6000) * 0.75)),
      seed: docSeq,
    });
    out.push({ from, body: await signEdxml(raw, createPemSigner(s.id.keyPem, s.id.certPem)) });
  }
  return out;
}

async function drive(
  url: string,
  jobs: { from: number; body: Buffer }[],
  started = new Map<string, number>(),
) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const sentAt = Date.now();
        const t = performance.now();
        const r = await rawCall(new URL("/v1/packages", url).toString(), {
          method: "POST",
          agent: senders[job.from]!.agent!,
          headers: { "content-type": "application/xml" },
          body: job.body,
          timeoutMs: 600_000,
        });
        latencies.push(performance.now() - t);
        if (r.status !== 201) {
          failures++;
          if (failures <= 3) console.error(`  refused: ${r.status} ${r.body.toString("utf8").slice(0, 200)}`);
        } else started.set(r.json.packageId as string, sentAt);
      }
    }),
  );
  return {
    seconds: (performance.now() - t0) / 1000,
    latencies: latencies.sort((x, y) => x - y),
    started,
    failures,
  };
}

/**
 * Watches the last node while the load runs: for each accepted package, the time from its send
 * to the moment its row is visible (committed) there, polled every 25 ms (so ≤ 25 ms late).
 */
function watchRecipient(last: RunningNode, started: Map<string, number>) {
  const seen = new Map<string, number>();
  let stop = false;
  const loop = (async () => {
    while (!stop || seen.size < started.size) {
      const waiting = [...started.keys()].filter((id) => !seen.has(id));
      for (let i = 0; i < waiting.length; i += 200) {
        const rows = await last.context.db.kysely
          .selectFrom("axis_packages")
          .select("id")
          .where("id", "in", waiting.slice(i, i + 200))
          .execute();
        const now = Date.now();
        for (const r of rows) seen.set(r.id, now - started.get(r.id)!);
      }
      if (stop && seen.size >= started.size) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    async finish(timeoutMs: number): Promise<number[]> {
      stop = true;
      await Promise.race([loop, new Promise((r) => setTimeout(r, timeoutMs))]);
      if (seen.size < started.size)
        console.error(`  only ${seen.size}/${started.size} reached the last node`);
      return [...seen.values()].sort((x, y) => x - y);
    },
  };
}

// ---------------------------------------------------------------- ceilings (same run, same bytes)

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
function cryptoCeiling(bytes: Buffer) {
  const signature = sign("sha256", createHash("sha256").update("x").digest(), rsa.privateKey);
  return measureRate(
    () => {
      const digest = createHash("sha256").update(bytes).digest();
      verify("sha256", digest, rsa.publicKey, signature);
    },
    { seconds: 0.5, runs: 3 },
  );
}

async function httpsPostCeiling(body: Buffer) {
  const server = createHttpsServer(
    {
      cert: nodeIds.national.certPem,
      key: nodeIds.national.keyPem,
      ca: pki.caPems,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      req.on("data", () => {});
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end('{"packageId":"x","duplicate":false}');
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/v1/packages`;
  const agent = tlsAgent(senders[0]!.id, pki.caPems);
  const post = () =>
    rawCall(url, { method: "POST", agent, body, headers: { "content-type": "application/xml" } });
  const m = await measureConcurrentRate(post, CONCURRENCY, {
    seconds: body.length > 10 * MiB ? 2 : 1,
    runs: 3,
  });
  agent.destroy();
  await new Promise((r) => server.close(r));
  return m;
}

async function insertCeiling(dialect: "sqlite" | "postgres", bytes: number) {
  let db: Database;
  if (dialect === "sqlite") {
    const dir = join(root, `ceiling-${randomBytes(3).toString("hex")}`);
    mkdirSync(dir, { recursive: true });
    db = await openDatabase({ kind: "sqlite", path: join(dir, "c.sqlite") });
  } else {
    const url = await databaseUrl("postgres");
    db = await openDatabase({ kind: "postgres", url: url!, poolSize: CONCURRENCY });
  }
  try {
    const seconds = bytes > 10 * MiB ? 2 : 1;
    return await measureBareInsertCeiling(db, bytes, {
      seconds,
      runs: 3,
      concurrency: dialect === "postgres" ? CONCURRENCY : 1,
    });
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------- run

const rows: BenchRow[] = [];
const fmtMs = (n: number) => n;
try {
  for (const size of SIZES) {
    const sample = (await preparePackages(size.bytes, 1))[0]!.body;
    const crypto = await cryptoCeiling(sample);
    const http = await httpsPostCeiling(sample);
    console.log(
      `${size.label}: package ${sample.length} B; ceilings: SHA-256+RSA verify ${crypto.median.toFixed(0)}/s, bare HTTPS POST ${http.median.toFixed(0)}/s`,
    );
    for (const dialect of DIALECTS) {
      const insert = await insertCeiling(dialect, sample.length);
      for (const hops of [1, 3] as const) {
        const scenario = `${size.label}, ${hops === 1 ? "one node" : "three hops"}, ${dialect}`;
        const topology = await startTopology(dialect, hops, Math.max(64 * MiB, size.bytes * 2));
        try {
          const warm = await preparePackages(size.bytes, Math.min(16, size.count));
          await drive(topology.entry.url, warm);
          const jobs = await preparePackages(size.bytes, size.count);
          const started = new Map<string, number>();
          const watcher = watchRecipient(topology.last, started);
          const run = await drive(topology.entry.url, jobs, started);
          if (run.failures) console.error(`  ${scenario}: ${run.failures} refused`);
          const ttr = await watcher.finish(600_000);
          const rate = (jobs.length - run.failures) / run.seconds;
          const mib = (rate * sample.length) / MiB;
          console.log(
            `  ${scenario}: ${rate.toFixed(1)} pkg/s (${mib.toFixed(1)} MiB/s), p50 ${percentile(run.latencies, 50).toFixed(0)} ms, to recipient p50 ${percentile(ttr, 50).toFixed(0)} ms`,
          );
          const n = `${jobs.length} pkgs, ${CONCURRENCY} in flight`;
          rows.push(
            {
              figure: `${scenario}: accepted pkg/s vs bare INSERT`,
              value: rate,
              unit: "pkg/s",
              ceiling: {
                name: `bare ${size.label} INSERT ${dialect}${dialect === "postgres" ? ` ×${CONCURRENCY}` : ""}`,
                value: insert.median,
              },
              note: n,
            },
            {
              figure: `${scenario}: accepted pkg/s vs bare HTTPS POST`,
              value: rate,
              unit: "pkg/s",
              ceiling: { name: `bare HTTPS POST ${size.label} ×${CONCURRENCY}`, value: http.median },
            },
            {
              figure: `${scenario}: accepted pkg/s vs SHA-256 + RSA verify`,
              value: rate,
              unit: "pkg/s",
              ceiling: { name: "SHA-256 + RSA-2048 verify, one core", value: crypto.median },
            },
            { figure: `${scenario}: accept throughput`, value: mib, unit: "MiB/s" },
            {
              figure: `${scenario}: accept latency p50`,
              value: fmtMs(percentile(run.latencies, 50)),
              unit: "ms",
            },
            {
              figure: `${scenario}: accept latency p95`,
              value: fmtMs(percentile(run.latencies, 95)),
              unit: "ms",
            },
            {
              figure: `${scenario}: accept latency p99`,
              value: fmtMs(percentile(run.latencies, 99)),
              unit: "ms",
            },
            {
              figure: `${scenario}: time to recipient p50`,
              value: percentile(ttr, 50),
              unit: "ms",
              note: `send → row visible at ${hops === 1 ? "the node" : "province B"} (polled every 25 ms)`,
            },
            { figure: `${scenario}: time to recipient p95`, value: percentile(ttr, 95), unit: "ms" },
            { figure: `${scenario}: peak RSS so far (all nodes + client)`, value: peakRssMiB(), unit: "MiB" },
          );
        } finally {
          await topology.close();
        }
      }
    }
  }
} finally {
  for (const s of senders) s.agent?.destroy();
  for (const drop of drops) await drop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
}

report("network load test: axis over mTLS, signed packages, one node and three hops", rows);
// Every node was closed above; exit explicitly so a handle some library keeps open cannot hold
// `npm run bench` (seen with the three-hop topology).
process.exit(0);
