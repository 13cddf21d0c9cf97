/**
 * One federation link on its own: an LGSP node on PostgreSQL holds a backlog of signed 100 KB
 * packages of several sender agencies for the national node, and forwards them to a stand-in
 * neighbour that answers after a fixed delay (a remote node's accept: parse, verify, store,
 * fsync), so the figure is the link's, not the CPU's (in three-hop.bench.ts three nodes share
 * two cores). Every hop is still read from the store, leased, recorded and written to the
 * evidence log. Prints the drain rate for 1 request in flight per neighbour (one package per
 * round trip, as before lanes) and for the default 8, next to the ceiling in-flight / delay.
 * Env: BENCH_PACKAGES (default 400), BENCH_SENDERS (8), BENCH_DELAY_MS (40).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report } from "@truc/common/bench";
import { signEdxml } from "@truc/edxml";
import { createTestDatabase } from "@truc/store/testing";
import { createPemSigner } from "../src/adapters/pem-signer.ts";
import { parseNodeConfig } from "../src/config.ts";
import { levelOfCode } from "../src/domain/agency.ts";
import { startNode } from "../src/node.ts";
import { upsertAgency } from "../src/repositories/directory-repository.ts";
import { forwardOutbox } from "../src/services/forward-outbox.ts";
import type { PeerTransport } from "../src/services/peer-transport.ts";
import { edocXml } from "../test/support/packages.ts";
import { makeTestPki } from "../test/support/pki.ts";

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 400);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 40);
const senders = Array.from({ length: SENDERS }, (_, i) => `H29.${String(12 + i)}`);

const dir = mkdtempSync(join(tmpdir(), "truc-axis-link-"));
const pki = makeTestPki(dir);
const crl = await pki.crl();
const id = pki.issue("lgsp-a");
const national = pki.issue("national");
const client = pki.issue("qlvb-h29");
const signer = createPemSigner(client.keyPem, client.certPem);

console.log(`preparing ${PACKAGES} signed packages of 100 KB from ${SENDERS} senders …`);
const bodies: Buffer[] = [];
for (let i = 0; i < PACKAGES; i++) {
  const from = senders[i % SENDERS]!;
  const raw = edocXml({
    from,
    to: ["H41.05"],
    documentId: `${from},2025/03/05,${String(i + 10)}/LINK`,
    attachmentBytes: 100 * 1024,
    seed: String.fromCharCode(97 + (i % 26)),
  });
  bodies.push(await signEdxml(raw, signer));
}

/** A neighbour that accepts every package after `DELAY_MS`, and counts what is in flight. */
class DelayedNeighbour implements PeerTransport {
  inFlight = 0;
  maxInFlight = 0;
  async sendPackage(_nodeId: string, pkg: { packageId: string }) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, DELAY_MS));
    this.inFlight--;
    return { packageId: pkg.packageId, duplicate: false };
  }
  async fetchDirectory(): Promise<never> {
    throw new Error("not used");
  }
  async publishSeal(): Promise<never> {
    throw new Error("not used");
  }
  async fetchHeldSeal(): Promise<never> {
    throw new Error("not used");
  }
  close(): void {}
}

async function drain(inFlight: number): Promise<{ rate: number; maxInFlight: number }> {
  const db = await createTestDatabase();
  const node = await startNode(
    parseNodeConfig(
      {
        dataDir: join(dir, `lgsp-a-${inFlight}`),
        databaseUrl: db.url,
        listen: { host: "127.0.0.1", port: 0 },
        tls: { cert: id.certPem, key: id.keyPem, ca: [pki.caPem], allowUnclassifiedClients: true },
        trust: { crls: [crl] },
        signature: { default: "require" as const, perSender: {}, signForwarded: true },
        masterKey: "55".repeat(32),
        logLevel: "silent" as const,
        role: "lgsp",
        nodeId: "lgsp-a",
        organId: "000.00.00.H29",
        parent: { nodeId: "national", url: "https://127.0.0.1:9", fingerprint: national.fingerprint },
        federation: { batchSize: 32, inFlightPerNeighbour: inFlight },
      },
      { env: {} },
    ),
    { workers: false },
  );
  try {
    await node.registerAgency({ code: "H29", name: "UBND TP Hồ Chí Minh" });
    for (const code of senders) await node.registerAgency({ code, name: `Sở ${code}`, parentCode: "H29" });
    // The recipient, as the national node's directory would announce it.
    await node.context.db.transaction((trx) =>
      upsertAgency(
        trx,
        {
          code: "H41.05",
          code102: null,
          name: "Sở Tư pháp",
          parent_code: null,
          level: levelOfCode("H41.05"),
          serving_node: "lgsp-b",
          via_node: "national",
          email: null,
          phone: null,
          fax: null,
          state: "active",
          edxml_version: "QCVN102:2016",
          max_bytes: null,
          signature_policy: null,
        },
        Date.now(),
      ),
    );
    await node.connectSystem({
      systemId: "qlvb-h29",
      certFingerprint: client.fingerprint,
      agencyCodes: senders,
    });
    const agent = new Agent({
      keepAlive: true,
      cert: client.certPem,
      key: client.keyPem,
      ca: pki.caPem,
      checkServerIdentity: () => undefined,
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < bodies.length) await post(node.url, agent, bodies[next++]!);
      }),
    );
    agent.destroy();
    const neighbour = new DelayedNeighbour();
    const t0 = performance.now();
    let sent = 0;
    while (sent < PACKAGES) {
      const r = await forwardOutbox(node.context, neighbour, { keepGoing: () => true });
      if (r.failed > 0) throw new Error(`${r.failed} failed`);
      sent += r.sent;
    }
    return { rate: PACKAGES / ((performance.now() - t0) / 1000), maxInFlight: neighbour.maxInFlight };
  } finally {
    await node.close();
    await db.drop();
  }
}

function post(url: string, agent: Agent, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL("/v1/packages", url),
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/xml", "content-length": String(body.length) },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`send refused: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const one = await drain(1);
const eight = await drain(8);
rmSync(dir, { recursive: true, force: true });

report(`axis: one federation link, PostgreSQL, ${SENDERS} senders, neighbour answers in ${DELAY_MS} ms`, [
  {
    figure: `backlog of ${PACKAGES} forwarded, 1 request in flight (max seen ${one.maxInFlight})`,
    value: one.rate,
    unit: "pkg/s",
    ceiling: { name: `1 / ${DELAY_MS} ms`, value: 1000 / DELAY_MS },
  },
  {
    figure: `backlog of ${PACKAGES} forwarded, 8 in flight per neighbour (max seen ${eight.maxInFlight})`,
    value: eight.rate,
    unit: "pkg/s",
    ceiling: {
      name: `${Math.min(8, SENDERS)} / ${DELAY_MS} ms`,
      value: (Math.min(8, SENDERS) * 1000) / DELAY_MS,
    },
  },
]);
