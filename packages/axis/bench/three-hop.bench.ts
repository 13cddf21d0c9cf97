/**
 * Three hops on PostgreSQL over loopback with mutual TLS and the background workers running:
 * agency H29.12 → LGSP A (H29) → national (G22) → LGSP B (H41) → agency H41.05's mailbox.
 * Every node parses, validates and verifies the package, stores it durably, appends its
 * TraceHeader and re-signs it. Prints the time from the agency's send to the row in the
 * recipient's mailbox, and the delivered rate, next to the same-run bare INSERT ceiling.
 * Env: BENCH_PACKAGES (default 150), BENCH_CONCURRENCY (8), BENCH_SENDERS (1: every package
 * from H29.12; n > 1 spreads them round-robin over n agencies of H29, as a province's traffic is).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, report } from "@truc/common/bench";
import { signEdxml } from "@truc/edxml";
import { openDatabase } from "@truc/store";
import { measureBareInsertCeiling } from "@truc/store/bench";
import { createTestDatabase } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { type RunningNode, startNode } from "../src/node.ts";
import { edocXml } from "../test/support/packages.ts";
import { type Identity, makeTestPki } from "../test/support/pki.ts";

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 150);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 1);
const senders = Array.from({ length: SENDERS }, (_, i) => `H29.${String(12 + i)}`);
const WARMUP = 16;
const PAYLOAD = 100 * 1024;

const dir = mkdtempSync(join(tmpdir(), "truc-axis-3hop-"));
const pki = makeTestPki(dir);
const crl = await pki.crl();
const ids = { national: pki.issue("national"), a: pki.issue("lgsp-a"), b: pki.issue("lgsp-b") };
const client = pki.issue("qlvb-h29");
const signer = createPemSigner(client.keyPem, client.certPem);
const dbs = [await createTestDatabase(), await createTestDatabase(), await createTestDatabase()];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const ports = { national: await freePort(), a: await freePort(), b: await freePort() };
const url = (p: number) => `https://127.0.0.1:${p}`;
const base = (name: string, id: Identity, port: number, databaseUrl: string) => ({
  dataDir: join(dir, name),
  databaseUrl,
  listen: { host: "127.0.0.1", port },
  tls: { cert: id.certPem, key: id.keyPem, ca: [pki.caPem], allowUnclassifiedClients: true },
  trust: { crls: [crl] },
  signature: { default: "require" as const, perSender: {}, signForwarded: true },
  masterKey: "55".repeat(32),
  logLevel: "silent" as const,
  federation: { pollMs: 5, directorySyncMs: 3_600_000, backoffBaseMs: 50, backoffMaxMs: 1000, batchSize: 32 },
});
const national = await startNode(
  parseNodeConfig(
    {
      ...base("national", ids.national, ports.national, dbs[0]!.url),
      role: "national",
      nodeId: "national",
      organId: "000.00.00.G22",
      children: [
        { nodeId: "lgsp-a", url: url(ports.a), fingerprint: ids.a.fingerprint },
        { nodeId: "lgsp-b", url: url(ports.b), fingerprint: ids.b.fingerprint },
      ],
    },
    { env: {} },
  ),
);
const lgsp = (name: "a" | "b", organId: string, databaseUrl: string) =>
  startNode(
    parseNodeConfig(
      {
        ...base(`lgsp-${name}`, ids[name], ports[name], databaseUrl),
        role: "lgsp",
        nodeId: `lgsp-${name}`,
        organId,
        parent: { nodeId: "national", url: url(ports.national), fingerprint: ids.national.fingerprint },
      },
      { env: {} },
    ),
  );
const a: RunningNode = await lgsp("a", "000.00.00.H29", dbs[1]!.url);
const b: RunningNode = await lgsp("b", "000.00.00.H41", dbs[2]!.url);
await a.registerAgency({ code: "H29", name: "UBND TP Hồ Chí Minh" });
for (const [i, code] of senders.entries())
  await a.registerAgency({ code, name: i === 0 ? "Sở Nội vụ" : `Sở ${code}`, parentCode: "H29" });
await b.registerAgency({ code: "H41", name: "UBND tỉnh Nghệ An" });
await b.registerAgency({ code: "H41.05", name: "Sở Tư pháp", parentCode: "H41" });
await a.connectSystem({ systemId: "qlvb-h29", certFingerprint: client.fingerprint, agencyCodes: senders });
await national.syncDirectoryNow();
await a.syncDirectoryNow();
await b.syncDirectoryNow();

console.log(`preparing ${PACKAGES + WARMUP} signed packages of ${PAYLOAD / 1024} KB …`);
const bodies: Buffer[] = [];
for (let i = 0; i < PACKAGES + WARMUP; i++) {
  const from = senders[i % SENDERS]!;
  const raw = edocXml({
    from,
    to: ["H41.05"],
    documentId: `${from},2025/03/05,${String(i + 10)}/HOP`,
    // Random, like a compressed PDF: nothing for the database to compress.
    attachment: randomBytes(PAYLOAD),
  });
  bodies.push(await signEdxml(raw, signer));
}

const agent = new Agent({
  keepAlive: true,
  cert: client.certPem,
  key: client.keyPem,
  ca: pki.caPem,
  checkServerIdentity: () => undefined,
});
function post(body: Buffer): Promise<{ status: number; packageId: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL("/v1/packages", a.url),
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/xml", "content-length": String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { packageId: string };
          resolve({ status: res.statusCode ?? 0, packageId: json.packageId });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function run(list: Buffer[]) {
  const sentAt = new Map<string, number>();
  const accepted: number[] = [];
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < list.length) {
        const body = list[next++]!;
        const t0 = Date.now();
        const r = await post(body);
        accepted.push(Date.now() - t0);
        if (r.status !== 201) throw new Error(`send refused: ${r.status}`);
        sentAt.set(r.packageId, t0);
      }
    }),
  );
  // Wait until every package is in the recipient's mailbox at B.
  const ids = [...sentAt.keys()];
  let arrived: { package_id: string; created_at: number }[] = [];
  const deadline = Date.now() + 600_000;
  while (arrived.length < ids.length) {
    if (Date.now() > deadline) throw new Error(`only ${arrived.length}/${ids.length} arrived`);
    await new Promise((r) => setTimeout(r, 20));
    arrived = await b.context.db.kysely
      .selectFrom("axis_deliveries")
      .select(["package_id", "created_at"])
      .where("package_id", "in", ids)
      .execute();
  }
  const lastArrival = Math.max(...arrived.map((r) => Number(r.created_at)));
  return {
    seconds: (lastArrival - start) / 1000,
    latencies: arrived.map((r) => Number(r.created_at) - sentAt.get(r.package_id)!).sort((x, y) => x - y),
    accepted: accepted.sort((x, y) => x - y),
  };
}

await run(bodies.slice(0, WARMUP));
const measured = await run(bodies.slice(WARMUP));
const rate = PACKAGES / measured.seconds;
await Promise.all([a.close(), national.close(), b.close()]);

const db = await openDatabase({ kind: "postgres", url: dbs[0]!.url, poolSize: 8 });
// The ceiling writes one of the packages sent: the same bytes.
const ceiling8 = await measureBareInsertCeiling(db, bodies[WARMUP]!, { seconds: 3, runs: 3, concurrency: 8 });
await db.close();
for (const d of dbs) await d.drop();
agent.destroy();
rmSync(dir, { recursive: true, force: true });

report("axis: three hops (agency → LGSP A → national → LGSP B → mailbox), PostgreSQL, signed 100 KB", [
  {
    figure: `packages/s delivered to the mailbox (${CONCURRENCY} in flight, ${PACKAGES} pkgs${SENDERS > 1 ? `, ${SENDERS} senders` : ""})`,
    value: rate,
    unit: "pkg/s",
    ceiling: { name: "bare 100 KB INSERT, 8 conns (one node's DB)", value: ceiling8.median },
    note: "each package is stored durably at 3 nodes, all on the same 2 cores",
  },
  ...([50, 95, 99] as const).map((p) => ({
    figure: `send → recipient's mailbox p${p}`,
    value: percentile(measured.latencies, p),
    unit: "ms",
  })),
  ...([50, 95, 99] as const).map((p) => ({
    figure: `accept latency at the first node (LGSP A) p${p}`,
    value: percentile(measured.accepted, p),
    unit: "ms",
  })),
]);
console.log(
  `pipeline workers (TRUC_PIPELINE_WORKERS): ${process.env.TRUC_PIPELINE_WORKERS ?? "0 (main thread)"}`,
);
