/** A minimal mutual-TLS client for tests (the client engineer's NativeClient covers the SDK side). */
import { request } from "node:https";
import type { Identity } from "./pki.ts";

export interface Reply {
  status: number;
  body: Buffer;
  json: any;
  headers: Record<string, string | string[] | undefined>;
}

export function call(
  baseUrl: string,
  who: Identity | undefined,
  caPem: string,
  method: string,
  path: string,
  body?: Buffer | object,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const payload =
    body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        ca: caPem,
        ...(who ? { cert: who.certPem, key: who.keyPem } : {}),
        checkServerIdentity: () => undefined,
        headers: {
          ...(payload
            ? {
                "content-type": Buffer.isBuffer(body) ? "application/xml" : "application/json",
                "content-length": String(payload.length),
              }
            : {}),
          ...headers,
        },
        agent: false,
      },
      (res) => {
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
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
