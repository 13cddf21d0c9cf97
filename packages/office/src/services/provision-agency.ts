/**
 * Adds a tenant (an agency identified by its axis code) with its first administrator. This is
 * a deployment operation (CLI, configuration), not reachable from a tenant's API.
 */
import { randomUUID } from "node:crypto";
import { nfc } from "@truc/common";
import { hashPassword } from "../auth/passwords.ts";
import { OfficeError } from "../errors.ts";
import { findAgencyByCode, insertAgency, insertUser } from "../repositories/people.ts";
import { type OfficeDeps, runCommand } from "./context.ts";

export interface ProvisionAgencyInput {
  code: string;
  name: string;
  abbreviation: string;
  place: string;
  parentName?: string;
  admin: { username: string; fullName: string; password: string };
}

export async function provisionAgency(
  deps: OfficeDeps,
  input: ProvisionAgencyInput,
): Promise<{ agencyId: string; adminId: string }> {
  if (!/^[A-Za-z0-9.]{1,13}$/.test(input.code))
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "agency code (OrganId, ≤ 13 characters)" });
  const agencyId = randomUUID();
  const adminId = randomUUID();
  const passwordHash = await hashPassword(input.admin.password);
  return runCommand(
    deps,
    {
      actor: { userId: null, agencyId, agencyCode: input.code },
      action: "agency.provision",
      entity: "agency",
    },
    async (tx, at) => {
      if (await findAgencyByCode(tx, input.code))
        throw new OfficeError("OFFICE_DUPLICATE", { what: input.code });
      await insertAgency(tx, {
        id: agencyId,
        code: input.code,
        name: nfc(input.name),
        abbreviation: nfc(input.abbreviation),
        place: nfc(input.place),
        parent_name: input.parentName ? nfc(input.parentName) : null,
        created_at: at.toISOString(),
      });
      await insertUser(
        tx,
        {
          id: adminId,
          agency_id: agencyId,
          username: input.admin.username,
          full_name: nfc(input.admin.fullName),
          position: "Quản trị hệ thống",
          unit_id: null,
          is_head: 0,
          password_hash: passwordHash,
          totp_secret: null,
          active: 1,
          created_at: at.toISOString(),
        },
        ["quan_tri"],
      );
      return { result: { agencyId, adminId }, note: { entityId: agencyId, details: { code: input.code } } };
    },
  );
}
