/**
 * Agency identifiers as the axis uses them: recognition and levels come from @truc/edxml
 * (`parseAgencyId`, spec §5); the axis only adds its normal form (trimmed, upper case) for
 * directory keys. The mapping between the QĐ 20 and QCVN 102 forms is assigned by the parent
 * bodies, so the directory stores both.
 */
import { parseAgencyId } from "@truc/edxml";

export function normaliseAgencyCode(code: string): string {
  return code.trim().toUpperCase();
}

export function agencyCodeForm(code: string): "qd20" | "qcvn102" | undefined {
  return parseAgencyId(normaliseAgencyCode(code))?.form;
}

export function isAgencyCode(code: string): boolean {
  return agencyCodeForm(code) !== undefined;
}

/** Government level 1–4 implied by the code's shape (a hint; the directory row is authoritative). */
export function levelOfCode(code: string): 1 | 2 | 3 | 4 {
  const level = parseAgencyId(normaliseAgencyCode(code))?.level ?? 4;
  return Math.min(4, Math.max(1, level)) as 1 | 2 | 3 | 4;
}
