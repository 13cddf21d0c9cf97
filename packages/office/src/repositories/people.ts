/** Agencies, units, users, roles, delegations and sessions. */
import type { Role } from "../domain/access.ts";
import type { AgencyRow, DelegationRow, SessionRow, Tx, UnitRow, UserRow } from "./rows.ts";

export type { DelegationRow };

export async function insertAgency(tx: Tx, row: AgencyRow): Promise<void> {
  await tx.insertInto("office_agencies").values(row).execute();
}

export async function findAgencyById(tx: Tx, id: string): Promise<AgencyRow | undefined> {
  return tx.selectFrom("office_agencies").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findAgencyByCode(tx: Tx, code: string): Promise<AgencyRow | undefined> {
  return tx.selectFrom("office_agencies").selectAll().where("code", "=", code).executeTakeFirst();
}

export async function listAgencies(tx: Tx): Promise<AgencyRow[]> {
  return tx.selectFrom("office_agencies").selectAll().orderBy("code").execute();
}

export async function insertUnit(tx: Tx, row: UnitRow): Promise<void> {
  await tx.insertInto("office_units").values(row).execute();
}

export async function listUnits(tx: Tx, agencyId: string): Promise<UnitRow[]> {
  return tx
    .selectFrom("office_units")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .orderBy("name")
    .execute();
}

export async function findUnit(tx: Tx, agencyId: string, id: string): Promise<UnitRow | undefined> {
  return tx
    .selectFrom("office_units")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function insertUser(tx: Tx, row: UserRow, roles: readonly Role[]): Promise<void> {
  await tx.insertInto("office_users").values(row).execute();
  for (const role of roles)
    await tx
      .insertInto("office_user_roles")
      .values({ user_id: row.id, agency_id: row.agency_id, role })
      .execute();
}

/** Login looks users up by their (globally unique) user name; everything else is tenant-scoped. */
export async function findUserByUsername(tx: Tx, username: string): Promise<UserRow | undefined> {
  return tx.selectFrom("office_users").selectAll().where("username", "=", username).executeTakeFirst();
}

export async function findUser(tx: Tx, agencyId: string, id: string): Promise<UserRow | undefined> {
  return tx
    .selectFrom("office_users")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function listUsers(tx: Tx, agencyId: string): Promise<(UserRow & { roles: Role[] })[]> {
  const users: UserRow[] = await tx
    .selectFrom("office_users")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .orderBy("username")
    .execute();
  const roles = (await tx
    .selectFrom("office_user_roles")
    .select(["user_id", "role"])
    .where("agency_id", "=", agencyId)
    .execute()) as { user_id: string; role: Role }[];
  return users.map((u) => ({ ...u, roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role) }));
}

export async function rolesOf(tx: Tx, agencyId: string, userId: string): Promise<Role[]> {
  const rows = (await tx
    .selectFrom("office_user_roles")
    .select("role")
    .where("agency_id", "=", agencyId)
    .where("user_id", "=", userId)
    .orderBy("role")
    .execute()) as { role: Role }[];
  return rows.map((r) => r.role);
}

export async function setTotpSecret(
  tx: Tx,
  agencyId: string,
  userId: string,
  secret: string | null,
): Promise<void> {
  await tx
    .updateTable("office_users")
    .set({ totp_secret: secret })
    .where("agency_id", "=", agencyId)
    .where("id", "=", userId)
    .execute();
}

export async function insertDelegation(tx: Tx, row: DelegationRow): Promise<void> {
  await tx.insertInto("office_delegations").values(row).execute();
}

export async function delegationsOf(tx: Tx, agencyId: string, userId: string): Promise<DelegationRow[]> {
  return tx
    .selectFrom("office_delegations")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("user_id", "=", userId)
    .execute();
}

export async function insertSession(tx: Tx, row: SessionRow): Promise<void> {
  await tx.insertInto("office_sessions").values(row).execute();
}

export async function findSession(tx: Tx, tokenHash: string): Promise<SessionRow | undefined> {
  return tx.selectFrom("office_sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function deleteSession(tx: Tx, tokenHash: string): Promise<void> {
  await tx.deleteFrom("office_sessions").where("token_hash", "=", tokenHash).execute();
}

export async function deleteExpiredSessions(tx: Tx, nowIso: string): Promise<void> {
  await tx.deleteFrom("office_sessions").where("expires_at", "<=", nowIso).execute();
}
