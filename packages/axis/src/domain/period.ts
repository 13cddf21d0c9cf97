/**
 * Calendar arithmetic on Vietnam days `YYYY-MM-DD` for the rollups: a period splits into the
 * whole calendar months it covers (read from monthly rows) and the days before and after
 * them (read from daily rows), so a year is twelve rows per key instead of 365.
 */

export interface SplitPeriod {
  /** First and last whole month `YYYY-MM`, or null when the period holds no whole month. */
  months: [string, string] | null;
  /** Day ranges [from, to] outside those months (none, one or two). */
  days: [string, string][];
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(day: string): Date | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day ? date : null;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
/** First day of the month `offset` months after the month of `d`. */
const monthStart = (d: Date, offset: number) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));

export function splitPeriod(fromDay: string, toDay: string): SplitPeriod {
  const from = parseDay(fromDay);
  const to = parseDay(toDay);
  // Anything that is not two real days in order is read day by day (and matches nothing).
  if (!from || !to || fromDay > toDay) return { months: null, days: [[fromDay, toDay]] };
  const first = from.getUTCDate() === 1 ? from : monthStart(from, 1);
  const afterTo = addDays(to, 1);
  const end = afterTo.getUTCDate() === 1 ? afterTo : monthStart(to, 0); // first day after the last whole month
  if (first >= end) return { months: null, days: [[fromDay, toDay]] };
  const days: [string, string][] = [];
  if (from < first) days.push([fromDay, iso(addDays(first, -1))]);
  if (end < afterTo) days.push([iso(end), toDay]);
  return { months: [iso(first).slice(0, 7), iso(addDays(end, -1)).slice(0, 7)], days };
}
