/**
 * The publication point of a CA over node:http: OCSP (POST/GET under /ocsp), CRLs
 * (/crl/root.crl, /crl/ca.crl), CA certificates (/cert/root.crt, /cert/ca.crt) and, when
 * given, the time-stamping service (/tsa). Other servers may mount the handlers themselves.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CA_FILES, type CertificateAuthority } from "./ca.ts";
import { crlToDer } from "./der.ts";
import { type RequestHandler, send } from "./http.ts";
import { createOcspResponder } from "./ocsp.ts";

export interface PkiHttpOptions {
  ca: CertificateAuthority;
  ocspValiditySeconds?: number;
  /** Handler for RFC 3161 requests (see `createTsa`); mounted at /tsa. */
  tsa?: RequestHandler;
}

export function createPkiHttpHandler(o: PkiHttpOptions): RequestHandler {
  const ocsp = createOcspResponder({
    issuerCertificate: o.ca.issuingCertificate,
    responderCertificate: o.ca.ocspResponderCertificate,
    responderKey: o.ca.ocspResponderKey(),
    // re-read the record: `truc pki revoke` in another process must show up at once
    lookup: (serial) => o.ca.status(serial, "issuing", { fromDisk: true }),
    ...(o.ocspValiditySeconds ? { validitySeconds: o.ocspValiditySeconds } : {}),
  });
  const files: Record<string, [string, string]> = {
    "/cert/root.crt": ["root.crt", "application/pkix-cert"],
    "/cert/ca.crt": ["ca.crt", "application/pkix-cert"],
    "/crl/root.crl": ["root.crl", "application/pkix-crl"],
    "/crl/ca.crl": ["ca.crl", "application/pkix-crl"],
  };
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/ocsp" || path.startsWith("/ocsp/")) return ocsp.handler(req, res);
    if (path === "/tsa" && o.tsa) return o.tsa(req, res);
    const file = files[path];
    if (file && req.method === "GET") {
      const full = join(o.ca.dir, CA_FILES.public, file[0]);
      if (!existsSync(full)) return send(res, 404, "text/plain", "not found");
      const text = readFileSync(full, "utf8");
      const der = file[1] === "application/pkix-crl" ? crlToDer(text) : crlToDerCert(text);
      return send(res, 200, file[1], der);
    }
    send(res, 404, "text/plain", "not found");
  };
}

function crlToDerCert(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
}

/** Starts a server on host:port (port 0 = any free port); resolves with its URL. */
export async function listen(
  handler: RequestHandler,
  port = 0,
  host = "127.0.0.1",
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}
