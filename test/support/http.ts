/**
 * Raw HTTP(S) callers for the suites: a mutual-TLS caller for the native API (any certificate,
 * or none) and an SDKVXP caller that signs like the official SDK (`signSdkvxpHeaders`) but
 * lets a test keep, replay or spoil what it signed.
 */
import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { signSdkvxpHeaders } from "@truc/client";

export interface Reply {
  status: number;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are inspected loosely in tests
  json: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
}

export function rawCall(
  url: string,
  o: {
    method: string;
    headers?: Record<string, string>;
    body?: Buffer;
    identity?: TlsIdentity;
    caPems?: readonly string[];
    agent?: Agent;
    timeoutMs?: number;
  },
): Promise<Reply> {
  const u = new URL(url);
  const isTls = u.protocol === "https:";
  return new Promise((resolve, reject) => {
    const options = {
      method: o.method,
      headers: {
        ...(o.body ? { "content-length": String(o.body.length) } : {}),
        ...(o.headers ?? {}),
      },
      ...(isTls
        ? o.agent
          ? { agent: o.agent }
          : {
              agent: false as const,
              ...(o.caPems ? { ca: [...o.caPems] } : {}),
              ...(o.identity ? { cert: o.identity.certPem, key: o.identity.keyPem } : {}),
              checkServerIdentity: () => undefined,
            }
        : { agent: false as const }),
    };
    const req = (isTls ? httpsRequest : httpRequest)(u, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(buf.toString("utf8"));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: buf, json, headers: res.headers });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(new Error("timeout")));
    req.end(o.body);
  });
}

/** A keep-alive agent presenting `identity` (for load loops). */
export function tlsAgent(identity: TlsIdentity | undefined, caPems: readonly string[]): Agent {
  return new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: [...caPems],
    ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    checkServerIdentity: () => undefined,
  });
}

/** Native API call (`/v1/...`) with JSON or XML body. */
export function nativeCall(
  baseUrl: string,
  identity: TlsIdentity | undefined,
  caPems: readonly string[],
  method: string,
  path: string,
  body?: Buffer | object,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const payload =
    body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return rawCall(new URL(path, baseUrl).toString(), {
    method,
    ...(payload ? { body: payload } : {}),
    headers: {
      ...(payload ? { "content-type": Buffer.isBuffer(body) ? "application/xml" : "application/json" } : {}),
      ...headers,
    },
    ...(identity ? { identity } : {}),
    caPems,
  });
}

export interface SdkvxpCredentials {
  systemId: string;
  secret: string;
}

export interface SignedSdkvxpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Signs one SDKVXP request the way the Java SDK does; `send` it once or more (replay). */
export function signSdkvxp(
  baseUrl: string,
  method: "GET" | "POST",
  op: string,
  o: SdkvxpCredentials & {
    params?: Record<string, string>;
    file?: Buffer;
    json?: object;
    now?: Date;
  },
): SignedSdkvxpRequest {
  const signed = signSdkvxpHeaders({
    systemId: o.systemId,
    secret: o.secret,
    params: o.params ?? {},
    contentType: o.file ? "application/octet-stream" : "application/json",
    now: o.now ?? new Date(),
    ...(o.file ? { file: o.file } : {}),
  });
  const body = signed.body ?? (o.json ? Buffer.from(JSON.stringify(o.json)) : undefined);
  return {
    method,
    url: new URL(op, baseUrl).toString(),
    headers: Object.fromEntries(signed.headers),
    ...(body ? { body } : {}),
  };
}

export function sendSigned(
  r: SignedSdkvxpRequest,
  caPems: readonly string[] = [],
  overrides: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Reply> {
  const body = overrides.body ?? r.body;
  return rawCall(r.url, {
    method: r.method,
    headers: { ...r.headers, ...(overrides.headers ?? {}) },
    ...(body ? { body } : {}),
    caPems,
  });
}
