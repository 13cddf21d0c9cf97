/** Tiny node:http helpers for the protocol handlers (OCSP, TSA, publication). */
import type { IncomingMessage, ServerResponse } from "node:http";

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Reads a request body up to `limit` bytes; rejects bigger bodies and slow clients. */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("timeout"));
    }, timeoutMs);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        clearTimeout(timer);
        req.destroy();
        reject(new Error("too large"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Uint8Array | string,
  extraHeaders: Record<string, string> = {},
): void {
  const data = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": String(data.length),
    ...extraHeaders,
  });
  res.end(data);
}

/** POSTs bytes and returns the response body, with a timeout and a size limit. */
export async function postBytes(
  url: string,
  body: Uint8Array,
  contentType: string,
  accept: string,
  timeoutMs: number,
  limit = 1 << 20,
): Promise<Buffer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, accept },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const buf = Buffer.from(await response.arrayBuffer());
  if (buf.length > limit) throw new Error(`response from ${url} too large`);
  return buf;
}

export async function getBytes(url: string, timeoutMs: number, limit = 8 << 20): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const buf = Buffer.from(await response.arrayBuffer());
  if (buf.length > limit) throw new Error(`response from ${url} too large`);
  return buf;
}
