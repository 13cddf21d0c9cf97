/**
 * One interconnection node: database + blob store + HTTP server + background workers
 * (federation outbox, directory sync, evidence seals, mailbox retention). The same program
 * runs the national axis and every LGSP; only the configuration differs.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Signer, TrustCallback } from "@truc/common";
import { migrate, openAppendLog, openBlobStore, openDatabase } from "@truc/store";
import { openAnchorFile } from "./adapters/anchor-file.ts";
import { createHttpsPeerTransport } from "./adapters/https-peer-transport.ts";
import { createPemSigner } from "./adapters/pem-signer.ts";
import { createNodeTrust } from "./adapters/pki-trust.ts";
import type { NodeConfig } from "./config.ts";
import type { AnchorSource } from "./domain/evidence-anchor.ts";
import { Metrics } from "./http/metrics.ts";
import { buildServer } from "./http/server.ts";
import { listNodes, upsertNode } from "./repositories/directory-repository.ts";
import { outboxBacklog } from "./repositories/outbox-repository.ts";
import { purgeAcknowledged } from "./repositories/package-repository.ts";
import { packageWriteStats } from "./repositories/package-writer.ts";
import { AXIS_MIGRATIONS, type AxisDatabase } from "./repositories/schema.ts";
import { mailboxBacklog } from "./repositories/stats-repository.ts";
import { chainEvidence } from "./services/chain-evidence.ts";
import { type ConnectSystemInput, connectDeclaredSystems, connectSystem } from "./services/connect-system.ts";
import { forwardOutbox } from "./services/forward-outbox.ts";
import type { PeerTransport } from "./services/peer-transport.ts";
import type { Clock, NodeContext } from "./services/ports.ts";
import { type PublishSealState, publishSeal } from "./services/publish-seal.ts";
import { type PurgeResult, purgeExpiredBodies } from "./services/purge-bodies.ts";
import { type RegisterAgencyInput, registerAgency } from "./services/register-agency.ts";
import { sealEvidence } from "./services/seal-evidence.ts";
import { syncDirectory } from "./services/sync-directory.ts";
import type { EvidenceReport } from "./services/verify-evidence-log.ts";
import { verifyNodeEvidence } from "./services/verify-node-evidence.ts";

export interface StartNodeOptions {
  /** Trust decisions for package signatures; default: @truc/pki over `config.trust` (anchors default to `tls.ca`). */
  trust?: TrustCallback;
  /** Trust decisions for mTLS client certificates (purpose "tls-client"); default: `trust`. */
  clientTrust?: TrustCallback;
  /** Node key; default: from `config.tls`. */
  signer?: Signer;
  clock?: Clock;
  transport?: PeerTransport;
  /** Run the background workers (default true). Tests may drive them by hand. */
  workers?: boolean;
  /** Where the secrets of `config.systems` are read from (their `secretEnv`); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningNode {
  readonly url: string;
  readonly config: NodeConfig;
  readonly context: NodeContext;
  /** Pushes due outbox rows now; resolves when this round is done. */
  forwardNow(): Promise<{ sent: number; failed: number }>;
  /** Pulls directory changes from every neighbour (or one). */
  syncDirectoryNow(nodeId?: string): Promise<number>;
  /**
   * Seals the chain head now (copied to the anchor file before this resolves) and publishes
   * the last seal to the parent; `published` is false when the parent could not be reached.
   */
  sealEvidenceNow(): Promise<{ sealedSeq: number; published?: boolean } | undefined>;
  /** Verifies the evidence log against the anchor file, the parent's copy and `anchors`. */
  verifyEvidenceLog(options?: { anchors?: readonly AnchorSource[] }): Promise<EvidenceReport>;
  /** Applies `storage.bodyRetentionDays` now (it also runs every 6 hours when set). */
  purgeExpiredBodies(): Promise<PurgeResult>;
  registerAgency(input: Omit<RegisterAgencyInput, "caller">): Promise<void>;
  /** Connects a system (a QLVB&ĐH): SDKVXP secret and/or mTLS certificate fingerprint, bound to agencies. */
  connectSystem(input: ConnectSystemInput): Promise<void>;
  /**
   * Stops taking requests, answers the ones in flight, lets the current worker round finish,
   * chains and seals the evidence log, closes the database. `drain: false` drops connections
   * at once (what a crash looks like to clients); whatever was committed stays committed.
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

export async function startNode(config: NodeConfig, options: StartNodeOptions = {}): Promise<RunningNode> {
  const db = await openDatabase<AxisDatabase>(
    config.databaseUrl
      ? { kind: "postgres", url: config.databaseUrl }
      : { kind: "sqlite", path: join(config.dataDir, "axis.sqlite") },
  );
  try {
    await migrate(db, AXIS_MIGRATIONS);
  } catch (error) {
    await db.close();
    throw error;
  }
  const blobs = await openBlobStore(join(config.dataDir, "blobs"), {
    maxBlobBytes: config.limits.maxPackageBytes * 2,
  });
  // Opened whatever `storage.bodies` says: packages written while it said "log" stay readable.
  const bodyLog = await openAppendLog(join(config.dataDir, "bodies"));
  const signer =
    options.signer ?? (config.tls ? createPemSigner(config.tls.key, config.tls.cert) : undefined);
  const trust = options.trust ?? createNodeTrust(config);
  const clientTrust = options.clientTrust ?? trust;
  const transport =
    options.transport ??
    (config.parent || config.children.length > 0 ? createHttpsPeerTransport(config) : undefined);
  const metrics = new Metrics();

  let wake: (() => void) | undefined;
  const ctx: NodeContext = {
    config,
    db,
    blobs,
    bodyLog,
    clock: options.clock ?? { now: () => new Date() },
    ...(signer ? { signer } : {}),
    ...(trust ? { trust } : {}),
    ...(clientTrust ? { clientTrust } : {}),
    anchorFile: openAnchorFile(config.evidence.anchorFile ?? join(config.dataDir, "evidence-anchors.jsonl")),
    newId: () => randomUUID(),
    onOutbox: () => wake?.(),
  };

  const now = Date.now();
  await upsertNode(db.kysely, {
    node_id: config.nodeId,
    relation: "self",
    organ_id: config.organId,
    url: null,
    fingerprint: null,
    directory_cursor: 0,
    updated_at: now,
  });
  for (const [relation, peer] of [
    ...(config.parent ? ([["parent", config.parent]] as const) : []),
    ...config.children.map((c) => ["child", c] as const),
  ]) {
    await upsertNode(db.kysely, {
      node_id: peer.nodeId,
      relation,
      organ_id: peer.organId ?? null,
      url: peer.url,
      fingerprint: peer.fingerprint,
      directory_cursor: 0,
      updated_at: now,
    });
  }

  // Systems declared in the configuration, connected at every start (secrets from the environment).
  try {
    await connectDeclaredSystems(ctx, options.env ?? process.env);
  } catch (error) {
    await bodyLog.close();
    await db.close();
    throw error;
  }

  metrics.gauge("axis_outbox_pending", "Packages waiting to be forwarded, per next-hop node", async () =>
    (await outboxBacklog(db.kysely)).map((r) => ({ labels: { node: r.nodeId }, value: r.pending })),
  );
  metrics.counterReadAtScrape(
    "axis_package_commits_total",
    "Durable commits of accepted packages (packages accepted together share one)",
    async () => [{ labels: {}, value: packageWriteStats(db).commits }],
  );
  metrics.counterReadAtScrape(
    "axis_packages_committed_total",
    "Accepted packages committed (divided by axis_package_commits_total: the mean group size)",
    async () => [{ labels: {}, value: packageWriteStats(db).packages }],
  );
  metrics.counterReadAtScrape(
    "axis_body_log_flushes_total",
    "fdatasyncs of the body log (bodies appended together share one)",
    async () => [{ labels: {}, value: bodyLog.stats.flushes }],
  );
  metrics.gauge("axis_body_log_bytes", "Bytes of package bodies in the body log's segments", async () => [
    { labels: {}, value: (await bodyLog.segments()).reduce((n, s) => n + s.bytes, 0) },
  ]);
  const purgeNow = async () => {
    const purged = await purgeExpiredBodies(ctx);
    metrics.inc(
      "axis_bodies_purged_total",
      "Packages whose bytes were dropped after the retention period",
      {},
      purged.packages,
    );
    metrics.inc(
      "axis_body_bytes_freed_total",
      "Bytes given back by body retention (log segments, blobs)",
      {},
      purged.bytesFreed,
    );
    if (purged.packages > 0 || purged.bytesFreed > 0)
      app.log.info({ purged }, "package bytes past retention dropped");
    return purged;
  };
  metrics.gauge("axis_mailbox_pending", "Packages waiting in mailboxes, per kind", async () => {
    const rows = await mailboxBacklog(db.kysely);
    const byKind = new Map<string, number>();
    for (const r of rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + r.pending);
    return [...byKind].map(([kind, value]) => ({ labels: { kind }, value }));
  });

  let running = true;
  const app = buildServer(ctx, metrics, { ready: () => running, transport });
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.listen.port;
  const url = `${config.tls ? "https" : "http"}://${config.listen.host}:${port}`;

  // The worker's rounds keep claiming while the node runs (a steady pipeline) and count each
  // hop as it happens; `forwardNow` (tests, operators) is one claim and its lanes.
  const forward = async (keepGoing?: () => boolean) => {
    if (!transport) return { sent: 0, failed: 0 };
    return forwardOutbox(ctx, transport, {
      keepGoing,
      onOutcome: (outcome) =>
        metrics.inc("axis_forwarded_total", "Packages forwarded to neighbours", { outcome }, 1),
    });
  };
  const forwardNow = () => forward();
  const syncDirectoryNow = async (nodeId?: string) => {
    if (!transport) return 0;
    const peers = nodeId
      ? [nodeId]
      : (await listNodes(db.kysely)).filter((n) => n.relation !== "self").map((n) => n.node_id);
    let applied = 0;
    for (const peer of peers) applied += (await syncDirectory(ctx, transport, peer)).applied;
    return applied;
  };

  // Seal, anchor in the file (inside sealEvidence), then hand the last seal to the parent.
  const sealState: PublishSealState = {};
  const publishLastSeal = async (): Promise<boolean | undefined> => {
    if (!transport || !config.parent) return undefined;
    try {
      await publishSeal(ctx, transport, sealState);
      return true;
    } catch (error) {
      app.log.warn({ err: error }, "publishing the evidence seal to the parent failed");
      return false;
    }
  };
  const sealNow = async () => {
    const sealed = await sealEvidence(ctx);
    const published = await publishLastSeal();
    return sealed && published !== undefined ? { ...sealed, published } : sealed;
  };

  // ------------------------------------------------------------- workers
  const workers: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];
  const periodic = new Set<Promise<unknown>>();
  if (options.workers !== false) {
    workers.push(
      (async () => {
        while (running) {
          let busy = false;
          try {
            const r = await forward(() => running);
            busy = r.sent + r.failed > 0;
          } catch (error) {
            app.log.warn({ err: error }, "outbox round failed");
          }
          if (!running) break;
          if (!busy) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, config.federation.pollMs);
              wake = () => {
                clearTimeout(t);
                resolve();
              };
            });
            wake = undefined;
          }
        }
      })(),
    );
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      let inFlight: Promise<unknown> | undefined;
      const t = setInterval(() => {
        if (inFlight || !running) return;
        const round = fn()
          .catch((error) => app.log.warn({ err: error }, `${what} failed`))
          .finally(() => {
            inFlight = undefined;
            periodic.delete(round);
          });
        inFlight = round;
        periodic.add(round);
      }, ms);
      t.unref();
      timers.push(t);
    };
    if (transport) every(config.federation.directorySyncMs, () => syncDirectoryNow(), "directory sync");
    every(config.evidence.chainEveryMs, () => chainEvidence(ctx), "evidence chaining");
    every(config.evidence.sealEveryMs, sealNow, "evidence seal");
    every(
      6 * 3600_000,
      () => purgeAcknowledged(db.kysely, Date.now() - config.mailbox.retentionDays * 86_400_000),
      "retention",
    );
    if (config.storage.bodyRetentionDays !== undefined) every(6 * 3600_000, purgeNow, "body retention");
  }

  return {
    url,
    config,
    context: ctx,
    forwardNow,
    syncDirectoryNow,
    sealEvidenceNow: sealNow,
    purgeExpiredBodies: purgeNow,
    verifyEvidenceLog: (options = {}) =>
      verifyNodeEvidence(ctx, { transport, ...(options.anchors ? { anchors: options.anchors } : {}) }),
    async registerAgency(input) {
      await registerAgency(ctx, { ...input, caller: { type: "operator", id: "local" } });
    },
    connectSystem: (input) => connectSystem(ctx, input),
    async close({ drain = true }: { drain?: boolean } = {}) {
      if (!running) return;
      running = false;
      for (const t of timers) clearInterval(t);
      wake?.();
      // Stop accepting: the listener closes and idle keep-alive connections are dropped; with
      // `drain` every request already received is answered first (Fastify waits for them).
      const closing = app.close();
      if (!drain) app.server.closeAllConnections();
      await closing;
      if (drain) {
        // Let the forwarding round and periodic jobs in progress finish, then chain and seal.
        await Promise.all(workers);
        await Promise.allSettled([...periodic]);
        try {
          await chainEvidence(ctx);
          await sealNow();
        } catch (error) {
          app.log.warn({ err: error }, "final evidence chaining/seal failed");
        }
      }
      transport?.close();
      await bodyLog.close();
      await db.close();
    },
  };
}
