/**
 * Client certificates systems and neighbours present to this node, recorded so the console
 * can count down to their expiry (the directory only pins fingerprints). Best effort: a
 * failure to record never changes the answer. At most one write per certificate per ten
 * minutes.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance } from "fastify";
import { type AdminDb, upsertPeerCert } from "../../repositories/admin-repository.ts";
import { clientFingerprint } from "../identify.ts";

export function observeClientCertificates(
  app: FastifyInstance,
  db: () => AdminDb | undefined,
  now: () => number,
): void {
  const seen = new Map<string, number>();
  app.addHook("onRequest", async (request) => {
    const kysely = db();
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (!kysely || typeof socket.getPeerCertificate !== "function") return;
    const fp = clientFingerprint(request);
    if (!fp) return;
    const at = now();
    if ((seen.get(fp) ?? Number.NEGATIVE_INFINITY) > at - 600_000) return;
    if (seen.size > 10_000) seen.clear();
    seen.set(fp, at);
    try {
      const raw = socket.getPeerCertificate(false)?.raw;
      if (!raw) return;
      const cert = new X509Certificate(raw);
      await upsertPeerCert(kysely, {
        fingerprint: fp,
        subject: cert.subject.replace(/\n/g, ", "),
        issuer: cert.issuer.replace(/\n/g, ", "),
        valid_from: Date.parse(cert.validFrom),
        valid_to: Date.parse(cert.validTo),
        last_seen_at: at,
      });
    } catch (error) {
      request.log.warn({ err: error }, "could not record a client certificate");
    }
  });
}
