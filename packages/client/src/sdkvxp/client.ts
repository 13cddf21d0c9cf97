/**
 * Client of the SDKVXP API (spec §4.3): the national axis, LGSPs that mirror it, and truc's own
 * SDKVXP-compatible facade. Requests are signed like the official Java SDK 2.0.1 does
 * (./sign.ts); responses are the JSON envelope {status, ErrorCode, ErrorDesc, …}.
 */
import type http from "node:http";
import type { Readable } from "node:stream";
import { ClientError } from "../errors.ts";
import { readBody, sendHttpRequest } from "../http.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "../retry.ts";
import { signSdkvxpHeaders } from "./sign.ts";

export type SdkvxpMessageType = "edoc" | "status";
export type TransportStatus = "done" | "fail" | "processing";

export interface SdkvxpClientOptions {
  /** Base URL, e.g. `https://lgsp.example.gov.vn/vdxp`; operations are `<endpoint>/<name>`. */
  endpoint: string;
  systemId: string;
  secret: string;
  /** The agency (mã định danh) this client sends as (`from`). */
  agencyCode: string;
  /** Idle timeout per request (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Largest JSON response accepted (default 256 MiB: getEdoc carries whole packages in base64). */
  maxResponseBytes?: number;
  /** Reproduce the official SDK's hash-file and trailing-CRLF quirks on sendEdoc (default true). */
  sdkQuirks?: boolean;
  /** Wall clock of the signed timestamp, minutes east of UTC (default 420, Asia/Ho_Chi_Minh). */
  utcOffsetMinutes?: number;
  agent?: http.Agent;
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Item of getReceivedEdocList, with the server's field names. */
export interface ReceivedEdoc {
  docId: string;
  serviceType?: string;
  messageType?: string;
  created_time?: string;
  updated_time?: string;
  from?: string;
  to?: string;
  status?: string;
  status_desc?: string;
  contentSha256?: string;
  contentLength?: string | number;
  versionSdk?: string;
  [field: string]: unknown;
}

/** Item of getSentEdocList, with the server's field names. */
export interface SentEdoc {
  serviceType?: string;
  senderDocId?: string;
  receiverDocId?: string;
  fromCode?: string;
  toCode?: string;
  title?: string;
  notation?: string;
  messageType?: string;
  sentTime?: string;
  receivedTime?: string;
  sendStatus?: string;
  sendStatusDesc?: string;
  receiveStatus?: string;
  receiveStatusDesc?: string;
  [field: string]: unknown;
}

/** Item of getAgenciesList / getAgenciesListQD20 (the latter adds `code102`, the QCVN 102 code). */
export interface SdkvxpAgency {
  id?: string;
  code: string;
  name?: string;
  mail?: string;
  pid?: string;
  oldCode?: string;
  code102?: string;
  [field: string]: unknown;
}

/** Item of getSynchronizeUnit (directory delta). */
export interface SynchronizeUnit {
  id?: string;
  pid?: string;
  code?: string;
  name?: string;
  mail?: string;
  centerCode?: string;
  version?: number;
  deleted?: boolean;
  modifyDate?: string;
  isAgency?: boolean;
  [field: string]: unknown;
}

export interface RegisterAgencyInput {
  id?: string;
  pcode: string;
  code: string;
  name: string;
  mail?: string;
  mobile?: string;
  fax?: string;
}

export interface EdocListFilter {
  messageType: SdkvxpMessageType;
  /** Passed through as the server expects it (the SDK sends a string; the format is server-defined). */
  fromDate?: string;
  toDate?: string;
}

type Envelope = Record<string, unknown>;

const JSON_TYPE = "application/json";
const OCTET_TYPE = "application/octet-stream";

export class SdkvxpClient {
  readonly #options: SdkvxpClientOptions;
  readonly #retry: RetryPolicy;
  readonly #base: string;
  /** Last signed instant: timestamps strictly increase, so identical calls never sign alike. */
  #lastSignedMs = 0;

  constructor(options: SdkvxpClientOptions) {
    for (const key of ["endpoint", "systemId", "secret", "agencyCode"] as const) {
      if (!options[key]) throw new ClientError("CLIENT_INVALID_ARGUMENT", { argument: key });
    }
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#base = options.endpoint.replace(/\/+$/, "");
  }

  get agencyCode(): string {
    return this.#options.agencyCode;
  }

  /**
   * Sends an edXML package (a document, or a business status with messageType "status").
   * Retried on network errors and 5xx with the same bytes: the axis de-duplicates packages.
   * `to`: recipients' codes, sent as the JSON array string the SDK sends.
   */
  async sendEdoc(
    edxml: Uint8Array,
    options: { messageType: SdkvxpMessageType; to?: readonly string[] } & CallOptions,
  ): Promise<{ docId: string }> {
    const params: Array<[string, string]> = [["from", this.#options.agencyCode]];
    if (options.to) params.push(["to", JSON.stringify(options.to)]);
    params.push(["servicetype", "eDoc"], ["messagetype", options.messageType]);
    const env = await this.#call(
      "sendEdoc",
      "POST",
      params,
      { contentType: OCTET_TYPE, file: edxml },
      options,
    );
    const docId = env.DocId ?? env.docId;
    if (typeof docId !== "string" && typeof docId !== "number") {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation: "sendEdoc", reason: "no DocId" });
    }
    return { docId: String(docId) };
  }

  async getReceivedEdocList(filter: EdocListFilter, options?: CallOptions): Promise<ReceivedEdoc[]> {
    const env = await this.#call("getReceivedEdocList", "POST", listParams(filter), {}, options);
    return dataArray(env, "getReceivedEdocList").map((item) => {
      const docId = item.docId;
      if (typeof docId !== "string" && typeof docId !== "number") {
        throw new ClientError("CLIENT_BAD_RESPONSE", {
          operation: "getReceivedEdocList",
          reason: "item without docId",
        });
      }
      return { ...item, docId: String(docId) } as ReceivedEdoc;
    });
  }

  /** The package's bytes (the envelope's base64 `data`). */
  async getEdoc(docId: string, options?: CallOptions): Promise<Buffer> {
    const env = await this.#call("getEdoc", "POST", [["docId", docId]], {}, options);
    const data = env.data;
    if (typeof data !== "string") {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation: "getEdoc", reason: "no base64 data" });
    }
    const compact = data.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation: "getEdoc", reason: "data is not base64" });
    }
    return Buffer.from(compact, "base64");
  }

  /**
   * Streams the package (GET /downloadEdoc). The caller must consume or destroy the stream.
   * Retries apply until the response starts; a JSON answer is read as an error envelope.
   */
  async downloadEdoc(docId: string, options?: CallOptions): Promise<Readable> {
    const operation = "downloadEdoc";
    return withRetry(
      operation,
      async () => {
        const res = await this.#send(operation, "GET", [["docId", docId]], {}, options?.signal);
        const type = String(res.headers["content-type"] ?? "");
        if (res.status >= 200 && res.status < 300 && !type.includes("json")) return res.body;
        const body = await readBody(res.body, operation, this.#maxResponseBytes);
        const env = parseEnvelope(operation, res.status, body);
        throw new ClientError("CLIENT_BAD_RESPONSE", {
          operation,
          reason: "JSON instead of a package",
          errorCode: String(env.ErrorCode ?? ""),
          errorDesc: String(env.ErrorDesc ?? ""),
        });
      },
      this.#retry,
      options?.signal,
    );
  }

  /** Transport acknowledgement of a received package (spec §3.3), not a business status. */
  async updateStatus(
    docId: string,
    status: TransportStatus,
    description?: string,
    options?: CallOptions,
  ): Promise<void> {
    const params: Array<[string, string]> = [
      ["docId", docId],
      ["status", status],
    ];
    if (description !== undefined) params.push(["description", description]);
    await this.#call("updateStatus", "POST", params, {}, options);
  }

  async getSentEdocList(
    filter: Partial<EdocListFilter> & { docId?: string } = {},
    options?: CallOptions,
  ): Promise<SentEdoc[]> {
    const params = listParams({ ...filter, messageType: filter.messageType ?? "edoc" });
    if (filter.docId !== undefined) params.push(["docId", filter.docId]);
    const env = await this.#call("getSentEdocList", "POST", params, {}, options);
    return dataArray(env, "getSentEdocList") as SentEdoc[];
  }

  async countReceiveEdoc(filter?: Partial<EdocListFilter>, options?: CallOptions): Promise<number> {
    return this.#count(
      "countReceiveEdoc",
      { ...filter, messageType: filter?.messageType ?? "edoc" },
      options,
    );
  }

  async countReceiveStatus(filter?: Partial<EdocListFilter>, options?: CallOptions): Promise<number> {
    return this.#count(
      "countReceiveStatus",
      { ...filter, messageType: filter?.messageType ?? "status" },
      options,
    );
  }

  async getAgenciesList(options?: CallOptions): Promise<SdkvxpAgency[]> {
    const env = await this.#call("getAgenciesList", "POST", [], {}, options);
    return dataArray(env, "getAgenciesList") as SdkvxpAgency[];
  }

  /** Agencies with QĐ 20/2020 codes; `code102` is the legacy QCVN 102 form. */
  async getAgenciesListQD20(level?: string | number, options?: CallOptions): Promise<SdkvxpAgency[]> {
    const params: Array<[string, string]> = level === undefined ? [] : [["level", String(level)]];
    const env = await this.#call("getAgenciesListQD20", "POST", params, {}, options);
    return dataArray(env, "getAgenciesListQD20") as SdkvxpAgency[];
  }

  /** Directory delta; extra parameters are passed through as signed headers. */
  async getSynchronizeUnit(params: Readonly<Record<string, string>> = {}, options?: CallOptions) {
    const env = await this.#call("getSynchronizeUnit", "POST", Object.entries(params), {}, options);
    return dataArray(env, "getSynchronizeUnit") as SynchronizeUnit[];
  }

  /**
   * Registers or updates a child unit. As in the SDK, the JSON body is not covered by the
   * header signature; only the transport protects it.
   */
  async registerAgency(agency: RegisterAgencyInput, options?: CallOptions): Promise<void> {
    const json = Buffer.from(JSON.stringify(agency), "utf8");
    await this.#call("registerAgency", "POST", [], { json }, options);
  }

  async deleteAgency(agencyCode: string, options?: CallOptions): Promise<void> {
    await this.#call("deleteAgency", "POST", [["AgencyCode", agencyCode]], {}, options);
  }

  get #maxResponseBytes(): number {
    return this.#options.maxResponseBytes ?? 256 * 1024 * 1024;
  }

  async #count(operation: string, filter: EdocListFilter, options?: CallOptions): Promise<number> {
    const env = await this.#call(operation, "GET", listParams(filter), {}, options);
    const count = Number(env.count);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ClientError("CLIENT_BAD_RESPONSE", { operation, reason: "no count" });
    }
    return count;
  }

  /** Signs (anew on every attempt), sends, reads the JSON envelope, retries what may be retried. */
  async #call(
    operation: string,
    method: "GET" | "POST",
    params: Array<[string, string]>,
    payload: { contentType?: string; file?: Uint8Array; json?: Buffer },
    options?: CallOptions,
  ): Promise<Envelope> {
    return withRetry(
      operation,
      async () => {
        const res = await this.#send(operation, method, params, payload, options?.signal);
        const body = await readBody(res.body, operation, this.#maxResponseBytes);
        return parseEnvelope(operation, res.status, body);
      },
      this.#retry,
      options?.signal,
    );
  }

  async #send(
    operation: string,
    method: "GET" | "POST",
    params: Array<[string, string]>,
    payload: { contentType?: string; file?: Uint8Array; json?: Buffer },
    signal?: AbortSignal,
  ) {
    const o = this.#options;
    const nowMs = Math.max((o.now ? o.now() : new Date()).getTime(), this.#lastSignedMs + 1);
    this.#lastSignedMs = nowMs;
    const signed = signSdkvxpHeaders({
      systemId: o.systemId,
      secret: o.secret,
      params,
      contentType: payload.contentType ?? JSON_TYPE,
      now: new Date(nowMs),
      ...(payload.file ? { file: payload.file } : {}),
      ...(o.sdkQuirks === undefined ? {} : { sdkQuirks: o.sdkQuirks }),
      ...(o.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: o.utcOffsetMinutes }),
    });
    const body = signed.body ?? payload.json;
    return sendHttpRequest({
      operation,
      method,
      url: new URL(`${this.#base}/${operation}`),
      headers: signed.headers,
      ...(body ? { body } : {}),
      ...(o.agent ? { agent: o.agent } : {}),
      timeoutMs: o.timeoutMs ?? 30_000,
      ...(signal ? { signal } : {}),
    });
  }
}

function listParams(filter: EdocListFilter): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ["servicetype", "eDoc"],
    ["messagetype", filter.messageType],
  ];
  if (filter.fromDate !== undefined) params.push(["fromDate", filter.fromDate]);
  if (filter.toDate !== undefined) params.push(["toDate", filter.toDate]);
  return params;
}

/**
 * The SDKVXP envelope: success is `ErrorCode` "0" (or absent) and `status` not "FAIL". A non-2xx
 * answer is an error whatever its body; 5xx ones are retryable.
 */
export function parseEnvelope(operation: string, httpStatus: number, body: Buffer): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const ok = httpStatus >= 200 && httpStatus < 300;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    if (!ok) throw new ClientError("CLIENT_HTTP_STATUS", { operation, status: httpStatus });
    throw new ClientError("CLIENT_BAD_RESPONSE", {
      operation,
      reason: "not a JSON object",
      status: httpStatus,
    });
  }
  const env = parsed as Envelope;
  const errorCode = env.ErrorCode === undefined || env.ErrorCode === null ? undefined : String(env.ErrorCode);
  const failed =
    String(env.status ?? "").toUpperCase() === "FAIL" || (errorCode !== undefined && errorCode !== "0");
  if (!ok || failed) {
    if (errorCode === undefined && env.ErrorDesc === undefined) {
      throw new ClientError("CLIENT_HTTP_STATUS", { operation, status: httpStatus });
    }
    throw new ClientError("CLIENT_SERVER_ERROR", {
      operation,
      status: httpStatus,
      errorCode: errorCode ?? "",
      errorDesc: String(env.ErrorDesc ?? ""),
    });
  }
  return env;
}

function dataArray(env: Envelope, operation: string): Record<string, unknown>[] {
  const data = env.data ?? [];
  if (!Array.isArray(data) || data.some((x) => typeof x !== "object" || x === null || Array.isArray(x))) {
    throw new ClientError("CLIENT_BAD_RESPONSE", { operation, reason: "data is not a list of objects" });
  }
  return data as Record<string, unknown>[];
}
