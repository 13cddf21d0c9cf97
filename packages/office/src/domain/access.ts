/**
 * Roles of an agency's users and the permission table. Roles are held per agency (a user
 * belongs to exactly one tenant); a user may hold several roles.
 */
import { OfficeError } from "../errors.ts";

export const ROLES = ["van_thu", "lanh_dao", "chuyen_vien", "quan_tri"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, { vi: string; en: string }> = {
  van_thu: { vi: "Văn thư", en: "Clerk" },
  lanh_dao: { vi: "Lãnh đạo", en: "Leader" },
  chuyen_vien: { vi: "Chuyên viên", en: "Specialist" },
  quan_tri: { vi: "Quản trị", en: "Administrator" },
};

/** Every action a user can take; the HTTP layer and services authorise against this table. */
export const PERMISSIONS = {
  "outgoing.draft": ["chuyen_vien", "van_thu", "lanh_dao"],
  "outgoing.review": ["lanh_dao", "chuyen_vien"],
  "outgoing.sign": ["lanh_dao"],
  "outgoing.number": ["van_thu"],
  "outgoing.seal": ["van_thu"],
  "outgoing.issue": ["van_thu"],
  "outgoing.revoke": ["van_thu", "lanh_dao"],
  "outgoing.read": ["van_thu", "lanh_dao", "chuyen_vien", "quan_tri"],
  "incoming.read": ["van_thu", "lanh_dao", "chuyen_vien"],
  "incoming.register": ["van_thu"],
  "incoming.reject": ["van_thu"],
  "incoming.assign": ["lanh_dao"],
  "incoming.process": ["chuyen_vien", "lanh_dao", "van_thu"],
  "incoming.answer-sender": ["van_thu"],
  "register.read": ["van_thu", "lanh_dao", "quan_tri"],
  "casefile.read": ["van_thu", "lanh_dao", "chuyen_vien"],
  "casefile.manage": ["van_thu", "lanh_dao", "chuyen_vien"],
  "archive.export": ["van_thu", "lanh_dao"],
  "admin.users": ["quan_tri"],
  "admin.audit": ["quan_tri"],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof PERMISSIONS;

export function can(roles: readonly Role[], action: Action): boolean {
  const allowed: readonly Role[] = PERMISSIONS[action];
  return roles.some((r) => allowed.includes(r));
}

export function authorise(roles: readonly Role[], action: Action): void {
  if (!can(roles, action)) throw new OfficeError("OFFICE_FORBIDDEN", { action });
}

/**
 * Authority prefixes of the signature block (NĐ 30 Phụ lục I): TM. on behalf of a collective,
 * Q. acting head, KT. a deputy signing for the head, TL. by order, TUQ. by authorisation.
 */
export const COMPETENCE_PREFIXES = ["TM.", "Q.", "KT.", "TL.", "TUQ."] as const;
export type CompetencePrefix = (typeof COMPETENCE_PREFIXES)[number];

export interface Delegation {
  kind: CompetencePrefix;
  /** Title of the head the signer signs for, e.g. "GIÁM ĐỐC". */
  forTitle: string;
  validFrom: Date;
  validTo: Date;
}

/**
 * The competence line ("KT. GIÁM ĐỐC") a user may sign with at `at`. A head signs in their
 * own name (empty prefix) or TM. for a collective body; anyone else needs a delegation in force.
 */
export function signingCompetence(input: {
  isHead: boolean;
  collective?: { title: string };
  delegations: readonly Delegation[];
  requested?: CompetencePrefix;
  at: Date;
}): string {
  if (input.isHead && input.requested === undefined) return "";
  if (input.isHead && input.requested === "TM." && input.collective) return `TM. ${input.collective.title}`;
  const inForce = input.delegations.filter(
    (d) =>
      d.validFrom <= input.at && input.at <= d.validTo && (!input.requested || d.kind === input.requested),
  );
  const chosen = inForce[0];
  if (!chosen)
    throw new OfficeError("OFFICE_FORBIDDEN", { action: "outgoing.sign (no delegation in force)" });
  return `${chosen.kind} ${chosen.forTitle}`;
}

export function parseCompetence(line: string): { prefix: CompetencePrefix | null; title: string } {
  const trimmed = line.trim();
  for (const p of COMPETENCE_PREFIXES) {
    if (trimmed.startsWith(`${p} `)) return { prefix: p, title: trimmed.slice(p.length + 1).trim() };
  }
  return { prefix: null, title: trimmed };
}
