/**
 * Starts the demo's axis nodes (national + LGSPs) with mutual TLS between them, seeds each
 * node's own agencies, connects the office deployments as SDKVXP systems and syncs the
 * federated directory so that every node can route to every agency.
 */
import { join } from "node:path";
import { parseNodeConfig, type RunningNode, startNode } from "@truc/axis";
import type { DemoPki } from "./pki.ts";
import { type DemoState, secretFor } from "./state.ts";
import { CONFORMANCE_SYSTEMS, DEMO_NODES, DEMO_OFFICES, type DemoNode } from "./topology.ts";

export interface DemoNetwork {
  nodes: Map<string, RunningNode>;
  urlOf(nodeId: string): string;
  close(): Promise<void>;
}

export async function startNetwork(o: {
  dataDir: string;
  state: DemoState;
  pki: DemoPki;
  host: string;
  portBase: number;
  onProgress(message: string): void;
}): Promise<DemoNetwork> {
  const national = DEMO_NODES.find((n) => n.role === "national")!;
  const identities = new Map<string, Awaited<ReturnType<DemoPki["tls"]>>>();
  for (const node of DEMO_NODES) identities.set(node.id, await o.pki.tls(node.id));
  const url = (node: DemoNode) => `https://${o.host}:${o.portBase + node.portOffset}`;
  const peer = (node: DemoNode) => ({
    nodeId: node.id,
    organId: node.organId,
    url: url(node),
    fingerprint: identities.get(node.id)!.fingerprint,
  });

  const nodes = new Map<string, RunningNode>();
  try {
    for (const node of DEMO_NODES) {
      o.onProgress(`axis ${node.id} (${node.name})`);
      const id = identities.get(node.id)!;
      const config = parseNodeConfig(
        {
          role: node.role,
          nodeId: node.id,
          organId: node.organId,
          dataDir: join(o.dataDir, "nodes", node.id),
          listen: { host: o.host, port: o.portBase + node.portOffset },
          tls: { cert: id.certPem, key: id.keyPem, ca: o.pki.caPems },
          masterKey: secretFor(o.state.masterKeys, node.id),
          logLevel: "error",
          federation: { pollMs: 300, directorySyncMs: 30_000 },
          ...(node.role === "national"
            ? { children: DEMO_NODES.filter((n) => n.role === "lgsp").map(peer) }
            : { parent: peer(national) }),
        },
        // The demo is self-contained: never pick up a DATABASE_URL meant for something else.
        { env: {} },
      );
      nodes.set(node.id, await startNode(config));
    }

    for (const node of DEMO_NODES) {
      const running = nodes.get(node.id)!;
      for (const agency of node.agencies) {
        await running.registerAgency({
          code: agency.code,
          code102: agency.code102,
          name: agency.name,
          ...(agency.parentCode ? { parentCode: agency.parentCode } : {}),
        });
      }
    }
    for (const office of DEMO_OFFICES) {
      const identity = await o.pki.tls(office.id);
      await nodes.get(office.nodeId)!.connectSystem({
        systemId: office.id,
        secret: secretFor(o.state.systemSecrets, office.id),
        certFingerprint: identity.fingerprint,
        agencyCodes: office.agencyCodes,
      });
    }
    for (const system of CONFORMANCE_SYSTEMS) {
      await nodes.get(system.nodeId)!.connectSystem({
        systemId: system.systemId,
        secret: secretFor(o.state.systemSecrets, system.systemId),
        agencyCodes: [system.agencyCode],
      });
    }
    // Children report their agencies up, then everyone pulls the full directory.
    o.onProgress("directory sync");
    for (const node of DEMO_NODES.filter((n) => n.role === "lgsp"))
      await nodes.get(node.id)!.syncDirectoryNow();
    await nodes.get(national.id)!.syncDirectoryNow();
    for (const node of DEMO_NODES.filter((n) => n.role === "lgsp"))
      await nodes.get(node.id)!.syncDirectoryNow();
  } catch (error) {
    await Promise.allSettled([...nodes.values()].map((n) => n.close()));
    throw error;
  }

  return {
    nodes,
    urlOf: (nodeId) => nodes.get(nodeId)!.url,
    async close() {
      await Promise.allSettled([...nodes.values()].map((n) => n.close()));
    },
  };
}
