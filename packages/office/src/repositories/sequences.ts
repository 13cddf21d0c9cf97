/**
 * Per-agency, per-year counters (document numbers, số đến). The increment is one UPDATE …
 * RETURNING inside the caller's transaction, so two clerks numbering at once get distinct
 * numbers on PostgreSQL (row lock) and on SQLite (single writer).
 */
import type { Tx } from "./rows.ts";

export async function nextInSequence(tx: Tx, agencyId: string, year: number, key: string): Promise<number> {
  await tx
    .insertInto("office_sequences")
    .values({ agency_id: agencyId, year, sequence_key: key, last_value: 0 })
    .onConflict((oc) => oc.columns(["agency_id", "year", "sequence_key"]).doNothing())
    .execute();
  const row = await tx
    .updateTable("office_sequences")
    .set((eb) => ({ last_value: eb("last_value", "+", 1) }))
    .where("agency_id", "=", agencyId)
    .where("year", "=", year)
    .where("sequence_key", "=", key)
    .returning("last_value")
    .executeTakeFirstOrThrow();
  return Number(row.last_value);
}
