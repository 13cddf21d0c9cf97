/**
 * Agency identifiers (mã định danh), spec §5: the legacy QCVN 102:2016 form `DDD.CC.BB.AXX`
 * (most specific group first) and the QĐ 20/2020 form `AXX.BB.CC…` (level 1 first, ≤ 35 chars).
 */

export type AgencyIdForm = "qcvn102" | "qd20";

export interface ParsedAgencyId {
  form: AgencyIdForm;
  /** Level of the identified body: 1 = ministry/province level, deeper numbers below. */
  level: number;
  /** Level-1 code, e.g. `G09`, `H29`. */
  level1: string;
  /** Groups from level 1 downwards (legacy: zero groups included as they are). */
  groups: string[];
}

// Level-1 group of the legacy form: a letter and two digits; the real axis also uses codes such as
// `TT2` (trace of a transit node, spec §2.3), so letters are accepted in the last two places.
const LEGACY = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z][A-Z0-9]{2})$/;
const QD20 = /^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$/;

export function parseAgencyId(id: string): ParsedAgencyId | null {
  const legacy = LEGACY.exec(id);
  if (legacy) {
    const [, l4, l3, l2, l1] = legacy as unknown as [string, string, string, string, string];
    const level = l4 !== "000" ? 4 : l3 !== "00" ? 3 : l2 !== "00" ? 2 : 1;
    return { form: "qcvn102", level, level1: l1, groups: [l1, l2, l3, l4] };
  }
  if (id.length <= 35 && QD20.test(id)) {
    const groups = id.split(".");
    return { form: "qd20", level: groups.length, level1: groups[0]!, groups };
  }
  return null;
}

export function isAgencyId(id: string): boolean {
  return parseAgencyId(id) !== null;
}

/**
 * Legacy → QĐ 20 where spec §5.4 defines it: `000.00.12.H29` → `H29.12`, `000.05.30.H29` →
 * `H29.30.05`. Returns null when the legacy id skips a level (e.g. `001.00.20.TT2`), when the
 * level-1 code is not a QĐ 20 one, or when the input is not legacy.
 */
export function toQd20(id: string): string | null {
  const p = parseAgencyId(id);
  if (p?.form !== "qcvn102" || !/^[A-Y][0-9]{2}$/.test(p.level1)) return null;
  const [l1, l2, l3, l4] = p.groups as [string, string, string, string];
  const out = [l1];
  const lower = [
    [l2, "00"],
    [l3, "00"],
    [l4, "000"],
  ] as const;
  let ended = false;
  for (const [group, zero] of lower) {
    if (group === zero) ended = true;
    else if (ended) return null;
    else out.push(group);
  }
  return out.join(".");
}

/**
 * QĐ 20 → legacy where it fits the legacy layout (levels 2–3 two digits, level 4 three digits).
 * `H29.12` → `000.00.12.H29`. Returns null otherwise.
 */
export function toQcvn102(id: string): string | null {
  const p = parseAgencyId(id);
  if (p?.form !== "qd20" || p.groups.length > 4) return null;
  const [l1, l2 = "00", l3 = "00", l4 = "000"] = p.groups;
  if (!/^\d{2}$/.test(l2) || !/^\d{2}$/.test(l3) || !/^\d{3}$/.test(l4)) return null;
  if (l2 === "00" || (p.groups.length > 2 && l3 === "00") || (p.groups.length > 3 && l4 === "000"))
    return null;
  return `${l4}.${l3}.${l2}.${l1}`;
}

/** True when two identifiers name the same body (same form, or convertible to each other). */
export function sameAgency(a: string, b: string): boolean {
  if (a === b) return true;
  const qa = parseAgencyId(a)?.form === "qd20" ? a : toQd20(a);
  const qb = parseAgencyId(b)?.form === "qd20" ? b : toQd20(b);
  return qa !== null && qa === qb;
}
