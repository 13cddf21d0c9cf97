/**
 * Federation over mutual TLS: this node presents its own certificate, and the neighbour's
 * certificate must chain to a configured CA *and* match the SHA-256 fingerprint pinned in
 * the configuration (the host name is not what identifies a node; the pin is).
 */
import { Agent, request } from "node:https";
import { pipeline } from "node:stream/promises";
import type { PeerCertificate } from "node:tls";
import type { NodeConfig, PeerConfig } from "../config.ts";
import { parseAnchor } from "../domain/evidence-anchor.ts";
import { AxisError } from "../errors.ts";
import type { AgencyRow } from "../repositories/directory-repository.ts";
import type { PeerBody, PeerTransport } from "../services/peer-transport.ts";

export function normaliseFingerprint(fp: string): string {
  return fp.replace(/:/g, "").toLowerCase();
}

export function createHttpsPeerTransport(config: NodeConfig): PeerTransport {
  const peers = new Map<string, PeerConfig>();
  if (config.parent) peers.set(config.parent.nodeId, config.parent);
  for (const c of config.children) peers.set(c.nodeId, c);
  const tls = config.tls;
  const agents = new Map<string, Agent>();
  const agentFor = (peer: PeerConfig): Agent => {
    let agent = agents.get(peer.nodeId);
    if (!agent) {
      if (!tls)
        throw new AxisError("AXIS_CONFIG_INVALID", {
          problems: "tls: federation needs the node's TLS identity",
        });
      agent = new Agent({
        keepAlive: true,
        // One socket per forwarding lane, and one for directory sync.
        maxSockets: config.federation.inFlightPerNeighbour + 1,
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca.length > 0 ? [...tls.ca] : undefined,
        checkServerIdentity: (_host: string, cert: PeerCertificate) =>
          normaliseFingerprint(cert.fingerprint256) === peer.fingerprint
            ? undefined
            : new Error(`certificate of ${peer.nodeId} does not match the pinned fingerprint`),
      });
      agents.set(peer.nodeId, agent);
    }
    return agent;
  };

  function call(
    nodeId: string,
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body?: PeerBody,
  ): Promise<{ status: number; json: unknown }> {
    const peer = peers.get(nodeId);
    if (!peer) return Promise.reject(new AxisError("AXIS_PEER_UNKNOWN", { node: nodeId }));
    const url = new URL(path, peer.url.endsWith("/") ? peer.url : `${peer.url}/`);
    const length = body === undefined ? undefined : Buffer.isBuffer(body) ? body.length : body.size;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: agentFor(peer),
          headers: { ...headers, ...(length !== undefined ? { "content-length": String(length) } : {}) },
          timeout: config.limits.requestTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = { raw: text.slice(0, 200) };
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout talking to ${nodeId}`)));
      req.on("error", reject);
      if (body === undefined || Buffer.isBuffer(body)) {
        req.end(body);
        return;
      }
      // A large package streams from the blob store: never whole in memory.
      body.open().then(
        (stream) => pipeline(stream, req).catch((error: unknown) => req.destroy(error as Error)),
        (error: unknown) => req.destroy(error as Error),
      );
    });
  }

  const fail = (nodeId: string, status: number, json: unknown) =>
    new AxisError("AXIS_PEER_FAILED", {
      node: nodeId,
      reason: `${status} ${(json as { code?: string } | null)?.code ?? ""}`.trim(),
      status,
      peerCode: (json as { code?: string } | null)?.code,
    });

  return {
    async sendPackage(nodeId, pkg) {
      const { status, json } = await call(
        nodeId,
        "POST",
        "v1/federation/packages",
        {
          "content-type": "application/xml",
          "x-truc-package-id": pkg.packageId,
          "x-truc-kind": pkg.kind,
          "x-truc-origin-signature": pkg.originSignature,
          "x-truc-from-node": config.nodeId,
        },
        pkg.body,
      );
      if (status !== 200 && status !== 201) throw fail(nodeId, status, json);
      const answer = json as { packageId: string; duplicate: boolean };
      return { packageId: answer.packageId, duplicate: Boolean(answer.duplicate) };
    },
    async fetchDirectory(nodeId, since) {
      const { status, json } = await call(nodeId, "GET", `v1/federation/directory?since=${since}`, {});
      if (status !== 200) throw fail(nodeId, status, json);
      return json as { rows: AgencyRow[]; cursor: number; more: boolean };
    },
    async publishSeal(nodeId, anchor) {
      const { status, json } = await call(
        nodeId,
        "POST",
        "v1/federation/evidence-seal",
        { "content-type": "application/json" },
        Buffer.from(JSON.stringify(anchor), "utf8"),
      );
      if (status !== 200 && status !== 201) throw fail(nodeId, status, json);
      const answer = json as { held?: unknown; stored?: boolean };
      const held = parseAnchor(answer.held);
      if (!held) throw fail(nodeId, status, { code: "AXIS_REQUEST_INVALID" });
      return { held, stored: Boolean(answer.stored) };
    },
    async fetchHeldSeal(nodeId) {
      const { status, json } = await call(nodeId, "GET", "v1/federation/evidence-seal", {});
      if (status !== 200) throw fail(nodeId, status, json);
      const anchor = (json as { anchor?: unknown } | null)?.anchor;
      if (anchor === null || anchor === undefined) return null;
      const parsed = parseAnchor(anchor);
      if (!parsed) throw fail(nodeId, status, { code: "AXIS_REQUEST_INVALID" });
      return parsed;
    },
    close() {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
  };
}
