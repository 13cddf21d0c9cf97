/**
 * Password login with optional TOTP, opaque session tokens stored as SHA-256, expiry, and a
 * fresh token on every login (a token planted before login is discarded: no session fixation).
 * The CSRF token is per session and must come back in the X-CSRF-Token header.
 */
import { randomBytes } from "node:crypto";
import { DUMMY_HASH, verifyPassword } from "../auth/passwords.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import { base32Decode, base32Encode, otpauthUri, verifyTotp } from "../auth/totp.ts";
import type { Role } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import { appendAudit } from "../repositories/audit.ts";
import {
  deleteExpiredSessions,
  deleteSession,
  findAgencyById,
  findSession,
  findUser,
  findUserByUsername,
  insertSession,
  rolesOf,
  setTotpSecret,
} from "../repositories/people.ts";
import type { Tx } from "../repositories/rows.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface SessionView {
  user: {
    id: string;
    username: string;
    fullName: string;
    position: string;
    roles: Role[];
    totpEnabled: boolean;
  };
  agency: { id: string; code: string; name: string };
  csrfToken: string;
  expiresAt: string;
}

export interface LoginResult extends SessionView {
  /** The session cookie value; only its hash is stored. */
  token: string;
}

async function describe(
  tx: Tx,
  agencyId: string,
  userId: string,
  csrfToken: string,
  expiresAt: string,
): Promise<SessionView> {
  const user = await findUser(tx, agencyId, userId);
  const agency = await findAgencyById(tx, agencyId);
  if (!user || !agency) throw new OfficeError("OFFICE_SESSION_REQUIRED");
  return {
    user: {
      id: user.id,
      username: user.username,
      fullName: user.full_name,
      position: user.position,
      roles: await rolesOf(tx, agencyId, userId),
      totpEnabled: user.totp_secret !== null,
    },
    agency: { id: agency.id, code: agency.code, name: agency.name },
    csrfToken,
    expiresAt,
  };
}

export async function login(
  deps: OfficeDeps,
  input: { username: string; password: string; totpCode?: string; previousToken?: string },
): Promise<LoginResult> {
  const now = deps.clock.now();
  const user = await findUserByUsername(deps.db.kysely as unknown as Tx, input.username);
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? DUMMY_HASH);
  const audit = async (action: string) =>
    user &&
    deps.db.transaction(async (trx) =>
      appendAudit(trx as unknown as Tx, {
        agencyId: user.agency_id,
        userId: user.id,
        action,
        entity: "session",
        entityId: null,
        at: now,
      }),
    );
  if (!user || !passwordOk || user.active !== 1) {
    await audit("session.login-failed");
    throw new OfficeError("OFFICE_LOGIN_FAILED");
  }
  if (user.totp_secret) {
    if (!input.totpCode) throw new OfficeError("OFFICE_TOTP_REQUIRED");
    if (!verifyTotp(base32Decode(user.totp_secret), input.totpCode, now)) {
      await audit("session.totp-failed");
      throw new OfficeError("OFFICE_TOTP_INVALID");
    }
  }
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  const agency = await findAgencyById(deps.db.kysely as unknown as Tx, user.agency_id);
  return runCommand(
    deps,
    {
      actor: { userId: user.id, agencyId: user.agency_id, agencyCode: agency?.code ?? "" },
      action: "session.login",
      entity: "session",
    },
    async (tx) => {
      if (input.previousToken) await deleteSession(tx, hashToken(input.previousToken));
      await deleteExpiredSessions(tx, now.toISOString());
      await insertSession(tx, {
        token_hash: hashToken(token),
        user_id: user.id,
        agency_id: user.agency_id,
        csrf_token: csrfToken,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      });
      const view = await describe(tx, user.agency_id, user.id, csrfToken, expiresAt);
      return { result: { ...view, token }, note: { entityId: user.id } };
    },
  );
}

export interface ResolvedSession {
  actor: Actor;
  csrfToken: string;
  expiresAt: string;
}

export async function resolveSession(
  deps: OfficeDeps,
  token: string | undefined,
): Promise<ResolvedSession | null> {
  if (!token || token.length > 200) return null;
  const tx = deps.db.kysely as unknown as Tx;
  const row = await findSession(tx, hashToken(token));
  if (!row) return null;
  if (row.expires_at <= deps.clock.now().toISOString()) {
    await deleteSession(tx, row.token_hash);
    return null;
  }
  const user = await findUser(tx, row.agency_id, row.user_id);
  const agency = await findAgencyById(tx, row.agency_id);
  if (user?.active !== 1 || !agency) return null;
  return {
    actor: {
      userId: user.id,
      agencyId: row.agency_id,
      agencyCode: agency.code,
      roles: await rolesOf(tx, row.agency_id, user.id),
    },
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

export async function describeSession(deps: OfficeDeps, session: ResolvedSession): Promise<SessionView> {
  return describe(
    deps.db.kysely as unknown as Tx,
    session.actor.agencyId,
    session.actor.userId,
    session.csrfToken,
    session.expiresAt,
  );
}

export async function logout(deps: OfficeDeps, actor: Actor, token: string): Promise<void> {
  await runCommand(deps, { actor, action: "session.logout", entity: "session" }, async (tx) => {
    await deleteSession(tx, hashToken(token));
    return { result: undefined, note: { entityId: actor.userId } };
  });
}

/** A fresh secret for the authenticator app; nothing is stored until `enableTotp` confirms a code. */
export function newTotpSecret(input: { issuer: string; account: string }): { secret: string; uri: string } {
  const bytes = randomBytes(20);
  return { secret: base32Encode(bytes), uri: otpauthUri({ ...input, secret: bytes }) };
}

export async function enableTotp(
  deps: OfficeDeps,
  actor: Actor,
  input: { secret: string; code: string },
): Promise<void> {
  let secret: Uint8Array;
  try {
    secret = base32Decode(input.secret);
  } catch {
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "secret" });
  }
  if (secret.length < 10) throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "secret" });
  if (!verifyTotp(secret, input.code, deps.clock.now())) throw new OfficeError("OFFICE_TOTP_INVALID");
  await runCommand(deps, { actor, action: "user.totp-enabled", entity: "user" }, async (tx) => {
    await setTotpSecret(tx, actor.agencyId, actor.userId, base32Encode(secret));
    return { result: undefined, note: { entityId: actor.userId } };
  });
}
