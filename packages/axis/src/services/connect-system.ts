/**
 * Connects a system (a QLVB&ĐH) to this node: its SDKVXP secret (stored encrypted) and/or its
 * mTLS certificate fingerprint, the agencies it may act for, and its SDKVXP timestamp policy.
 * Also connects, at start, the systems declared in the node configuration, whose secrets come
 * from environment variables (never from the file).
 */
import { AxisError } from "../errors.ts";
import type { SdkCompatibility } from "../http/sdkvxp/auth.ts";
import { upsertSystem } from "../repositories/directory-repository.ts";
import type { NodeContext } from "./ports.ts";
import { encryptSecret } from "./secrets.ts";

export interface ConnectSystemInput {
  systemId: string;
  secret?: string;
  certFingerprint?: string;
  agencyCodes: string[];
  /** SDKVXP timestamp policy (see the axis README); left unchanged when absent (new systems: "strict"). */
  sdkCompatibility?: SdkCompatibility;
  /** Zone of the system's SDK timestamps, minutes east of UTC; null: the node's default. */
  timestampUtcOffsetMinutes?: number | null;
}

export async function connectSystem(
  ctx: Pick<NodeContext, "db" | "config" | "clock">,
  input: ConnectSystemInput,
): Promise<void> {
  await upsertSystem(ctx.db.kysely, {
    system_id: input.systemId,
    secret_enc: input.secret ? encryptSecret(ctx.config.masterKey, input.systemId, input.secret) : null,
    cert_fingerprint: input.certFingerprint ? input.certFingerprint.replace(/:/g, "").toLowerCase() : null,
    agency_codes: JSON.stringify(input.agencyCodes),
    created_at: ctx.clock.now().getTime(),
    ...(input.sdkCompatibility !== undefined ? { sdk_compatibility: input.sdkCompatibility } : {}),
    ...(input.timestampUtcOffsetMinutes !== undefined
      ? { timestamp_utc_offset_minutes: input.timestampUtcOffsetMinutes }
      : {}),
  });
}

/**
 * The systems of `config.systems`, connected (or brought back to what the file says) at every
 * start: the file wins over console changes to the same system id.
 */
export async function connectDeclaredSystems(
  ctx: Pick<NodeContext, "db" | "config" | "clock">,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  for (const s of ctx.config.systems) {
    const secret = s.secretEnv !== undefined ? env[s.secretEnv] : undefined;
    if (s.secretEnv !== undefined && !secret)
      throw new AxisError("AXIS_CONFIG_INVALID", {
        problems: `systems: environment variable ${s.secretEnv} (secret of ${s.systemId}) is not set`,
      });
    await connectSystem(ctx, {
      systemId: s.systemId,
      ...(secret ? { secret } : {}),
      ...(s.certFingerprint ? { certFingerprint: s.certFingerprint } : {}),
      agencyCodes: [...s.agencyCodes],
      sdkCompatibility: s.sdkCompatibility,
      timestampUtcOffsetMinutes: s.timestampUtcOffset ?? null,
    });
  }
  return ctx.config.systems.length;
}
