/**
 * Caller identity on the native and federation APIs: the client certificate presented in the
 * mutual-TLS handshake, looked up by its SHA-256 fingerprint (bound to a connected system —
 * hence to agencies — or pinned for a neighbour node).
 */
import type { TLSSocket } from "node:tls";
import type { FastifyRequest } from "fastify";
import { normaliseFingerprint } from "../adapters/https-peer-transport.ts";
import { AxisError } from "../errors.ts";
import { findSystemByFingerprint } from "../repositories/directory-repository.ts";
import type { Caller, NodeContext } from "../services/ports.ts";

export function clientFingerprint(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== "function") return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert?.fingerprint256) return undefined;
  return normaliseFingerprint(cert.fingerprint256);
}

export async function agencyCaller(ctx: NodeContext, request: FastifyRequest): Promise<Caller> {
  const fp = clientFingerprint(request);
  if (!fp) throw new AxisError("AXIS_AUTH_CERT_MISSING");
  const system = await findSystemByFingerprint(ctx.db.kysely, fp);
  if (!system) throw new AxisError("AXIS_AUTH_CERT_UNKNOWN");
  return { type: "agency", id: system.system_id, agencyCodes: JSON.parse(system.agency_codes) as string[] };
}

export function nodeCaller(ctx: NodeContext, request: FastifyRequest): Caller & { type: "node" } {
  const fp = clientFingerprint(request);
  if (!fp) throw new AxisError("AXIS_AUTH_CERT_MISSING");
  const peers = [...(ctx.config.parent ? [ctx.config.parent] : []), ...ctx.config.children];
  const peer = peers.find((p) => p.fingerprint === fp);
  if (!peer) throw new AxisError("AXIS_AUTH_CERT_UNKNOWN");
  return { type: "node", nodeId: peer.nodeId };
}
