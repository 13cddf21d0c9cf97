/**
 * Administration inside one agency: units (phòng ban), users with roles, and signing
 * delegations (KT./TL./TUQ.). Only the agency's administrator may call these.
 */
import { randomUUID } from "node:crypto";
import { nfc } from "@truc/common";
import { hashPassword } from "../auth/passwords.ts";
import { COMPETENCE_PREFIXES, type CompetencePrefix, type Role } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import {
  findUnit,
  findUser,
  findUserByUsername,
  insertDelegation,
  insertUnit,
  insertUser,
} from "../repositories/people.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

export async function createUnit(
  deps: OfficeDeps,
  actor: Actor,
  input: { name: string; abbreviation: string },
): Promise<{ id: string }> {
  const id = randomUUID();
  return runCommand(
    deps,
    { actor, action: "unit.create", entity: "unit", permission: "admin.users" },
    async (tx) => {
      await insertUnit(tx, {
        id,
        agency_id: actor.agencyId,
        name: nfc(input.name),
        abbreviation: nfc(input.abbreviation),
      });
      return { result: { id }, note: { entityId: id, details: { name: input.name } } };
    },
  );
}

export interface CreateUserInput {
  username: string;
  fullName: string;
  position: string;
  password: string;
  roles: Role[];
  unitId?: string;
  isHead?: boolean;
}

export async function createUser(
  deps: OfficeDeps,
  actor: Actor,
  input: CreateUserInput,
): Promise<{ id: string }> {
  if (input.password.length < 10)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "password shorter than 10" });
  const id = randomUUID();
  const passwordHash = await hashPassword(input.password);
  return runCommand(
    deps,
    { actor, action: "user.create", entity: "user", permission: "admin.users" },
    async (tx, at) => {
      if (await findUserByUsername(tx, input.username))
        throw new OfficeError("OFFICE_DUPLICATE", { what: input.username });
      if (input.unitId && !(await findUnit(tx, actor.agencyId, input.unitId)))
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "unit" });
      await insertUser(
        tx,
        {
          id,
          agency_id: actor.agencyId,
          username: input.username,
          full_name: nfc(input.fullName),
          position: nfc(input.position),
          unit_id: input.unitId ?? null,
          is_head: input.isHead ? 1 : 0,
          password_hash: passwordHash,
          totp_secret: null,
          active: 1,
          created_at: at.toISOString(),
        },
        [...new Set(input.roles)],
      );
      return {
        result: { id },
        note: { entityId: id, details: { username: input.username, roles: input.roles } },
      };
    },
  );
}

export async function addDelegation(
  deps: OfficeDeps,
  actor: Actor,
  input: { userId: string; kind: CompetencePrefix; forTitle: string; validFrom: Date; validTo: Date },
): Promise<{ id: string }> {
  if (!COMPETENCE_PREFIXES.includes(input.kind))
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "kind" });
  const id = randomUUID();
  return runCommand(
    deps,
    { actor, action: "delegation.create", entity: "user", permission: "admin.users" },
    async (tx) => {
      if (!(await findUser(tx, actor.agencyId, input.userId)))
        throw new OfficeError("OFFICE_NOT_FOUND", { entity: "user" });
      await insertDelegation(tx, {
        id,
        agency_id: actor.agencyId,
        user_id: input.userId,
        kind: input.kind,
        for_title: nfc(input.forTitle).toUpperCase(),
        valid_from: input.validFrom.toISOString(),
        valid_to: input.validTo.toISOString(),
      });
      return {
        result: { id },
        note: { entityId: input.userId, details: { kind: input.kind, forTitle: input.forTitle } },
      };
    },
  );
}
