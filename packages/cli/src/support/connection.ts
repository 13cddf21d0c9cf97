/**
 * SDKVXP connection settings from flags or the environment (TRUC_ENDPOINT, TRUC_SYSTEM_ID,
 * TRUC_SECRET, TRUC_AGENCY). The secret is never printed: `describeConnection` leaves it out.
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { SdkvxpClient, type SdkvxpClientOptions } from "@truc/client";
import type { Command } from "commander";
import { CliError } from "./errors.ts";

export interface ConnectionFlags {
  endpoint?: string;
  systemId?: string;
  secret?: string;
  secretEnv?: string;
  agency?: string;
  ca?: string;
}

export interface Connection {
  endpoint: string;
  systemId: string;
  secret: string;
  agency: string;
  /** Extra trusted CA certificates (PEM) for an HTTPS endpoint, e.g. a test or pilot CA. */
  caPem?: string;
}

/** Adds --endpoint, --system-id, --secret, --secret-env, --agency, --ca. */
export function connectionOptions(command: Command): Command {
  return command
    .option("--endpoint <url>", "SDKVXP endpoint of the axis / LGSP (env TRUC_ENDPOINT)")
    .option("--system-id <id>", "connection identity, mã hệ thống (env TRUC_SYSTEM_ID)")
    .option("--secret <secret>", "shared HMAC secret (env TRUC_SECRET; prefer the environment)")
    .option("--secret-env <VAR>", "environment variable holding the secret", "TRUC_SECRET")
    .option("--agency <code>", "agency code this system sends as, mã định danh (env TRUC_AGENCY)")
    .option("--ca <pem>", "CA certificates to trust for an HTTPS endpoint (env TRUC_CA)");
}

export function resolveConnection(o: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const values = {
    endpoint: o.endpoint ?? env.TRUC_ENDPOINT,
    systemId: o.systemId ?? env.TRUC_SYSTEM_ID,
    secret: o.secret ?? env[o.secretEnv ?? "TRUC_SECRET"],
    agency: o.agency ?? env.TRUC_AGENCY,
  };
  const names = {
    endpoint: ["--endpoint", "TRUC_ENDPOINT"],
    systemId: ["--system-id", "TRUC_SYSTEM_ID"],
    secret: ["--secret", o.secretEnv ?? "TRUC_SECRET"],
    agency: ["--agency", "TRUC_AGENCY"],
  } as const;
  const missing = (Object.keys(values) as (keyof typeof values)[]).filter((k) => !values[k]);
  if (missing.length > 0) {
    throw new CliError("CLI_CREDENTIALS_MISSING", {
      missing: missing.map((k) => names[k][0]).join(", "),
      env: missing.map((k) => names[k][1]).join(", "),
    });
  }
  try {
    new URL(values.endpoint!);
  } catch {
    throw new CliError("CLI_USAGE", { detail: `--endpoint ${values.endpoint} is not a URL` });
  }
  const caFile = o.ca ?? env.TRUC_CA;
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = readFileSync(caFile, "utf8");
    } catch {
      throw new CliError("CLI_USAGE", { detail: `--ca ${caFile} cannot be read` });
    }
  }
  return { ...(values as Connection), ...(caPem ? { caPem } : {}) };
}

export function clientFor(c: Connection, extra: Partial<SdkvxpClientOptions> = {}): SdkvxpClient {
  return new SdkvxpClient({
    endpoint: c.endpoint,
    systemId: c.systemId,
    secret: c.secret,
    agencyCode: c.agency,
    ...(c.caPem ? { agent: new Agent({ ca: c.caPem, keepAlive: true }) } : {}),
    ...extra,
  });
}

/** For logs and reports: everything but the secret. */
export function describeConnection({ endpoint, systemId, agency }: Connection): {
  endpoint: string;
  systemId: string;
  agency: string;
} {
  return { endpoint, systemId, agency };
}
