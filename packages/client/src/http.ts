/**
 * One small HTTP(S) transport over node:http/node:https, shared by both clients: ordered
 * headers, Buffer or stream bodies, streamed responses, an idle timeout on every socket
 * read/write, AbortSignal support, and bounded body reads. node:https (not fetch) because the
 * native API needs a client certificate through an https.Agent.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { ClientError } from "./errors.ts";

export interface HttpRequestOptions {
  /** Name of the API operation, for error messages. */
  operation: string;
  method: string;
  url: URL;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | Readable;
  agent?: http.Agent;
  /** Idle timeout: the longest wait for the socket to make progress (connect, send, receive). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The response body, still streaming; the idle timeout and the signal stay armed on it. */
  body: http.IncomingMessage;
}

/** Certificate verification failures reported by OpenSSL through Node (not worth retrying). */
const TLS_VERIFY_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function networkError(operation: string, error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  const e = error as NodeJS.ErrnoException;
  const reason = e?.code ?? e?.message ?? String(error);
  // ERR_SSL_*: the peer sent a TLS alert (e.g. it refused our client certificate).
  const tls = typeof e?.code === "string" && (TLS_VERIFY_CODES.has(e.code) || e.code.startsWith("ERR_SSL_"));
  return new ClientError(tls ? "CLIENT_TLS" : "CLIENT_NETWORK", { operation, reason }, { cause: error });
}

export function sendHttpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const { operation, url, signal, timeoutMs } = options;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientError("CLIENT_ABORTED", { operation }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of options.headers) headers[name] = value;
    if (Buffer.isBuffer(options.body)) headers["Content-Length"] = String(options.body.length);
    else if (options.body === undefined && options.method !== "GET" && options.method !== "HEAD") {
      headers["Content-Length"] = "0";
    }
    const transport = url.protocol === "https:" ? https : http;
    let response: http.IncomingMessage | undefined;
    const req = transport.request(url, { method: options.method, headers, agent: options.agent });
    const fail = (error: ClientError) => {
      if (response) response.destroy(error);
      req.destroy(error);
    };
    const onAbort = () => fail(new ClientError("CLIENT_ABORTED", { operation }));
    signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener("abort", onAbort);
    req.setTimeout(timeoutMs, () => fail(new ClientError("CLIENT_TIMEOUT", { operation, timeoutMs })));
    req.on("error", (error) => {
      cleanup();
      reject(networkError(operation, error));
    });
    req.on("response", (res) => {
      response = res;
      res.setTimeout(timeoutMs, () => fail(new ClientError("CLIENT_TIMEOUT", { operation, timeoutMs })));
      res.on("close", cleanup);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    const body = options.body;
    if (body === undefined || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on("error", (error) => fail(networkError(operation, error)));
      body.pipe(req);
    }
  });
}

/** Reads a whole response body, refusing more than `maxBytes`. */
export async function readBody(res: Readable, operation: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        res.destroy();
        throw new ClientError("CLIENT_RESPONSE_TOO_LARGE", { operation, maxBytes });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw networkError(operation, error);
  }
  return Buffer.concat(chunks, total);
}

/** Drains and discards a body we will not use, so the connection can be reused. */
export function discardBody(res: Readable): void {
  res.resume();
  res.on("error", () => {});
}
