/**
 * Server-side verification of requests signed the way the official VPCP SDKVXP Java client
 * signs them (spec §4.2). Pure: no Fastify, no SQL, no clock (the caller passes `now`).
 *
 * What the SDK sends: for every entry k → v of its header map, `XroadVnpt-<k>: v`; the key list
 * `XroadVnpt-sign-header-key` (k joined by ";"); `XroadVnpt-sign-header`, a compact JSON object
 * {"XroadVnpt-<k>": v, …}; and `XroadVnpt-hash-header` = hex HMAC-SHA256(secret, sign-header).
 *
 * Header strings are expected as Node's http module delivers them: names lower-cased, values
 * decoded as latin1, so `Buffer.from(value, "latin1")` gives back the bytes on the wire. The HMAC
 * is therefore computed over the exact received bytes, never over a re-serialisation.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AxisAuthError } from "./errors.ts";

export type SdkvxpCredentialLookup = (systemId: string) => Promise<
  | {
      secret: string;
      agencyCodes: readonly string[];
      /**
       * Offset of the wall clock the client's JVM formats its timestamps in, in minutes east
       * of UTC. Overrides `timestampUtcOffsetMinutes` for this system (a vendor whose server
       * runs in UTC, say).
       */
      timestampUtcOffsetMinutes?: number;
      /** How this system's timestamps are checked; default "strict". */
      sdkCompatibility?: SdkCompatibility;
    }
  | undefined
>;

/**
 * Per connected system. "strict": every call inside the freshness window and through the
 * replay cache. "legacy-sdk": for the unmodified VPCP SDK 2.0.1, which formats its timestamp
 * once per service object and reuses it for every call (and whose HTTP client may resend a
 * request): read-only and idempotent calls are accepted with a timestamp up to
 * `legacyMaxAgeMs` old and without the replay cache; state-changing calls stay strict.
 */
export type SdkCompatibility = "strict" | "legacy-sdk";
export const SDK_COMPATIBILITY_MODES = [
  "strict",
  "legacy-sdk",
] as const satisfies readonly SdkCompatibility[];

/**
 * What a call does to the node's state, which decides what a reused or replayed request can do:
 * "read" changes nothing a caller could exploit (getEdoc extends a lease, like a first read);
 * "idempotent" changes state once and answers the same afterwards (sendEdoc is de-duplicated
 * by package identity, updateStatus is a no-op once done/fail); "state-changing" does not.
 */
export type SdkvxpCallKind = "read" | "idempotent" | "state-changing";

export const SDKVXP_CALL_KINDS = {
  getReceivedEdocList: "read",
  getEdoc: "read",
  downloadEdoc: "read",
  getSentEdocList: "read",
  countReceiveEdoc: "read",
  countReceiveStatus: "read",
  getAgenciesList: "read",
  getAgenciesListQD20: "read",
  getSynchronizeUnit: "read",
  sendEdoc: "idempotent",
  updateStatus: "idempotent",
  registerAgency: "state-changing",
  deleteAgency: "state-changing",
} as const satisfies Record<string, SdkvxpCallKind>;
export type SdkvxpOperation = keyof typeof SDKVXP_CALL_KINDS;

export interface FreshnessRule {
  /** How far in the past the request's timestamp may be. */
  maxAgeMs: number;
  /** How far ahead of the node's clock it may be (clock skew only: never widened). */
  maxAheadMs: number;
  /** Whether the replay cache is consulted. */
  replayCheck: boolean;
}

/** Pure policy: the freshness rule for a call of `kind` from a system in `compatibility` mode. */
export function freshnessRule(
  compatibility: SdkCompatibility,
  kind: SdkvxpCallKind,
  windows: { maxSkewMs: number; legacyMaxAgeMs: number },
): FreshnessRule {
  if (compatibility === "legacy-sdk" && kind !== "state-changing") {
    return {
      maxAgeMs: Math.max(windows.legacyMaxAgeMs, windows.maxSkewMs),
      maxAheadMs: windows.maxSkewMs,
      replayCheck: false,
    };
  }
  return { maxAgeMs: windows.maxSkewMs, maxAheadMs: windows.maxSkewMs, replayCheck: true };
}

export interface ReplayCache {
  /** Returns true if `key` was already seen and has not expired; records it otherwise. */
  seen(key: string, expiresAtMs: number): boolean;
}

export interface VerifiedSdkvxpRequest {
  systemId: string;
  agencyCodes: readonly string[];
  /**
   * The signed parameters, named as signed (without the `XroadVnpt-` prefix): from, servicetype,
   * messagetype, docId, status, hash-file, Content-Type, … Read parameters from here, never from
   * the raw headers. Keys the SDK left behind from earlier calls may be present: ignore them.
   */
  params: Readonly<Record<string, string>>;
  timestamp: Date;
  /** The system's mode, and whether this call went through the replay cache. */
  compatibility: SdkCompatibility;
  replayChecked: boolean;
  /**
   * When a body was given: the package bytes inside it, i.e. the body without the trailing
   * CRLF the SDK appends, or the whole body when the signed hash-file covers the whole body.
   */
  packageBytes?: Buffer;
}

/** Vietnam (Asia/Ho_Chi_Minh) has been UTC+07:00 without daylight saving since 1975. */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
/** How old a reused timestamp may be for a "legacy-sdk" system's read-only and idempotent calls. */
export const DEFAULT_LEGACY_MAX_AGE_MS = 24 * 3600 * 1000;

const SIGN_HEADER_MAX_BYTES = 16 * 1024;
const MAX_SIGNED_KEYS = 64;
const PREFIX = "XroadVnpt-";
/** Keys that must be signed: without them the request is not bound to a system and a time. */
const REQUIRED_SIGNED_KEYS = ["systemid", "timestamp"] as const;

/**
 * Bounded in-memory replay cache. A key that is present is a replay, whatever the clock says:
 * the verifier consults the cache only for requests inside the freshness window, and an entry
 * expires (timestamp + skew) only once its request has left that window. The clock (`now`)
 * only decides which entries may be swept. When full of unexpired entries the oldest is
 * evicted: memory stays bounded at the cost of a replay window for that one signed request.
 * One cache per process: behind a load balancer, replicas need a shared cache (same interface).
 */
export function createReplayCache(options?: { maxEntries?: number; now?: () => number }): ReplayCache {
  const maxEntries = options?.maxEntries ?? 100_000;
  const now = options?.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be ≥ 1");
  const entries = new Map<string, number>();
  return {
    seen(key, expiresAtMs) {
      if (entries.has(key)) return true;
      // Insertion order approximates expiry order: sweep expired entries from the front.
      const t = now();
      for (const [k, exp] of entries) {
        if (exp > t) break;
        entries.delete(k);
      }
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(key, expiresAtMs);
      return false;
    },
  };
}

/** The body without the one trailing CRLF the SDK appends to the edXML file (unchanged if none). */
export function packageBytesFromSdkBody(body: Buffer): Buffer {
  const n = body.length;
  if (n >= 2 && body[n - 2] === 0x0d && body[n - 1] === 0x0a) return body.subarray(0, n - 2);
  return body;
}

/** The SDK's hex rendering: each byte's hex without its leading zero (Integer.toHexString). */
export function unpaddedHex(digest: Uint8Array): string {
  let out = "";
  for (const byte of digest) out += byte.toString(16);
  return out;
}

/** True if `hashFile` is SHA-256 `digest` in the SDK's unpadded hex or the normal 64-hex form. */
export function matchesSdkHashFile(hashFile: string, digest: Uint8Array): boolean {
  const h = hashFile.toLowerCase();
  return h === Buffer.from(digest).toString("hex") || h === unpaddedHex(digest);
}

const OFFSET_RE = /^(?:UTC)?([+-])(\d{2}):?(\d{2})$/;

/** "+07:00", "+0700", "UTC+07:00", "-03:30" → minutes east of UTC (−12:00 … +14:00); else undefined. */
export function parseUtcOffset(text: string): number | undefined {
  const m = OFFSET_RE.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59) return undefined;
  const signed = m[1] === "-" ? -minutes : minutes;
  return signed < -720 || signed > 840 ? undefined : signed;
}

/** Minutes east of UTC → "+07:00". */
export function formatUtcOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

const TIMESTAMP_RE = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$/;

/**
 * Parses the SDK timestamp `ddMMyyyy'T'HHmmss+SSSS`: the `+` is a literal and SSSS is the
 * millisecond field (not a zone). The wall clock is the client JVM's default zone, which the
 * request does not carry: `utcOffsetMinutes` says which one to assume (Vietnam by default).
 */
export function parseSdkvxpTimestamp(
  text: string,
  utcOffsetMinutes: number = VIETNAM_UTC_OFFSET_MINUTES,
): Date | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const [day, month, year, hour, minute, second, ms] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || ms > 999) {
    return undefined;
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(wall);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined; // 31 Feb
  return new Date(wall - utcOffsetMinutes * 60_000);
}

function single(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | string[] | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  // Tolerate callers that did not lower-case names.
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Wire bytes of a header value as Node delivers it (latin1); already-Unicode strings as UTF-8. */
function headerBytes(value: string): Buffer {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, "utf8") : Buffer.from(value, "latin1");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function headerText(value: string): string | undefined {
  try {
    return utf8.decode(headerBytes(value));
  } catch {
    return undefined;
  }
}

export async function verifySdkvxpRequest(input: {
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  now: Date;
  lookup: SdkvxpCredentialLookup;
  replay: ReplayCache;
  maxSkewMs?: number;
  /** Zone of the client's timestamps, minutes east of UTC; default UTC+7 (Asia/Ho_Chi_Minh). */
  timestampUtcOffsetMinutes?: number;
  /** What the called operation does; default "state-changing" (the strict rule in every mode). */
  callKind?: SdkvxpCallKind;
  /** Oldest reused timestamp accepted from a "legacy-sdk" system; default 24 h. */
  legacyMaxAgeMs?: number;
}): Promise<VerifiedSdkvxpRequest> {
  const { headers, body, now, lookup, replay } = input;
  const maxSkewMs = input.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;

  // 1. The authentication headers must be there, once each.
  const required = {
    systemid: "xroadvnpt-systemid",
    signHeader: "xroadvnpt-sign-header",
    signHeaderKey: "xroadvnpt-sign-header-key",
    hashHeader: "xroadvnpt-hash-header",
  } as const;
  const values: Record<keyof typeof required, string> = {
    systemid: "",
    signHeader: "",
    signHeaderKey: "",
    hashHeader: "",
  };
  const missing: string[] = [];
  for (const [field, name] of Object.entries(required) as [keyof typeof required, string][]) {
    const v = single(headers, name);
    if (Array.isArray(v)) throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key: `${name} (repeated)` });
    if (v === undefined || v === "") missing.push(name);
    else values[field] = v;
  }
  if (missing.length > 0) throw new AxisAuthError("AXIS_AUTH_MISSING", { missing: missing.join(", ") });

  const systemId = headerText(values.systemid);
  if (systemId === undefined) throw new AxisAuthError("AXIS_AUTH_UNKNOWN_SYSTEM", { systemId: "?" });

  // 2. Who claims to be calling.
  const credentials = await lookup(systemId);
  if (!credentials) throw new AxisAuthError("AXIS_AUTH_UNKNOWN_SYSTEM", { systemId });

  // 3. HMAC over the exact received sign-header bytes, compared in constant time.
  const signHeaderBytes = headerBytes(values.signHeader);
  if (signHeaderBytes.length > SIGN_HEADER_MAX_BYTES) throw new AxisAuthError("AXIS_AUTH_BAD_SIGNATURE");
  const received = values.hashHeader.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(received)) throw new AxisAuthError("AXIS_AUTH_BAD_SIGNATURE");
  const expected = createHmac("sha256", Buffer.from(credentials.secret, "utf8"))
    .update(signHeaderBytes)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(received, "hex")))
    throw new AxisAuthError("AXIS_AUTH_BAD_SIGNATURE");

  // 4. From here on the sign-header is authentic. Parse it and bind the listed headers to it.
  let signed: unknown;
  try {
    signed = JSON.parse(utf8.decode(signHeaderBytes));
  } catch {
    throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key: "xroadvnpt-sign-header (not JSON)" });
  }
  if (typeof signed !== "object" || signed === null || Array.isArray(signed)) {
    throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key: "xroadvnpt-sign-header (not an object)" });
  }
  const params: Record<string, string> = Object.create(null);
  const byLowerName = new Map<string, string>();
  for (const [name, value] of Object.entries(signed)) {
    if (!name.startsWith(PREFIX)) continue; // not a parameter; harmless
    const key = name.slice(PREFIX.length);
    if (typeof value !== "string") throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key });
    const lower = key.toLowerCase();
    // Two keys that map to the same HTTP header cannot both be checked against it.
    if (byLowerName.has(lower)) throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key });
    byLowerName.set(lower, key);
    params[key] = value;
  }

  const listed = values.signHeaderKey.split(";");
  if (listed.length > MAX_SIGNED_KEYS) {
    throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key: "xroadvnpt-sign-header-key" });
  }
  for (const key of listed) {
    if (!Object.hasOwn(params, key)) throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key });
  }
  // Every signed key whose header was sent must match it; listed keys must have been sent.
  const listedSet = new Set(listed);
  for (const [key, value] of Object.entries(params)) {
    const raw = single(headers, `xroadvnpt-${key.toLowerCase()}`);
    if (raw === undefined) {
      if (listedSet.has(key)) throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key });
      continue;
    }
    if (Array.isArray(raw) || headerText(raw) !== value) {
      throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key });
    }
  }
  for (const key of REQUIRED_SIGNED_KEYS) {
    if (!listedSet.has(key)) throw new AxisAuthError("AXIS_AUTH_MISSING", { missing: `signed ${key}` });
  }
  if (params.systemid !== systemId) throw new AxisAuthError("AXIS_AUTH_HEADER_MISMATCH", { key: "systemid" });

  // 5. Freshness.
  const offset = credentials.timestampUtcOffsetMinutes ?? input.timestampUtcOffsetMinutes;
  const timestampText = params.timestamp!;
  const compatibility = credentials.sdkCompatibility ?? "strict";
  const rule = freshnessRule(compatibility, input.callKind ?? "state-changing", {
    maxSkewMs,
    legacyMaxAgeMs: input.legacyMaxAgeMs ?? DEFAULT_LEGACY_MAX_AGE_MS,
  });
  const timestamp = parseSdkvxpTimestamp(timestampText, offset ?? VIETNAM_UTC_OFFSET_MINUTES);
  const age = timestamp ? now.getTime() - timestamp.getTime() : Number.NaN;
  if (!timestamp || age > rule.maxAgeMs || -age > rule.maxAheadMs) {
    throw new AxisAuthError("AXIS_AUTH_STALE_TIMESTAMP", {
      timestamp: timestampText,
      // For the operator's diagnostic (not echoed differently to the caller than the timestamp).
      ...(timestamp ? { ageMs: age } : {}),
      systemId,
      compatibility,
    });
  }

  // 6. The sender must be one of the agencies bound to this system.
  const from = params.from;
  if (from !== undefined && !credentials.agencyCodes.includes(from)) {
    throw new AxisAuthError("AXIS_SENDER_MISMATCH", { from, sender: from, systemId });
  }

  // 7. A body is bound to the signature only through hash-file.
  let packageBytes: Buffer | undefined;
  if (body !== undefined) {
    if (from === undefined)
      throw new AxisAuthError("AXIS_SENDER_MISMATCH", { from: "(none)", sender: "(none)", systemId });
    const hashFile = params["hash-file"];
    if (hashFile === undefined) throw new AxisAuthError("AXIS_HASH_FILE_MISMATCH");
    const stripped = packageBytesFromSdkBody(body);
    if (matchesSdkHashFile(hashFile, createHash("sha256").update(stripped).digest())) {
      packageBytes = stripped;
    } else if (
      stripped !== body &&
      matchesSdkHashFile(hashFile, createHash("sha256").update(body).digest())
    ) {
      // A client without the SDK's quirk whose file itself ends in CRLF.
      packageBytes = body;
    } else {
      throw new AxisAuthError("AXIS_HASH_FILE_MISMATCH");
    }
  }

  // 8. Last, so that rejected requests do not fill the cache. An entry lives as long as its
  // request could pass the freshness check.
  if (
    rule.replayCheck &&
    replay.seen(`${systemId}\u0000${received.toLowerCase()}`, timestamp.getTime() + rule.maxAgeMs)
  ) {
    throw new AxisAuthError("AXIS_AUTH_REPLAY", { systemId });
  }

  return {
    systemId,
    agencyCodes: credentials.agencyCodes,
    params: Object.freeze({ ...params }),
    timestamp,
    compatibility,
    replayChecked: rule.replayCheck,
    ...(packageBytes ? { packageBytes } : {}),
  };
}
