/**
 * In-process axis nodes for the suites, configured through the public config parser.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { type NodeConfigInput, parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import type { DialectContext } from "@truc/store/testing";
import type { Identity } from "./pki.ts";

export const MASTER_KEY = "5a".repeat(32);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Base configuration of a national node with TLS; `extra` overrides any key. */
export function nationalConfig(
  o: {
    dataDir: string;
    databaseUrl?: string;
    identity: Identity;
    caPems: readonly string[];
    port?: number;
  },
  extra: Partial<NodeConfigInput> = {},
): NodeConfigInput {
  return {
    role: "national",
    nodeId: "national",
    organId: "000.00.00.G22",
    dataDir: o.dataDir,
    ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
    listen: { host: "127.0.0.1", port: o.port ?? 0 },
    tls: { cert: o.identity.certPem, key: o.identity.keyPem, ca: [...o.caPems] },
    masterKey: MASTER_KEY,
    logLevel: "silent",
    ...extra,
  };
}

/** Starts a node on the suite's dialect (the suite's own PostgreSQL database, or SQLite in `dir`). */
export async function startSuiteNode(
  ctx: DialectContext,
  o: {
    name: string;
    identity: Identity;
    caPems: readonly string[];
    databaseUrl?: string;
    /** Default: `<suite dir>/<name>`. */
    dataDir?: string;
  },
  extra: Partial<NodeConfigInput> = {},
  options: { workers?: boolean } = {},
): Promise<RunningNode> {
  const db = ctx.config();
  const databaseUrl = o.databaseUrl ?? (db.kind === "postgres" ? db.url : undefined);
  return startNode(
    parseNodeConfig(
      nationalConfig(
        {
          dataDir: o.dataDir ?? join(ctx.dataDir(), o.name),
          ...(databaseUrl ? { databaseUrl } : {}),
          identity: o.identity,
          caPems: o.caPems,
        },
        extra,
      ),
      { env: {} },
    ),
    { workers: options.workers ?? false },
  );
}
