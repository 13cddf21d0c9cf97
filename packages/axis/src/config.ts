/**
 * Node configuration: parsed once with zod into a deeply frozen object. Unknown keys are
 * errors (a typo must not silently fall back to a default), and every problem is listed.
 * PEM material may be given inline or as a file path; files are read here, once.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { isAgencyCode } from "./domain/agency.ts";
import { AxisError } from "./errors.ts";
import {
  DEFAULT_LEGACY_MAX_AGE_MS,
  DEFAULT_MAX_SKEW_MS,
  parseUtcOffset,
  SDK_COMPATIBILITY_MODES,
  VIETNAM_UTC_OFFSET_MINUTES,
} from "./http/sdkvxp/auth.ts";

const signaturePolicy = z.enum(["require", "verify-if-present", "off"]);
export type SignaturePolicy = z.infer<typeof signaturePolicy>;

const fingerprint = z
  .string()
  .transform((s) => s.replace(/:/g, "").toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 fingerprint: 64 hex digits"));

const agencyCode = z.string().refine(isAgencyCode, "agency identifier (QĐ 20 or QCVN 102 form)");

const peer = z.strictObject({
  nodeId: z.string().min(1).max(64),
  /** Agency code of the body running the peer (written in its TraceHeaders). */
  organId: agencyCode.optional(),
  url: z.url(),
  /** SHA-256 of the peer's TLS certificate (DER), pinned both ways. */
  fingerprint,
});
export type PeerConfig = z.infer<typeof peer>;

const pem = z.string().min(1);

/** "+07:00" (or minutes east of UTC) → minutes east of UTC. */
export const utcOffset = z.union([z.number().int().min(-720).max(840), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const minutes = parseUtcOffset(v);
  if (minutes === undefined) {
    ctx.addIssue({ code: "custom", message: 'UTC offset such as "+07:00" (−12:00 … +14:00)' });
    return z.NEVER;
  }
  return minutes;
});

export const sdkCompatibility = z.enum(SDK_COMPATIBILITY_MODES);

/** Same rule as the admin console: letters, digits, . _ - */
export const systemId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/, "letters, digits, . _ -");

/**
 * A connected system (a QLVB&ĐH) declared in the file and connected at start. The secret is
 * never in the file: `secretEnv` names the environment variable that holds it.
 */
const systemDeclaration = z
  .strictObject({
    systemId,
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "an environment variable name")
      .optional(),
    certFingerprint: fingerprint.optional(),
    agencyCodes: z.array(agencyCode).min(1).max(1000),
    sdkCompatibility: sdkCompatibility.default("strict"),
    /** Zone of this system's SDK timestamps (default: `sdkvxp.timestampUtcOffset`). */
    timestampUtcOffset: utcOffset.optional(),
  })
  .refine((s) => s.secretEnv !== undefined || s.certFingerprint !== undefined, {
    message: "a secretEnv (SDKVXP) or a certFingerprint (mutual TLS)",
  });
export type SystemDeclaration = z.infer<typeof systemDeclaration>;

const schema = z.strictObject({
  role: z.enum(["national", "lgsp"]),
  nodeId: z.string().min(1).max(64),
  /** The OrganId this node writes into the TraceHeader of every package it forwards. */
  organId: agencyCode,
  dataDir: z.string().min(1),
  /** PostgreSQL URL; when absent, SQLite in `dataDir`. */
  databaseUrl: z.string().startsWith("postgres").optional(),
  listen: z
    .strictObject({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65535) })
    .default({ host: "127.0.0.1", port: 0 }),
  /** Node TLS identity: inline PEM or a file path. With it the node serves HTTPS and asks for client certificates. */
  tls: z
    .strictObject({
      cert: pem,
      key: pem,
      /** CA certificates accepted for client certificates (agencies and nodes). */
      ca: z.array(pem).default([]),
      /**
       * Accept client certificates that carry no truc/government kind policy (neither node nor
       * organisation, e.g. issued with plain openssl). Default strict: such certificates are
       * refused with AXIS_AUTH_CERT_KIND. Chain, validity and revocation are checked either way.
       */
      allowUnclassifiedClients: z.boolean().default(false),
    })
    .optional(),
  parent: peer.optional(),
  children: z.array(peer).default([]),
  signature: z
    .strictObject({
      /** What to do with a package signature by default. */
      default: signaturePolicy.default("verify-if-present"),
      /** Per sender agency code. */
      perSender: z.record(z.string(), signaturePolicy).default({}),
      /** Re-sign forwarded packages with the node key (needs `tls`). */
      signForwarded: z.boolean().default(true),
    })
    .default({ default: "verify-if-present", perSender: {}, signForwarded: true }),
  limits: z
    .strictObject({
      /** Largest package accepted on a streaming route (native upload, federation). */
      maxPackageBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Largest SDKVXP request body (`sendEdoc` bodies are buffered, so this bounds memory). */
      sdkvxpMaxBytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 * 1024),
      /** Streamed packages up to this size are read into memory (faster); larger ones are spooled. */
      inMemoryBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
      /** Largest text of one edXML header field. */
      maxFieldBytes: z
        .number()
        .int()
        .positive()
        .default(256 * 1024),
      maxAttachments: z.number().int().positive().default(200),
      maxRecipients: z.number().int().positive().default(1000),
      requestTimeoutMs: z.number().int().positive().default(120_000),
    })
    .default({
      maxPackageBytes: 64 * 1024 * 1024,
      sdkvxpMaxBytes: 16 * 1024 * 1024,
      inMemoryBytes: 4 * 1024 * 1024,
      maxFieldBytes: 256 * 1024,
      maxAttachments: 200,
      maxRecipients: 1000,
      requestTimeoutMs: 120_000,
    }),
  storage: z
    .strictObject({
      /**
       * Packages up to this size keep their bytes in the database, written in the same
       * transaction as their rows (one durable commit, no file fsyncs); larger ones go to the
       * content-addressed blob store on disk.
       */
      inlineMaxBytes: z
        .number()
        .int()
        .min(0)
        .default(2 * 1024 * 1024),
      /**
       * Decoded attachments as separate blobs: "large" = for packages kept in the blob store,
       * "always", or "never" (their SHA-256 and size are recorded in every case).
       */
      extractAttachments: z.enum(["large", "always", "never"]).default("large"),
      /**
       * Where the bytes of packages kept inline go: "database" (a row written in the package's
       * commit) or "log" (the node's append log under `<dataDir>/bodies`, flushed by group
       * fdatasync before the commit, its place kept in the package row). Default: "log" on PostgreSQL,
       * where a 100 KB row costs WAL, TOAST and a socket copy; "database" on SQLite, where the
       * row is one write in its own WAL commit and a log flush would be a second fsync.
       */
      bodies: z.enum(["database", "log"]).optional(),
      /**
       * Days after which a package's bytes are dropped, once nothing here still needs them (every
       * local recipient has acknowledged it, every next hop has taken it). Its row, routes,
       * statuses and evidence stay: tracking, statistics and duplicate detection are unchanged,
       * and a download answers AXIS_PACKAGE_PURGED. Body-log segments and blobs that no kept
       * package points at are deleted. Unset (the default): bytes are kept for ever. The axis
       * carries documents; the agencies' own systems archive them (NĐ 30/2020).
       */
      bodyRetentionDays: z.number().int().positive().optional(),
    })
    .default({ inlineMaxBytes: 2 * 1024 * 1024, extractAttachments: "large" }),
  /** Trust decisions for package signatures (via @truc/pki). */
  trust: z
    .strictObject({
      /** Trust anchors (PEM, inline or path); default: `tls.ca`. */
      anchors: z.array(pem).default([]),
      /** Known issuing CAs (PEM), for signatures that carry only the leaf. */
      intermediates: z.array(pem).default([]),
      /** "require": no revocation data → indeterminate; "off": skip revocation (tests, demos). */
      revocation: z.enum(["require", "off"]).default("require"),
      /** Local OCSP responder to use instead of the certificates' AIA URLs. */
      ocspUrl: z.url().optional(),
      /** CRLs known locally (PEM, inline or path). */
      crls: z.array(pem).default([]),
      /** How far ahead of this node's clock a sender's timestamps may be before it is called skew. */
      maxClockSkewMs: z
        .number()
        .int()
        .positive()
        .default(5 * 60_000),
    })
    .default({ anchors: [], intermediates: [], revocation: "require", crls: [], maxClockSkewMs: 300_000 }),
  mailbox: z
    .strictObject({
      leaseSeconds: z.number().int().positive().default(300),
      retentionDays: z.number().int().positive().default(365),
    })
    .default({ leaseSeconds: 300, retentionDays: 365 }),
  federation: z
    .strictObject({
      pollMs: z.number().int().positive().default(500),
      directorySyncMs: z.number().int().positive().default(60_000),
      backoffBaseMs: z.number().int().positive().default(1000),
      backoffMaxMs: z
        .number()
        .int()
        .positive()
        .default(15 * 60_000),
      /** Outbox rows claimed at once (a claim is made again as soon as a lane is free). */
      batchSize: z.number().int().positive().default(16),
      /**
       * Requests in flight to each neighbour node; each carries the packages of a different
       * sender agency, since one sender's packages go one at a time, in order.
       */
      inFlightPerNeighbour: z.number().int().positive().max(64).default(8),
    })
    .default({
      pollMs: 500,
      directorySyncMs: 60_000,
      backoffBaseMs: 1000,
      backoffMaxMs: 900_000,
      batchSize: 16,
      inFlightPerNeighbour: 8,
    }),
  evidence: z
    .strictObject({
      /** Seal (sign) the chain head after this many new records. */
      sealEveryRecords: z.number().int().positive().default(1000),
      sealEveryMs: z.number().int().positive().default(60_000),
      /** How often queued evidence records are linked into the hash chain. */
      chainEveryMs: z.number().int().positive().default(250),
      /**
       * Append-only file that receives a copy of every seal (fsynced), outside the database:
       * it is what proves the log's tail was not cut off. Default
       * `<dataDir>/evidence-anchors.jsonl`; better on other storage (WORM). A relative path is
       * read from the configuration file's directory.
       */
      anchorFile: z.string().min(1).optional(),
    })
    .default({ sealEveryRecords: 1000, sealEveryMs: 60_000, chainEveryMs: 250 }),
  /** SDKVXP header authentication (spec §4.2); per-system settings are stored with the system. */
  sdkvxp: z
    .strictObject({
      /** Freshness window of a request timestamp, both ways (strict mode, and every state-changing call). */
      maxSkewMs: z.number().int().positive().default(DEFAULT_MAX_SKEW_MS),
      /** Oldest reused timestamp accepted for read-only/idempotent calls of a "legacy-sdk" system. */
      legacyMaxAgeMs: z
        .number()
        .int()
        .positive()
        .max(7 * 86_400_000)
        .default(DEFAULT_LEGACY_MAX_AGE_MS),
      /** Zone the SDK clients' timestamps are in unless their system says otherwise. */
      timestampUtcOffset: utcOffset.default(VIETNAM_UTC_OFFSET_MINUTES),
    })
    .default({
      maxSkewMs: DEFAULT_MAX_SKEW_MS,
      legacyMaxAgeMs: DEFAULT_LEGACY_MAX_AGE_MS,
      timestampUtcOffset: VIETNAM_UTC_OFFSET_MINUTES,
    }),
  /** Systems connected at every start (the file wins over console changes to the same system). */
  systems: z.array(systemDeclaration).default([]),
  /** 32-byte key (hex or base64) that encrypts SDKVXP secrets at rest. */
  masterKey: z.string().transform((s, ctx) => {
    const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, "hex") : Buffer.from(s, "base64");
    if (buf.length !== 32) {
      ctx.addIssue({ code: "custom", message: "must be 32 bytes, hex or base64" });
      return z.NEVER;
    }
    return buf.toString("hex");
  }),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type NodeConfig = Readonly<z.infer<typeof schema>>;
export type NodeConfigInput = z.input<typeof schema>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function readPem(value: string, baseDir: string): string {
  if (value.includes("-----BEGIN")) return value;
  return readFileSync(isAbsolute(value) ? value : resolve(baseDir, value), "utf8");
}

/** A CRL given inline (PEM) or as a PEM or DER file; returned as PEM. */
function readCrl(value: string, baseDir: string): string {
  if (value.includes("-----BEGIN")) return value;
  const data = readFileSync(isAbsolute(value) ? value : resolve(baseDir, value));
  const text = data.toString("latin1");
  if (text.includes("-----BEGIN")) return data.toString("utf8");
  const b64 = data.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN X509 CRL-----\n${b64}-----END X509 CRL-----\n`;
}

/** Validates an already-loaded configuration object; throws AXIS_CONFIG_INVALID with every problem. */
export function parseNodeConfig(
  input: unknown,
  { env = process.env, baseDir = process.cwd() }: { env?: NodeJS.ProcessEnv; baseDir?: string } = {},
): NodeConfig {
  const withEnv =
    input && typeof input === "object"
      ? {
          ...(input as Record<string, unknown>),
          ...(env.DATABASE_URL && !(input as Record<string, unknown>).databaseUrl
            ? { databaseUrl: env.DATABASE_URL }
            : {}),
          ...(env.TRUC_MASTER_KEY && !(input as Record<string, unknown>).masterKey
            ? { masterKey: env.TRUC_MASTER_KEY }
            : {}),
        }
      : input;
  const early: string[] = [];
  const declared = (input as { systems?: unknown } | null)?.systems;
  if (Array.isArray(declared))
    declared.forEach((s, i) => {
      if (s && typeof s === "object" && "secret" in s)
        early.push(
          `systems.${i}.secret: never put a secret in the configuration file; name the environment variable that holds it in secretEnv`,
        );
    });
  const result = schema.safeParse(withEnv);
  if (!result.success || early.length > 0) {
    const problems = [
      ...early,
      ...(result.success ? [] : result.error.issues).map(
        (i) => `${i.path.join(".") || "(root)"}: ${i.message}`,
      ),
    ];
    throw new AxisError("AXIS_CONFIG_INVALID", { problems: problems.join("; "), list: problems });
  }
  const config = result.data;
  const problems: string[] = [];
  if (config.role === "national" && config.parent) problems.push("parent: the national node has no parent");
  if (config.role === "lgsp" && !config.parent) problems.push("parent: an LGSP needs its parent node");
  const ids = [
    config.nodeId,
    ...(config.parent ? [config.parent.nodeId] : []),
    ...config.children.map((c) => c.nodeId),
  ];
  if (new Set(ids).size !== ids.length)
    problems.push("children: node ids must be unique (and differ from nodeId and parent)");
  if ((config.parent || config.children.length > 0) && !config.tls)
    problems.push("tls: federation needs the node's TLS identity");
  if (config.tls) {
    try {
      config.tls = {
        ...config.tls,
        cert: readPem(config.tls.cert, baseDir),
        key: readPem(config.tls.key, baseDir),
        ca: config.tls.ca.map((c) => readPem(c, baseDir)),
      };
    } catch (error) {
      problems.push(`tls: ${(error as Error).message}`);
    }
  }
  try {
    config.trust = {
      ...config.trust,
      anchors: config.trust.anchors.map((c) => readPem(c, baseDir)),
      intermediates: config.trust.intermediates.map((c) => readPem(c, baseDir)),
      crls: config.trust.crls.map((c) => readCrl(c, baseDir)),
    };
  } catch (error) {
    problems.push(`trust: ${(error as Error).message}`);
  }
  config.evidence = {
    ...config.evidence,
    anchorFile: config.evidence.anchorFile
      ? resolve(baseDir, config.evidence.anchorFile)
      : join(config.dataDir, "evidence-anchors.jsonl"),
  };
  config.storage = {
    ...config.storage,
    bodies: config.storage.bodies ?? (config.databaseUrl ? "log" : "database"),
  };
  const systemIds = new Set<string>();
  config.systems.forEach((s, i) => {
    if (systemIds.has(s.systemId)) problems.push(`systems.${i}.systemId: ${s.systemId} is declared twice`);
    systemIds.add(s.systemId);
    if (s.secretEnv !== undefined && !env[s.secretEnv])
      problems.push(`systems.${i}.secretEnv: environment variable ${s.secretEnv} is not set`);
  });
  if (config.limits.inMemoryBytes > config.limits.maxPackageBytes)
    problems.push("limits.inMemoryBytes: must not exceed limits.maxPackageBytes");
  if (problems.length > 0)
    throw new AxisError("AXIS_CONFIG_INVALID", { problems: problems.join("; "), list: problems });
  return deepFreeze(config);
}

/** Reads a JSON configuration file (or takes an object) and validates it. */
export function loadNodeConfig(
  source: string | object,
  options: { env?: NodeJS.ProcessEnv } = {},
): NodeConfig {
  if (typeof source === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(source, "utf8"));
    } catch (error) {
      throw new AxisError("AXIS_CONFIG_INVALID", { problems: `${source}: ${(error as Error).message}` });
    }
    return parseNodeConfig(parsed, { ...options, baseDir: dirname(resolve(source)) });
  }
  return parseNodeConfig(source, options);
}
