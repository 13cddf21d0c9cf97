/**
 * Agency identifiers (spec §5). Two forms circulate and both must route:
 *  - QĐ 20/2020: groups grow left to right from the level-1 code, `H29.12`, ≤ 35 characters;
 *  - legacy QCVN 102:2016: `DDD.CC.BB.AXX`, most specific group first, 13 characters.
 * The mapping between them is assigned by the parent bodies and is not derivable in general,
 * so the directory stores both and this module only recognises and normalises.
 */
const QD20 = /^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$/;
const QCVN102 = /^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$/;

export type AgencyCodeForm = "qd20" | "qcvn102";

export function normaliseAgencyCode(code: string): string {
  return code.trim().toUpperCase();
}

export function agencyCodeForm(code: string): AgencyCodeForm | undefined {
  const c = normaliseAgencyCode(code);
  if (QCVN102.test(c)) return "qcvn102";
  if (c.length <= 35 && QD20.test(c)) return "qd20";
  return undefined;
}

export function isAgencyCode(code: string): boolean {
  return agencyCodeForm(code) !== undefined;
}

/** Government level 1–4 implied by the code's shape (a hint; the directory row is authoritative). */
export function levelOfCode(code: string): 1 | 2 | 3 | 4 {
  const c = normaliseAgencyCode(code);
  if (QCVN102.test(c)) {
    const [d, cc, bb] = c.split(".");
    if (d !== "000") return 4;
    if (cc !== "00") return 3;
    if (bb !== "00") return 2;
    return 1;
  }
  return Math.min(4, c.split(".").length) as 1 | 2 | 3 | 4;
}
