/**
 * The statistics dashboard, computed from the traffic and status-compliance rollups in a few
 * indexed queries, then grouped in memory by the directory (which is small next to the
 * traffic): per month, per level, per province or ministry (the top of an agency's parent
 * chain) and per agency, with the share of validly signed documents, which statuses each
 * recipient returns and how fast, and mailbox backlog. The scope narrows it from the whole
 * node to one province and to one agency (drill-down). Shared by the operator console and
 * the public page; the public one drops what is not an aggregate of published counters.
 * Medians come from the compliance rollups' histograms: `medianResolution` says how close.
 */
import {
  type ElapsedHistogram,
  MEDIAN_RESOLUTION,
  medianOf,
  mergeHistograms,
} from "../../domain/elapsed-histogram.ts";
import { STATUS_CODES } from "../../domain/status.ts";
import {
  type AdminDb,
  directorySkeleton,
  overdueMailbox,
  trafficByMonthAndAgency,
} from "../../repositories/admin-repository.ts";
import { mailboxBacklog, statusCompliance } from "../../repositories/stats-repository.ts";
import type { NodeContext } from "../../services/ports.ts";

export interface StatsQuery {
  fromDay: string;
  toDay: string;
  province?: string;
  agency?: string;
}

/** A pending mailbox row is overdue when nobody has taken it in for a day. */
export const OVERDUE_MS = 24 * 3600_000;

export function vietnamDay(at: Date): string {
  return new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** Default period: the twelve months up to today (Vietnam time). */
export function defaultPeriod(now: Date): { fromDay: string; toDay: string } {
  const to = vietnamDay(now);
  const from = new Date(`${to}T00:00:00Z`);
  from.setUTCMonth(from.getUTCMonth() - 11, 1);
  return { fromDay: from.toISOString().slice(0, 10), toDay: to };
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export async function buildDashboard(ctx: NodeContext, q: StatsQuery, { detailed }: { detailed: boolean }) {
  const db = ctx.db.kysely as unknown as AdminDb;
  const now = ctx.clock.now().getTime();
  const [directory, months, compliance, backlog, overdue] = await Promise.all([
    directorySkeleton(db),
    trafficByMonthAndAgency(db, { fromDay: q.fromDay, toDay: q.toDay, kind: "edoc" }),
    statusCompliance(ctx.db.kysely, { fromDay: q.fromDay, toDay: q.toDay }),
    mailboxBacklog(ctx.db.kysely),
    overdueMailbox(db, now - OVERDUE_MS),
  ]);

  const byCode = new Map(directory.map((a) => [a.code, a]));
  const canonical = new Map<string, string>();
  for (const a of directory) if (a.code102) canonical.set(a.code102, a.code);
  const canon = (code: string) => canonical.get(code) ?? code;
  const provinceOf = (code: string): string => {
    let current = code;
    for (let i = 0; i < 8; i++) {
      const parent = byCode.get(current)?.parent_code;
      if (!parent || !byCode.has(canon(parent))) return current;
      current = canon(parent);
    }
    return current;
  };
  const nameOf = (code: string) => byCode.get(code)?.name ?? code;
  const inScope = (code: string) =>
    q.agency ? code === q.agency : q.province ? provinceOf(code) === q.province : true;

  interface Counter {
    sent: number;
    received: number;
    sentSignedValid: number;
  }
  const add = (map: Map<string, Counter>, key: string, r: Counter) => {
    const c = map.get(key) ?? { sent: 0, received: 0, sentSignedValid: 0 };
    c.sent += r.sent;
    c.received += r.received;
    c.sentSignedValid += r.sentSignedValid;
    map.set(key, c);
  };
  const perMonth = new Map<string, Counter>();
  const perLevel = new Map<string, Counter>();
  const perProvince = new Map<string, Counter>();
  const perAgency = new Map<string, Counter>();
  const total: Counter = { sent: 0, received: 0, sentSignedValid: 0 };
  for (const row of months) {
    const code = canon(row.agency);
    const province = provinceOf(code);
    // Provinces are always listed for the whole node, so the country view can be compared.
    add(perProvince, province, row);
    if (!inScope(code)) continue;
    add(perMonth, row.month, row);
    add(perLevel, String(byCode.get(code)?.level ?? 0), row);
    add(perAgency, code, row);
    total.sent += row.sent;
    total.received += row.received;
    total.sentSignedValid += row.sentSignedValid;
  }

  const statuses = new Map<
    string,
    { returned: Record<string, number>; histograms: Record<string, ElapsedHistogram> }
  >();
  for (const r of compliance) {
    const code = canon(r.recipient);
    if (!inScope(code)) continue;
    const e = statuses.get(code) ?? { returned: {}, histograms: {} };
    e.returned[r.statusCode] = (e.returned[r.statusCode] ?? 0) + r.count;
    // An agency known under both code forms: its medians are over both sets of statuses.
    const seen = e.histograms[r.statusCode];
    e.histograms[r.statusCode] = seen ? mergeHistograms(seen, r.histogram) : r.histogram;
    statuses.set(code, e);
  }
  const pending = new Map<string, { pending: number; oldest: number }>();
  for (const b of backlog) {
    if (b.kind !== "edoc") continue;
    const code = canon(b.recipient);
    if (!inScope(code)) continue;
    const p = pending.get(code) ?? { pending: 0, oldest: b.oldest };
    p.pending += b.pending;
    p.oldest = Math.min(p.oldest, b.oldest);
    pending.set(code, p);
  }
  const overdueBy = new Map<string, number>();
  for (const o of overdue) {
    const code = canon(o.recipient);
    if (inScope(code)) overdueBy.set(code, (overdueBy.get(code) ?? 0) + o.overdue);
  }

  const agencyCodes = new Set([...perAgency.keys(), ...statuses.keys(), ...pending.keys()]);
  if (q.agency) agencyCodes.add(q.agency);
  const first6 = STATUS_CODES.slice(0, 6);
  const agencies = [...agencyCodes].sort().map((code) => {
    const c = perAgency.get(code) ?? { sent: 0, received: 0, sentSignedValid: 0 };
    const s = statuses.get(code) ?? { returned: {}, histograms: {} };
    return {
      code,
      name: nameOf(code),
      level: byCode.get(code)?.level ?? null,
      province: provinceOf(code),
      sent: c.sent,
      received: c.received,
      signedShare: share(c.sentSignedValid, c.sent),
      statuses: s.returned,
      medianMs: Object.fromEntries(
        ["01", "03", "06"].map((k) => [k, s.histograms[k] ? medianOf(s.histograms[k]) : null]),
      ),
      // 02 (refused) is only returned when a document is refused, so it is not expected.
      returnsAll: first6.every((k) => k === "02" || (s.returned[k] ?? 0) > 0),
      ...(detailed ? { pending: pending.get(code)?.pending ?? 0, overdue: overdueBy.get(code) ?? 0 } : {}),
    };
  });

  let pendingTotal = 0;
  let oldest: number | null = null;
  for (const p of pending.values()) {
    pendingTotal += p.pending;
    oldest = oldest === null ? p.oldest : Math.min(oldest, p.oldest);
  }
  const scopeCode = q.agency ?? q.province;
  return {
    node: { nodeId: ctx.config.nodeId, role: ctx.config.role, organId: ctx.config.organId },
    period: { from: q.fromDay, to: q.toDay },
    medianResolution: MEDIAN_RESOLUTION,
    generatedAt: new Date(now).toISOString(),
    scope: {
      level: q.agency ? "agency" : q.province ? "province" : "node",
      ...(scopeCode ? { code: scopeCode, name: nameOf(scopeCode) } : {}),
      ...(q.agency ? { province: provinceOf(q.agency), provinceName: nameOf(provinceOf(q.agency)) } : {}),
    },
    totals: {
      sent: total.sent,
      received: total.received,
      signedValid: total.sentSignedValid,
      signedShare: share(total.sentSignedValid, total.sent),
      agencies: agencies.length,
      pending: pendingTotal,
      overdue: [...overdueBy.values()].reduce((a, b) => a + b, 0),
      ...(detailed ? { oldestPendingAt: oldest } : {}),
    },
    byMonth: [...perMonth]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, c]) => ({
        month,
        sent: c.sent,
        received: c.received,
        signedShare: share(c.sentSignedValid, c.sent),
      })),
    byLevel: [...perLevel]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([level, c]) => ({
        level: Number(level),
        sent: c.sent,
        received: c.received,
      })),
    byProvince: [...perProvince]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([code, c]) => ({
        code,
        name: nameOf(code),
        sent: c.sent,
        received: c.received,
        signedShare: share(c.sentSignedValid, c.sent),
      })),
    agencies,
  };
}

export type Dashboard = Awaited<ReturnType<typeof buildDashboard>>;

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One row per agency, UTF-8 with BOM so spreadsheet programs read the diacritics. */
export function dashboardCsv(d: Dashboard): string {
  const header = [
    "ma_co_quan",
    "ten_co_quan",
    "cap",
    "tinh_bo_nganh",
    "so_vb_gui",
    "so_vb_nhan",
    "ty_le_ky_so_vb_gui",
    ...STATUS_CODES.slice(0, 6).map((c) => `trang_thai_${c}`),
    "trung_vi_phut_den_01",
    "trung_vi_phut_den_03",
    "trung_vi_phut_den_06",
  ];
  const minutes = (ms: number | null | undefined) => (ms == null ? "" : (ms / 60_000).toFixed(1));
  const rows = d.agencies.map((a) => [
    a.code,
    a.name,
    a.level ?? "",
    a.province,
    a.sent,
    a.received,
    a.signedShare == null ? "" : a.signedShare.toFixed(4),
    ...STATUS_CODES.slice(0, 6).map((c) => a.statuses[c] ?? 0),
    minutes(a.medianMs["01"]),
    minutes(a.medianMs["03"]),
    minutes(a.medianMs["06"]),
  ]);
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
