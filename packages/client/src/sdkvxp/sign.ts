/**
 * Request signing exactly as the official VPCP SDKVXP 2.0.1 Java client does it (spec §4.2,
 * class `VnptService`): a Java HashMap of string headers {timestamp, systemid, Content-Type,
 * …parameters…, hash-file}, iterated in HashMap order; each entry sent as `XroadVnpt-<k>`;
 * the keys joined by ";" as `XroadVnpt-sign-header-key`; a Gson-compact JSON object of the
 * prefixed entries as `XroadVnpt-sign-header`; and lowercase hex HMAC-SHA256(secret, that JSON)
 * as `XroadVnpt-hash-header`.
 *
 * Deliberate differences from the SDK: a fresh timestamp for every request (the SDK formats one
 * when its service object is built and reuses it forever), and no stale keys from earlier calls.
 */
import { createHash, createHmac } from "node:crypto";
import { ClientError } from "../errors.ts";

export const SDKVXP_USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP";
export const SDKVXP_VERSION = "3.0.201608";
/** Asia/Ho_Chi_Minh: UTC+07:00, no daylight saving. */
export const VIETNAM_UTC_OFFSET_MINUTES = 420;

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * `ddMMyyyy'T'HHmmss+SSSS` (Java SimpleDateFormat): `+` is a literal, SSSS the milliseconds
 * zero-padded to four digits, on the wall clock `utcOffsetMinutes` east of UTC.
 */
export function formatSdkvxpTimestamp(now: Date, utcOffsetMinutes = VIETNAM_UTC_OFFSET_MINUTES): string {
  const t = new Date(now.getTime() + utcOffsetMinutes * 60_000);
  return (
    pad(t.getUTCDate(), 2) +
    pad(t.getUTCMonth() + 1, 2) +
    pad(t.getUTCFullYear(), 4) +
    "T" +
    pad(t.getUTCHours(), 2) +
    pad(t.getUTCMinutes(), 2) +
    pad(t.getUTCSeconds(), 2) +
    "+" +
    pad(t.getUTCMilliseconds(), 4)
  );
}

/** SHA-256 as the SDK writes `hash-file`: each byte's hex without its leading zero. */
export function sdkHashFileHex(file: Uint8Array, sdkQuirks = true): string {
  const digest = createHash("sha256").update(file).digest();
  if (!sdkQuirks) return digest.toString("hex");
  let out = "";
  for (const byte of digest) out += byte.toString(16);
  return out;
}

/** java.lang.String.hashCode over UTF-16 code units. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Iteration order of a java.util.HashMap (Java 8+) after inserting `keys` in this order into a
 * `new HashMap<>()`: buckets by (h ^ h>>>16) & (n-1), insertion order within a bucket, table
 * doubling past 0.75 load or when a bucket would grow past 8 entries while n < 64.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  const unique = [...new Set(keys)];
  const spread = unique.map((k) => {
    const h = javaStringHash(k);
    return h ^ (h >>> 16);
  });
  let n = 16;
  for (let i = 0; i < unique.length; i++) {
    const inBucket = spread.slice(0, i + 1).filter((h) => (h & (n - 1)) === (spread[i]! & (n - 1))).length;
    if (inBucket > 8 && n < 64) n *= 2; // treeifyBin on a small table resizes instead
    if (i + 1 > n * 0.75) n *= 2;
  }
  return unique
    .map((key, i) => ({ key, i, bucket: spread[i]! & (n - 1) }))
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}

const GSON_SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\t": "\\t",
  "\b": "\\b",
  "\n": "\\n",
  "\r": "\\r",
  "\f": "\\f",
};

/** A string literal as Gson's JsonWriter writes it (HTML-safe off, as JsonElement.toString). */
export function gsonString(value: string): string {
  return `"${value.replace(/["\\\u0000-\u001f\u2028\u2029]/g, (c) => GSON_SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/** Compact JSON of string entries in the given order, byte-identical to Gson's JsonObject.toString(). */
export function gsonObject(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([k, v]) => `${gsonString(k)}:${gsonString(v)}`).join(",")}}`;
}

/** Lowercase hex HMAC-SHA256(UTF-8 secret, UTF-8 sign-header). */
export function hmacSignHeader(secret: string, signHeader: string | Uint8Array): string {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(typeof signHeader === "string" ? Buffer.from(signHeader, "utf8") : signHeader)
    .digest("hex");
}

/** Header values travel as bytes: UTF-8, handed to Node's HTTP stack as a latin1 byte string. */
function wireValue(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertParam(name: string, value: string): void {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || name.includes(";")) {
    throw new ClientError("CLIENT_INVALID_ARGUMENT", {
      argument: `header parameter name ${JSON.stringify(name)}`,
    });
  }
  // Control characters cannot travel in an HTTP header; lone surrogates have no UTF-8 form.
  if (/[\u0000-\u001f\u007f]/.test(value) || LONE_SURROGATE.test(value)) {
    throw new ClientError("CLIENT_INVALID_ARGUMENT", { argument: `value of ${name}` });
  }
}

export interface SignSdkvxpInput {
  systemId: string;
  secret: string;
  /** Call parameters in the order the caller would put them in the SDK's JSON (from, to, …). */
  params: Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  /** `application/json` for every call but sendEdoc (`application/octet-stream`). */
  contentType: string;
  now: Date;
  /** The edXML file for sendEdoc: adds `hash-file` and returns the body to send. */
  file?: Uint8Array;
  /**
   * Reproduce the SDK's quirks (default true): `hash-file` without per-byte zero padding, and
   * `\r\n` appended to the file in the body. The axis accepts both forms.
   */
  sdkQuirks?: boolean;
  /** Wall clock of the timestamp, minutes east of UTC (default 420, Asia/Ho_Chi_Minh). */
  utcOffsetMinutes?: number;
}

export interface SignedSdkvxpRequest {
  /** Headers in the SDK's order, names as the SDK spells them, values ready for node:http. */
  headers: Array<[string, string]>;
  signHeaderKey: string;
  signHeader: string;
  hashHeader: string;
  timestamp: string;
  /** For sendEdoc: the bytes to send (the file, plus CRLF when `sdkQuirks`). */
  body?: Buffer;
}

export function signSdkvxpHeaders(input: SignSdkvxpInput): SignedSdkvxpRequest {
  const sdkQuirks = input.sdkQuirks ?? true;
  const timestamp = formatSdkvxpTimestamp(input.now, input.utcOffsetMinutes);
  const paramEntries: (readonly [string, string])[] = Array.isArray(input.params)
    ? [...(input.params as readonly (readonly [string, string])[])]
    : Object.entries(input.params as Record<string, string>);

  // Insertion order of the SDK: constructor (timestamp, systemid), the call (Content-Type, its
  // parameters), and for sendEdoc hash-file last. Re-putting a key keeps its first position.
  const map = new Map<string, string>();
  map.set("timestamp", timestamp);
  map.set("systemid", input.systemId);
  map.set("Content-Type", input.contentType);
  for (const [k, v] of paramEntries) map.set(k, v);
  let body: Buffer | undefined;
  if (input.file) {
    map.set("hash-file", sdkHashFileHex(input.file, sdkQuirks));
    const file = Buffer.from(input.file.buffer, input.file.byteOffset, input.file.byteLength);
    body = sdkQuirks ? Buffer.concat([file, Buffer.from("\r\n")]) : file;
  }
  for (const [k, v] of map) assertParam(k, v);

  const order = javaHashMapOrder([...map.keys()]);
  const headers: Array<[string, string]> = [];
  const signed: Array<[string, string]> = [];
  for (const key of order) {
    const value = map.get(key)!;
    if (key === "Content-Type") headers.push(["Content-Type", wireValue(value)]);
    headers.push([`XroadVnpt-${key}`, wireValue(value)]);
    signed.push([`XroadVnpt-${key}`, value]);
  }
  const signHeaderKey = order.join(";");
  const signHeader = gsonObject(signed);
  const hashHeader = hmacSignHeader(input.secret, signHeader);
  headers.push(
    ["XroadVnpt-sign-header-key", signHeaderKey],
    ["XroadVnpt-sign-header", wireValue(signHeader)],
    ["XroadVnpt-hash-header", hashHeader],
    ["User-Agent", SDKVXP_USER_AGENT],
    ["XroadVnpt-version", SDKVXP_VERSION],
  );
  return { headers, signHeaderKey, signHeader, hashHeader, timestamp, ...(body ? { body } : {}) };
}
