/**
 * Refused and duplicate submissions (for the admin UI: who sent what, and why it was not
 * taken), and the package bodies kept in the database. Package bytes are never written for a
 * refusal.
 */
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";

export type IntakeRow = Omit<AxisDatabase["axis_intake_log"], "seq" | "count">;

export async function recordIntake(db: Db, row: IntakeRow & { count?: number }): Promise<void> {
  await db.insertInto("axis_intake_log").values(row).execute();
}

/** Inserts one row and returns its sequence number (for later aggregation into it). */
export async function insertIntakeRow(db: Db, row: IntakeRow & { count?: number }): Promise<number> {
  const inserted = await db
    .insertInto("axis_intake_log")
    .values(row)
    .returning("seq")
    .executeTakeFirstOrThrow();
  return Number(inserted.seq);
}

/** Adds `by` identical refusals to the row `seq`. */
export async function addToIntakeCount(db: Db, seq: number, by: number): Promise<void> {
  await db
    .updateTable("axis_intake_log")
    .set((eb) => ({ count: eb("count", "+", by) }))
    .where("seq", "=", seq)
    .execute();
}

export async function listIntake(
  db: Db,
  q: { outcome?: "refused" | "duplicate"; limit: number; beforeSeq?: number },
): Promise<(IntakeRow & { seq: number; count: number })[]> {
  let query = db.selectFrom("axis_intake_log").selectAll();
  if (q.outcome) query = query.where("outcome", "=", q.outcome);
  if (q.beforeSeq !== undefined) query = query.where("seq", "<", q.beforeSeq);
  const rows = await query.orderBy("seq", "desc").limit(q.limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), count: Number(r.count) }));
}

export async function readBody(db: Db, sha256: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom("axis_bodies")
    .select("body")
    .where("sha256", "=", sha256)
    .executeTakeFirst();
  return row?.body;
}
