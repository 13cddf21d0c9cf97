/** Outgoing documents, their file versions, reviews, recipients and recipient status timeline. */
import type { OutgoingRow, RecipientRow, RecipientStatusRow, ReviewRow, Tx, VersionRow } from "./rows.ts";

export async function insertOutgoing(tx: Tx, row: OutgoingRow): Promise<void> {
  await tx.insertInto("office_outgoing").values(row).execute();
}

export async function findOutgoing(tx: Tx, agencyId: string, id: string): Promise<OutgoingRow | undefined> {
  return tx
    .selectFrom("office_outgoing")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function findOutgoingByDocumentId(
  tx: Tx,
  agencyId: string,
  documentId: string,
): Promise<OutgoingRow | undefined> {
  return tx
    .selectFrom("office_outgoing")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("document_id", "=", documentId)
    .executeTakeFirst();
}

/** Updates a document only if it is still in `expectedState` (optimistic guard against races). */
export async function updateOutgoing(
  tx: Tx,
  agencyId: string,
  id: string,
  expectedState: string,
  patch: Partial<OutgoingRow>,
): Promise<boolean> {
  const result = await tx
    .updateTable("office_outgoing")
    .set(patch)
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .where("state", "=", expectedState)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertVersion(tx: Tx, row: VersionRow): Promise<void> {
  await tx.insertInto("office_outgoing_versions").values(row).execute();
}

export async function listVersions(tx: Tx, agencyId: string, outgoingId: string): Promise<VersionRow[]> {
  return tx
    .selectFrom("office_outgoing_versions")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .orderBy("version")
    .execute();
}

export async function findVersion(
  tx: Tx,
  agencyId: string,
  outgoingId: string,
  version: number,
): Promise<VersionRow | undefined> {
  return tx
    .selectFrom("office_outgoing_versions")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .where("version", "=", version)
    .executeTakeFirst();
}

export async function insertReviews(tx: Tx, rows: ReviewRow[]): Promise<void> {
  if (rows.length > 0) await tx.insertInto("office_reviews").values(rows).execute();
}

export async function listReviews(
  tx: Tx,
  agencyId: string,
  outgoingId: string,
  round?: number,
): Promise<ReviewRow[]> {
  let q = tx
    .selectFrom("office_reviews")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId);
  if (round !== undefined) q = q.where("round", "=", round);
  return q.orderBy("round").orderBy("reviewer_id").execute();
}

export async function decideReview(
  tx: Tx,
  agencyId: string,
  key: { outgoingId: string; round: number; reviewerId: string },
  decision: { decision: string; comment: string | null; at: string },
): Promise<boolean> {
  const r = await tx
    .updateTable("office_reviews")
    .set({ decision: decision.decision, comment: decision.comment, decided_at: decision.at })
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", key.outgoingId)
    .where("round", "=", key.round)
    .where("reviewer_id", "=", key.reviewerId)
    .where("decision", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertRecipients(tx: Tx, rows: RecipientRow[]): Promise<void> {
  if (rows.length > 0) await tx.insertInto("office_recipients").values(rows).execute();
}

export async function listRecipients(tx: Tx, agencyId: string, outgoingId: string): Promise<RecipientRow[]> {
  return tx
    .selectFrom("office_recipients")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .orderBy("organ_id")
    .execute();
}

export async function setRecipientState(
  tx: Tx,
  agencyId: string,
  outgoingId: string,
  organId: string,
  state: string,
  at: string,
): Promise<void> {
  await tx
    .updateTable("office_recipients")
    .set({ state, updated_at: at })
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .where("organ_id", "=", organId)
    .execute();
}

/** Records one status in the timeline; false when it was already recorded (duplicate delivery). */
export async function insertRecipientStatus(tx: Tx, row: Omit<RecipientStatusRow, "id">): Promise<boolean> {
  const r = await tx
    .insertInto("office_recipient_statuses")
    .values(row)
    .onConflict((oc) => oc.columns(["agency_id", "dedupe_key"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function listRecipientStatuses(
  tx: Tx,
  agencyId: string,
  outgoingId: string,
): Promise<(Omit<RecipientStatusRow, "id"> & { id: number })[]> {
  // The order they were recorded in: remote timestamps have one-second precision and come from
  // other clocks, so a request recorded here and its answer may carry the same or reversed times.
  return tx
    .selectFrom("office_recipient_statuses")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .orderBy("id")
    .execute();
}
