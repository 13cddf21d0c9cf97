import type { Lang } from "../i18n/index.tsx";

const locale = (lang: Lang) => (lang === "vi" ? "vi-VN" : "en-GB");

export function formatNumber(n: number | null | undefined, lang: Lang): string {
  return n == null ? "—" : new Intl.NumberFormat(locale(lang)).format(n);
}

export function formatPercent(share: number | null | undefined, lang: Lang): string {
  return share == null
    ? "—"
    : new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** "3 phút", "2,5 giờ", "4 ngày" from milliseconds. */
export function formatDuration(ms: number | null | undefined, lang: Lang): string {
  if (ms == null) return "—";
  const f = (v: number, unit: "second" | "minute" | "hour" | "day") =>
    new Intl.NumberFormat(locale(lang), {
      style: "unit",
      unit,
      unitDisplay: "long",
      maximumFractionDigits: 1,
    }).format(v);
  if (ms < 1000) return `< ${f(1, "second")}`;
  if (ms < 60_000) return f(Math.round(ms / 1000), "second");
  if (ms < 3_600_000) return f(ms / 60_000, "minute");
  if (ms < 86_400_000) return f(ms / 3_600_000, "hour");
  return f(ms / 86_400_000, "day");
}

export function formatDateTime(iso: string | number | null | undefined, lang: Lang): string {
  if (iso == null) return "—";
  return new Intl.DateTimeFormat(locale(lang), {
    dateStyle: "short",
    timeStyle: "medium",
    timeZone: "Asia/Ho_Chi_Minh",
  }).format(new Date(iso));
}

/** "2025-03" → "03/2025" (vi) or "Mar 2025" (en). */
export function formatMonth(month: string, lang: Lang): string {
  const [y, m] = month.split("-");
  if (lang === "vi") return `${m}/${y}`;
  return new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${month}-01T00:00:00Z`),
  );
}
