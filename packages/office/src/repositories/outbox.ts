/**
 * Outbox of packages to send through the axis (documents and status packages). A row is
 * written in the same transaction as the state change that causes it, under a unique dedupe
 * key, so each status is queued exactly once; a sender loop sends rows and marks them sent.
 */
import type { OutboxRow, Tx } from "./rows.ts";

/** False when a row with that dedupe key already exists (nothing queued twice). */
export async function enqueue(tx: Tx, row: Omit<OutboxRow, "seq">): Promise<boolean> {
  const r = await tx
    .insertInto("office_outbox")
    .values(row)
    .onConflict((oc) => oc.columns(["agency_id", "dedupe_key"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function hasQueued(tx: Tx, agencyId: string, dedupeKey: string): Promise<boolean> {
  const row = await tx
    .selectFrom("office_outbox")
    .select("id")
    .where("agency_id", "=", agencyId)
    .where("dedupe_key", "=", dedupeKey)
    .executeTakeFirst();
  return row !== undefined;
}

export async function pendingOutbox(
  tx: Tx,
  limit = 100,
): Promise<(Omit<OutboxRow, "seq"> & { seq: number })[]> {
  return tx
    .selectFrom("office_outbox")
    .selectAll()
    .where("sent_at", "is", null)
    .orderBy("seq")
    .limit(limit)
    .execute();
}

export async function markSent(tx: Tx, id: string, axisId: string, at: string): Promise<void> {
  await tx
    .updateTable("office_outbox")
    .set((eb) => ({ sent_at: at, axis_id: axisId, attempts: eb("attempts", "+", 1), last_error: null }))
    .where("id", "=", id)
    .where("sent_at", "is", null)
    .execute();
}

export async function markFailed(tx: Tx, id: string, error: string): Promise<void> {
  await tx
    .updateTable("office_outbox")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error.slice(0, 500) }))
    .where("id", "=", id)
    .execute();
}

export async function listOutbox(
  tx: Tx,
  agencyId: string,
): Promise<(Omit<OutboxRow, "seq"> & { seq: number })[]> {
  return tx
    .selectFrom("office_outbox")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .orderBy("seq")
    .execute();
}

export async function markSeen(
  tx: Tx,
  row: {
    agency_id: string;
    kind: string;
    axis_message_id: string;
    package_ref: string;
    outcome: string;
    detail: string | null;
    received_at: string;
  },
): Promise<boolean> {
  const r = await tx
    .insertInto("office_inbox_seen")
    .values(row)
    .onConflict((oc) => oc.columns(["agency_id", "kind", "axis_message_id"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function wasSeen(
  tx: Tx,
  agencyId: string,
  kind: string,
  axisMessageId: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom("office_inbox_seen")
    .select("axis_message_id")
    .where("agency_id", "=", agencyId)
    .where("kind", "=", kind)
    .where("axis_message_id", "=", axisMessageId)
    .executeTakeFirst();
  return row !== undefined;
}
