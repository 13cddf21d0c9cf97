/**
 * Caller identity on the native and federation APIs: the client certificate presented in the
 * mutual-TLS handshake, looked up by its SHA-256 fingerprint (bound to a connected system —
 * hence to agencies — or pinned for a neighbour node), then judged like a package signer's
 * certificate: it must chain to the node's anchors, be valid now, not be revoked (revocation
 * that cannot be established is refused under the "require" policy) and be a node or
 * organisation certificate. The handshake itself accepts any certificate so that each route can
 * answer with a stable code instead of a TLS alert.
 */
import type { TLSSocket } from "node:tls";
import { classifyCertificate } from "@truc/pki";
import type { FastifyRequest } from "fastify";
import { normaliseFingerprint } from "../adapters/https-peer-transport.ts";
import { AxisError, type AxisErrorCode } from "../errors.ts";
import { findSystemByFingerprint } from "../repositories/directory-repository.ts";
import type { Caller, NodeContext } from "../services/ports.ts";

interface PeerIdentity {
  fingerprint: string;
  /** The leaf (DER) and the certificates the client sent with it (possible intermediates). */
  leaf: Uint8Array;
  candidates: Uint8Array[];
}

/**
 * Read once per connection: `getPeerCertificate(true)` builds the whole chain as objects, a
 * measurable share of a small request. The peer certificate cannot change on a connection,
 * because the server refuses TLS renegotiation (see `refuseRenegotiation`).
 */
const peers = new WeakMap<object, PeerIdentity | null>();

function peerIdentity(request: FastifyRequest): PeerIdentity | null {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== "function") return null;
  const known = peers.get(socket);
  if (known !== undefined) return known;
  const leaf = socket.getPeerCertificate(true);
  let identity: PeerIdentity | null = null;
  if (leaf?.raw && leaf.fingerprint256) {
    const candidates: Uint8Array[] = [];
    const seen = new Set<string>([leaf.fingerprint256]);
    for (let c = leaf.issuerCertificate; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
      seen.add(c.fingerprint256);
      candidates.push(c.raw);
      if (candidates.length >= 8) break;
    }
    identity = { fingerprint: normaliseFingerprint(leaf.fingerprint256), leaf: leaf.raw, candidates };
  }
  peers.set(socket, identity);
  return identity;
}

/** Installed on the TLS server: a connection keeps the client certificate of its handshake. */
export function refuseRenegotiation(socket: TLSSocket): void {
  socket.disableRenegotiation();
}

export function clientFingerprint(request: FastifyRequest): string | undefined {
  return peerIdentity(request)?.fingerprint;
}

const ALLOWED_KINDS = new Set(["node", "organisation"]);
/** Kinds are immutable per certificate: remembered by fingerprint (bounded). */
const kindCache = new Map<string, string | null>();

function kindOf(fingerprint: string, der: Uint8Array): string | null {
  let kind = kindCache.get(fingerprint);
  if (kind === undefined) {
    try {
      kind = classifyCertificate(der) ?? null;
    } catch {
      kind = "malformed";
    }
    if (kindCache.size >= 10_000) kindCache.delete(kindCache.keys().next().value!);
    kindCache.set(fingerprint, kind);
  }
  return kind;
}

function refusalFor(reason: string | undefined, status: "invalid" | "indeterminate"): AxisErrorCode {
  if (status === "indeterminate")
    return reason === "PKI_SUSPENDED" ? "AXIS_AUTH_CERT_REVOKED" : "AXIS_AUTH_CERT_REVOCATION_UNKNOWN";
  switch (reason) {
    case "PKI_EXPIRED":
    case "PKI_NOT_YET_VALID":
      return "AXIS_AUTH_CERT_EXPIRED";
    case "PKI_REVOKED":
      return "AXIS_AUTH_CERT_REVOKED";
    case "PKI_KEY_USAGE":
      return "AXIS_AUTH_CERT_KIND";
    default:
      return "AXIS_AUTH_CERT_UNTRUSTED";
  }
}

/**
 * Judges a registered client certificate. Verdicts are cached by the trust callback (same
 * freshness rules as for package signatures: path validity, OCSP cache, CRL nextUpdate).
 */
export async function checkClientCertificate(
  ctx: NodeContext,
  request: FastifyRequest,
  fingerprint: string,
): Promise<void> {
  const chain = peerIdentity(request);
  if (!chain) throw new AxisError("AXIS_AUTH_CERT_MISSING");
  const kind = kindOf(fingerprint, chain.leaf);
  if (kind === null ? !ctx.config.tls?.allowUnclassifiedClients : !ALLOWED_KINDS.has(kind))
    throw new AxisError("AXIS_AUTH_CERT_KIND", { kind: kind ?? "unclassified" });
  if (!ctx.clientTrust) throw new AxisError("AXIS_AUTH_CERT_UNTRUSTED", { reason: "no trust anchors" });
  const verdict = await ctx.clientTrust({
    certificate: chain.leaf,
    candidates: chain.candidates,
    // Transport credentials are judged against the wall clock, as a TLS stack would.
    at: new Date(),
    purpose: "tls-client",
  });
  if (verdict.status === "valid") return;
  if (verdict.status === "indeterminate" && ctx.config.trust.revocation !== "require") return;
  throw new AxisError(refusalFor(verdict.reason, verdict.status), {
    reason: verdict.reason ?? verdict.status,
  });
}

export async function agencyCaller(ctx: NodeContext, request: FastifyRequest): Promise<Caller> {
  const fp = clientFingerprint(request);
  if (!fp) throw new AxisError("AXIS_AUTH_CERT_MISSING");
  const system = await findSystemByFingerprint(ctx.db.kysely, fp);
  if (!system) throw new AxisError("AXIS_AUTH_CERT_UNKNOWN");
  await checkClientCertificate(ctx, request, fp);
  return { type: "agency", id: system.system_id, agencyCodes: JSON.parse(system.agency_codes) as string[] };
}

export async function nodeCaller(
  ctx: NodeContext,
  request: FastifyRequest,
): Promise<Caller & { type: "node" }> {
  const fp = clientFingerprint(request);
  if (!fp) throw new AxisError("AXIS_AUTH_CERT_MISSING");
  const peers = [...(ctx.config.parent ? [ctx.config.parent] : []), ...ctx.config.children];
  const peer = peers.find((p) => p.fingerprint === fp);
  if (!peer) throw new AxisError("AXIS_AUTH_CERT_UNKNOWN");
  await checkClientCertificate(ctx, request, fp);
  return { type: "node", nodeId: peer.nodeId };
}
