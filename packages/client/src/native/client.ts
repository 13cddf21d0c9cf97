/**
 * Client of a truc node's native REST API. The caller is identified by its client certificate
 * (mutual TLS): the node binds the certificate's fingerprint to a connected system and its
 * agencies. Uploads and downloads stream; errors come back as {code, message: {vi, en}, details}.
 */
import https from "node:https";
import type { Readable } from "node:stream";
import { ClientError } from "../errors.ts";
import { discardBody, type HttpResponse, readBody, sendHttpRequest } from "../http.ts";
import type { ReceiveClient } from "../receive-loop.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "../retry.ts";
import type { CallOptions, SdkvxpMessageType, TransportStatus } from "../sdkvxp/client.ts";
import { NATIVE_MESSAGE_TYPE_HEADER, NATIVE_PATHS } from "./paths.ts";

type Pem = string | Buffer;

export interface NativeClientOptions {
  /** https://host:port of the node. */
  baseUrl: string;
  /** Client key and certificate (PEM) and the CA(s) that issued the node's certificate. */
  tls?: { key: Pem; cert: Pem; ca: Pem | Pem[]; passphrase?: string; servername?: string };
  /** A ready agent instead of `tls` (e.g. a key held elsewhere); the client then never closes it. */
  agent?: https.Agent;
  /** Idle timeout per request (default 30 s). */
  timeoutMs?: number;
  /** Retries for network errors and 5xx; requests with a stream body are never retried. */
  retry?: Partial<RetryPolicy>;
  /** Largest JSON or buffered package accepted (default 256 MiB). */
  maxResponseBytes?: number;
}

export interface NativeRequestOptions extends CallOptions {
  body?: Buffer | Readable;
  headers?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string | number | undefined>>;
}

export interface NativeInboxItem {
  docId: string;
  kind?: SdkvxpMessageType;
  from?: string;
  to?: string;
  createdAt?: string;
  redelivery?: boolean;
  sha256?: string;
  size?: number;
  subject?: string;
  notation?: string;
  [field: string]: unknown;
}

export interface NativeSendResult {
  docId: string;
  duplicate: boolean;
  recipients?: string[];
}

const ERROR_BODY_MAX = 64 * 1024;

export class NativeClient {
  readonly #base: URL;
  readonly #agent: https.Agent;
  readonly #ownsAgent: boolean;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;

  constructor(options: NativeClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ClientError("CLIENT_INVALID_ARGUMENT", { argument: "baseUrl" });
    }
    if (base.protocol !== "https:")
      throw new ClientError("CLIENT_INVALID_ARGUMENT", { argument: "baseUrl (https only)" });
    if (!options.agent && !options.tls)
      throw new ClientError("CLIENT_INVALID_ARGUMENT", { argument: "tls or agent" });
    this.#base = base;
    this.#ownsAgent = !options.agent;
    this.#agent =
      options.agent ??
      new https.Agent({
        keepAlive: true,
        minVersion: "TLSv1.2",
        key: options.tls!.key,
        cert: options.tls!.cert,
        ca: options.tls!.ca,
        ...(options.tls!.passphrase ? { passphrase: options.tls!.passphrase } : {}),
        ...(options.tls!.servername ? { servername: options.tls!.servername } : {}),
      });
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
  }

  /**
   * Any request; resolves with the streaming response for 2xx, throws ClientError otherwise
   * (CLIENT_SERVER_ERROR carrying the node's error code, or CLIENT_HTTP_STATUS).
   */
  async request(method: string, path: string, options: NativeRequestOptions = {}): Promise<HttpResponse> {
    const operation = `${method} ${path}`;
    const url = new URL(path, this.#base);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const once = async () => {
      const res = await sendHttpRequest({
        operation,
        method,
        url,
        headers: Object.entries(options.headers ?? {}),
        ...(options.body ? { body: options.body } : {}),
        agent: this.#agent,
        timeoutMs: this.#timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) return res;
      throw nativeError(
        operation,
        res.status,
        await readBody(res.body, operation, ERROR_BODY_MAX).catch(() => undefined),
      );
    };
    // A stream can be sent only once.
    const policy =
      options.body && !Buffer.isBuffer(options.body) ? { ...this.#retry, retries: 0 } : this.#retry;
    return withRetry(operation, once, policy, options.signal);
  }

  /** A request whose answer is JSON; `json` is sent as the body. */
  async requestJson<T = unknown>(
    method: string,
    path: string,
    options: Omit<NativeRequestOptions, "body"> & { json?: unknown; body?: Buffer | Readable } = {},
  ): Promise<T> {
    const { json, ...rest } = options;
    const res = await this.request(method, path, {
      ...rest,
      ...(json === undefined ? {} : { body: Buffer.from(JSON.stringify(json), "utf8") }),
      headers: {
        accept: "application/json",
        ...(json === undefined ? {} : { "content-type": "application/json" }),
        ...rest.headers,
      },
    });
    const operation = `${method} ${path}`;
    const body = await readBody(res.body, operation, this.#maxResponseBytes);
    try {
      return JSON.parse(body.toString("utf8")) as T;
    } catch {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation, reason: "not JSON", status: res.status });
    }
  }

  /**
   * Uploads an edXML package (POST /v1/packages). A Buffer is retried on network errors and
   * 5xx (the node de-duplicates packages, answering `duplicate: true`); a stream is sent once.
   */
  async sendPackage(
    edxml: Buffer | Readable,
    options: { messageType?: SdkvxpMessageType } & CallOptions = {},
  ): Promise<NativeSendResult> {
    const result = await this.requestJson<Record<string, unknown>>("POST", NATIVE_PATHS.packages, {
      body: edxml,
      headers: {
        "content-type": "application/xml",
        ...(options.messageType ? { [NATIVE_MESSAGE_TYPE_HEADER]: options.messageType } : {}),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const docId = result.docId ?? result.packageId;
    if (typeof docId !== "string" || typeof result.duplicate !== "boolean") {
      throw new ClientError("CLIENT_BAD_RESPONSE", {
        operation: "sendPackage",
        reason: "no docId/duplicate",
      });
    }
    return {
      docId,
      duplicate: result.duplicate,
      ...(Array.isArray(result.recipients) ? { recipients: result.recipients.map(String) } : {}),
    };
  }

  /** Packages waiting for the caller's agencies (GET /v1/inbox). */
  async inbox(
    options: { type?: SdkvxpMessageType; limit?: number } & CallOptions = {},
  ): Promise<NativeInboxItem[]> {
    const result = await this.requestJson<{ items?: unknown }>("GET", NATIVE_PATHS.inbox, {
      query: { type: options.type, limit: options.limit },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const items = result.items;
    if (!Array.isArray(items) || items.some((i) => typeof i?.docId !== "string")) {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation: "inbox", reason: "items without docId" });
    }
    return items as NativeInboxItem[];
  }

  async inboxCount(options: { type?: SdkvxpMessageType } & CallOptions = {}): Promise<number> {
    const result = await this.requestJson<{ count?: unknown }>("GET", NATIVE_PATHS.inboxCount, {
      query: { type: options.type },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (typeof result.count !== "number") {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation: "inboxCount", reason: "no count" });
    }
    return result.count;
  }

  /** The package as a stream (GET /v1/packages/:docId); consume or destroy it. */
  async downloadPackage(docId: string, options: CallOptions = {}): Promise<Readable> {
    const res = await this.request("GET", NATIVE_PATHS.package(docId), options);
    return res.body;
  }

  /** The package's bytes, bounded by maxResponseBytes. */
  async getPackage(docId: string, options: CallOptions = {}): Promise<Buffer> {
    const path = NATIVE_PATHS.package(docId);
    const res = await this.request("GET", path, options);
    return readBody(res.body, `GET ${path}`, this.#maxResponseBytes);
  }

  /** Transport acknowledgement (POST /v1/packages/:docId/ack). */
  async ack(docId: string, status: TransportStatus, note?: string, options: CallOptions = {}): Promise<void> {
    const res = await this.request("POST", NATIVE_PATHS.ack(docId), {
      body: Buffer.from(JSON.stringify({ status, ...(note === undefined ? {} : { note }) }), "utf8"),
      headers: { "content-type": "application/json" },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    discardBody(res.body);
  }

  /** The same receive contract as SdkvxpClient, for receiveLoop. */
  asReceiveClient(): ReceiveClient<NativeInboxItem> {
    return {
      getReceivedEdocList: (filter, options) =>
        this.inbox({ type: filter.messageType, ...(options?.signal ? { signal: options.signal } : {}) }),
      getEdoc: (docId, options) => this.getPackage(docId, options),
      updateStatus: (docId, status, description, options) => this.ack(docId, status, description, options),
    };
  }

  /** Closes pooled connections (only those of an agent this client created). */
  close(): void {
    if (this.#ownsAgent) this.#agent.destroy();
  }
}

function nativeError(operation: string, status: number, body: Buffer | undefined): ClientError {
  let parsed: { code?: unknown; message?: unknown } | undefined;
  try {
    parsed = body ? JSON.parse(body.toString("utf8")) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed.code === "string") {
    const m = parsed.message as { en?: unknown; vi?: unknown } | string | undefined;
    const desc = typeof m === "string" ? m : String(m?.en ?? m?.vi ?? "");
    return new ClientError("CLIENT_SERVER_ERROR", {
      operation,
      status,
      errorCode: parsed.code,
      errorDesc: desc,
    });
  }
  return new ClientError("CLIENT_HTTP_STATUS", { operation, status });
}
