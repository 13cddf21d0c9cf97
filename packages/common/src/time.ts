/**
 * Vietnamese official time. Viet Nam has used UTC+07:00 without daylight saving since 1975,
 * so the Asia/Ho_Chi_Minh offset is a constant; no tz database lookup is needed.
 */
const OFFSET_MS = 7 * 60 * 60 * 1000;

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export function toVietnamParts(instant: Date): LocalParts {
  const shifted = new Date(instant.getTime() + OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
  };
}

/** The instant at the given Vietnam wall-clock time. */
export function fromVietnamParts(p: Omit<LocalParts, "millisecond"> & { millisecond?: number }): Date {
  return new Date(
    Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond ?? 0) - OFFSET_MS,
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 with the +07:00 offset, as NĐ 30 asks for visible signing times. */
export function toVietnamIso(instant: Date): string {
  const p = toVietnamParts(instant);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}+07:00`;
}

/** `yyyy` of the Vietnam calendar year an instant falls in (numbering restarts each 1 January). */
export function vietnamYear(instant: Date): number {
  return toVietnamParts(instant).year;
}
