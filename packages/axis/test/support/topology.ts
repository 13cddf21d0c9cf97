/**
 * Three real nodes on loopback with mutual TLS between them: LGSP of province A (H29),
 * the national axis (G22), LGSP of province B (H41). Each has its own database (SQLite in
 * its own directory, or its own fresh PostgreSQL database) and blob store.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DialectContext } from "@truc/store/testing";
import { createTestDatabase } from "@truc/store/testing";
import { parseNodeConfig } from "../../src/config.ts";
import { type RunningNode, startNode } from "../../src/node.ts";
import { type Identity, makeTestPki, type TestPki } from "./pki.ts";

export interface Topology {
  pki: TestPki;
  national: RunningNode;
  a: RunningNode;
  b: RunningNode;
  /** Client certificates of the agencies' document systems. */
  clientA: Identity;
  clientB: Identity;
  close(): Promise<void>;
  /** Moves everything through the network: forward rounds until every outbox is empty. */
  pump(): Promise<void>;
  /** Stops a node (gracefully, or dropping connections with `drain: false`). */
  stop(name: "a" | "national" | "b", options?: { drain?: boolean }): Promise<void>;
  /** Starts a stopped node again on the same data directory, database and port. */
  start(name: "a" | "national" | "b"): Promise<RunningNode>;
}

export async function startTopology(ctx: DialectContext, { workers = false } = {}): Promise<Topology> {
  const root = ctx.dataDir();
  const pkiDir = join(root, "pki");
  mkdirSync(pkiDir, { recursive: true });
  const pki = makeTestPki(pkiDir);
  const ids = { national: pki.issue("national"), a: pki.issue("lgsp-a"), b: pki.issue("lgsp-b") };
  const clientA = pki.issue("qlvb-h29");
  const clientB = pki.issue("qlvb-h41");
  const crl = await pki.crl();

  const drops: (() => Promise<void>)[] = [];
  const databaseUrl = async (first: boolean): Promise<string | undefined> => {
    if (ctx.dialect !== "postgres") return undefined;
    const config = ctx.config();
    if (first && config.kind === "postgres") return config.url;
    const created = await createTestDatabase();
    drops.push(created.drop);
    return created.url;
  };

  // Ports must be known before the peers are configured: reserve them by listening once.
  const { createServer } = await import("node:net");
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

  const base = (name: string, id: Identity, port: number, dbUrl: string | undefined) => ({
    dataDir: join(root, name),
    ...(dbUrl ? { databaseUrl: dbUrl } : {}),
    listen: { host: "127.0.0.1", port },
    // openssl-issued test certificates carry no node/organisation kind policy.
    tls: { cert: id.certPem, key: id.keyPem, ca: [pki.caPem], allowUnclassifiedClients: true },
    trust: { crls: [crl] },
    masterKey: "11".repeat(32),
    logLevel: "silent" as const,
    limits: { requestTimeoutMs: 3000 },
    federation: {
      pollMs: 20,
      directorySyncMs: 3_600_000,
      backoffBaseMs: 10,
      backoffMaxMs: 200,
      batchSize: 16,
    },
  });
  const env = {};
  const nationalConfig = parseNodeConfig(
    {
      ...base("national", ids.national, ports.national, await databaseUrl(true)),
      role: "national",
      nodeId: "national",
      organId: "000.00.00.G22",
      children: [
        { nodeId: "lgsp-a", url: url(ports.a), fingerprint: ids.a.fingerprint, organId: "H29" },
        { nodeId: "lgsp-b", url: url(ports.b), fingerprint: ids.b.fingerprint, organId: "H41" },
      ],
    },
    { env },
  );
  const lgsp = async (name: "a" | "b", organId: string) =>
    parseNodeConfig(
      {
        ...base(`lgsp-${name}`, ids[name], ports[name], await databaseUrl(false)),
        role: "lgsp",
        nodeId: `lgsp-${name}`,
        organId,
        parent: { nodeId: "national", url: url(ports.national), fingerprint: ids.national.fingerprint },
      },
      { env },
    );
  const aConfig = await lgsp("a", "000.00.00.H29");
  const bConfig = await lgsp("b", "000.00.00.H41");

  const configs = { national: nationalConfig, a: aConfig, b: bConfig };
  const running = {} as Record<"a" | "national" | "b", RunningNode>;
  try {
    running.national = await startNode(nationalConfig, { workers });
    running.a = await startNode(aConfig, { workers });
    running.b = await startNode(bConfig, { workers });
  } catch (error) {
    await Promise.allSettled(Object.values(running).map((n) => n.close()));
    for (const drop of drops) await drop();
    throw error;
  }
  const { national, a, b } = running;

  await national.registerAgency({ code: "G22", code102: "000.00.00.G22", name: "Văn phòng Chính phủ" });
  await a.registerAgency({ code: "H29", code102: "000.00.00.H29", name: "UBND TP Hồ Chí Minh" });
  await a.registerAgency({ code: "H29.12", code102: "000.00.12.H29", name: "Sở Nội vụ", parentCode: "H29" });
  await b.registerAgency({ code: "H41", code102: "000.00.00.H41", name: "UBND tỉnh Nghệ An" });
  await b.registerAgency({ code: "H41.05", code102: "000.00.05.H41", name: "Sở Tư pháp", parentCode: "H41" });
  await b.registerAgency({ code: "H41.06", code102: "000.00.06.H41", name: "Sở Y tế", parentCode: "H41" });
  await a.connectSystem({
    systemId: "qlvb-h29",
    secret: "secret-h29",
    certFingerprint: clientA.fingerprint,
    agencyCodes: ["H29.12"],
  });
  await b.connectSystem({
    systemId: "qlvb-h41",
    secret: "secret-h41",
    certFingerprint: clientB.fingerprint,
    agencyCodes: ["H41.05", "000.00.06.H41"],
  });
  // Directory: children → national, then national → children.
  await national.syncDirectoryNow();
  await a.syncDirectoryNow();
  await b.syncDirectoryNow();

  const stopped = new Set<string>();
  const topology: Topology = {
    pki,
    national,
    a,
    b,
    clientA,
    clientB,
    async pump() {
      for (let round = 0; round < 10; round++) {
        let moved = 0;
        for (const n of [topology.a, topology.national, topology.b]) moved += (await n.forwardNow()).sent;
        if (moved === 0) return;
      }
    },
    async stop(name, options) {
      stopped.add(name);
      await topology[name].close(options);
    },
    async start(name) {
      const node = await startNode(configs[name], { workers });
      topology[name] = node;
      stopped.delete(name);
      return node;
    },
    async close() {
      await Promise.all(
        (["a", "national", "b"] as const).filter((n) => !stopped.has(n)).map((n) => topology[n].close()),
      );
      for (const drop of drops) await drop();
    },
  };
  return topology;
}
