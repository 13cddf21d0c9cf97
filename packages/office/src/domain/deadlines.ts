/**
 * Deadlines and reminders. Deadlines are Vietnam calendar dates ("YYYY-MM-DD"): a document
 * due on the 10th is overdue from 00:00 on the 11th, Vietnam time.
 */
import { toVietnamParts } from "@truc/common";
import type { Urgency } from "./document-types.ts";
import type { IncomingState } from "./incoming.ts";

const pad = (n: number) => String(n).padStart(2, "0");

export function vietnamDate(at: Date): string {
  const p = toVietnamParts(at);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** "yyyy/MM/dd" as edXML writes dates. */
export function edxmlDate(at: Date): string {
  return vietnamDate(at).replaceAll("-", "/");
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export type DeadlineStatus = "none" | "on_time" | "due_soon" | "overdue";

/** Handling is "due soon" on the deadline day and the day before; urgent documents from 2 days before. */
export function deadlineStatus(
  deadline: string | null,
  now: Date,
  urgency: Urgency = "thuong",
): DeadlineStatus {
  if (!deadline) return "none";
  const today = vietnamDate(now);
  if (today > deadline) return "overdue";
  const window = urgency === "thuong" ? 1 : 2;
  return today >= addDays(deadline, -window) ? "due_soon" : "on_time";
}

const OPEN: readonly IncomingState[] = ["arrived", "registered", "assigned", "processing"];

export type ReminderReason = "urgent_unregistered" | "deadline_due_soon" | "deadline_overdue";

/**
 * Why a document needs attention now, if it does. Urgent documents (Hỏa tốc, Thượng khẩn,
 * Khẩn) must be registered and presented immediately (NĐ 30 Art. 4(2)(c), 24(2)).
 */
export function reminderFor(
  doc: { state: IncomingState; urgency: Urgency; deadline: string | null },
  now: Date,
): ReminderReason | null {
  if (!OPEN.includes(doc.state)) return null;
  const status = deadlineStatus(doc.deadline, now, doc.urgency);
  if (status === "overdue") return "deadline_overdue";
  if (doc.state === "arrived" && doc.urgency !== "thuong") return "urgent_unregistered";
  if (status === "due_soon") return "deadline_due_soon";
  return null;
}
