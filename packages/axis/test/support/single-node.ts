/**
 * One national node over mutual TLS with two connected agencies — H29.12 (identity `a`, the
 * sender) and H29.20 (identity `b`, the recipient) — for tests of what a node does with the
 * bytes it stores. `start` (re)starts the node with other storage settings on the same data
 * directory and database.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { signEdxml } from "@truc/edxml";
import type { DialectContext } from "@truc/store/testing";
import { createPemSigner } from "../../src/adapters/pem-signer.ts";
import { type NodeConfig, parseNodeConfig } from "../../src/config.ts";
import { type RunningNode, startNode } from "../../src/node.ts";
import type { PackageRow } from "../../src/repositories/package-repository.ts";
import type { Clock } from "../../src/services/ports.ts";
import { call, type Reply } from "./https.ts";
import { edocXml } from "./packages.ts";
import { type Identity, makeTestPki, type TestPki } from "./pki.ts";

export interface SingleNode {
  readonly node: RunningNode;
  readonly pki: TestPki;
  readonly ids: Record<"node" | "a" | "b", Identity>;
  start(storage: Partial<NodeConfig["storage"]>): Promise<void>;
  /** Signs and sends a new document from H29.12 to H29.20; expects 201. */
  send(o?: { attachmentBytes?: number; seed?: string }): Promise<{ packageId: string; signed: Buffer }>;
  download(packageId: string): Promise<Reply>;
  /** The recipient's `done`; expects success. */
  ack(packageId: string): Promise<void>;
  row(packageId: string): Promise<PackageRow>;
  close(): Promise<void>;
}

export function singleNode(
  ctx: DialectContext,
  o: { signature: "require" | "off"; clock?: Clock; masterKey: string },
): SingleNode {
  let node: RunningNode | undefined;
  let pki: TestPki | undefined;
  const ids = {} as Record<"node" | "a" | "b", Identity>;
  let seq = 0;
  let registered = false;
  const running = () => {
    if (!node) throw new Error("start() the node first");
    return node;
  };
  const self: SingleNode = {
    get node() {
      return running();
    },
    get pki() {
      if (!pki) throw new Error("start() the node first");
      return pki;
    },
    ids,
    async start(storage) {
      await node?.close();
      if (!pki) {
        mkdirSync(join(ctx.dataDir(), "pki"), { recursive: true });
        pki = makeTestPki(join(ctx.dataDir(), "pki"));
        for (const name of ["node", "a", "b"] as const) ids[name] = pki.issue(name);
      }
      const db = ctx.config();
      node = await startNode(
        parseNodeConfig(
          {
            role: "national",
            nodeId: "n1",
            organId: "000.00.00.G22",
            dataDir: join(ctx.dataDir(), "node"),
            ...(db.kind === "postgres" ? { databaseUrl: db.url } : {}),
            listen: { host: "127.0.0.1", port: 0 },
            tls: {
              cert: ids.node.certPem,
              key: ids.node.keyPem,
              ca: [pki.caPem],
              allowUnclassifiedClients: true,
            },
            signature: { default: o.signature, perSender: {}, signForwarded: true },
            trust: { crls: [await pki.crl()] },
            storage,
            masterKey: o.masterKey,
            logLevel: "silent",
          },
          { env: {} },
        ),
        { workers: false, ...(o.clock ? { clock: o.clock } : {}) },
      );
      if (registered) return;
      registered = true;
      for (const code of ["H29.12", "H29.20"]) await node.registerAgency({ code, name: `Cơ quan ${code}` });
      await node.connectSystem({
        systemId: "sys-a",
        certFingerprint: ids.a.fingerprint,
        agencyCodes: ["H29.12"],
      });
      await node.connectSystem({
        systemId: "sys-b",
        certFingerprint: ids.b.fingerprint,
        agencyCodes: ["H29.20"],
      });
    },
    async send({ attachmentBytes = 30_000, seed } = {}) {
      const raw = edocXml({
        from: "H29.12",
        to: ["H29.20"],
        documentId: `H29.12,2025/03/05,${String(++seq).padStart(2, "0")}/VP`,
        attachmentBytes,
        ...(seed ? { seed } : {}),
      });
      const signed = await signEdxml(raw, createPemSigner(ids.a.keyPem, ids.a.certPem));
      const res = await call(running().url, ids.a, self.pki.caPem, "POST", "/v1/packages", signed);
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return { packageId: res.json.packageId, signed };
    },
    download: (packageId) =>
      call(running().url, ids.b, self.pki.caPem, "GET", `/v1/packages/${encodeURIComponent(packageId)}`),
    async ack(packageId) {
      const res = await call(
        running().url,
        ids.b,
        self.pki.caPem,
        "POST",
        `/v1/packages/${encodeURIComponent(packageId)}/ack`,
        { status: "done" },
      );
      assert.ok(res.status < 300, JSON.stringify(res.json));
    },
    row: (packageId) =>
      running()
        .context.db.kysely.selectFrom("axis_packages")
        .selectAll()
        .where("id", "=", packageId)
        .executeTakeFirstOrThrow(),
    close: async () => {
      await node?.close();
    },
  };
  return self;
}
