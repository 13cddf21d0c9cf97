/** Incoming documents. Every query is scoped by agency. */
import type { IncomingRow, Tx } from "./rows.ts";

export async function insertIncoming(tx: Tx, row: IncomingRow): Promise<void> {
  await tx.insertInto("office_incoming").values(row).execute();
}

export async function findIncoming(tx: Tx, agencyId: string, id: string): Promise<IncomingRow | undefined> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Documents of this agency with that DocumentId from that issuer (revoke/update/take-back targets). */
export async function findIncomingByDocumentId(
  tx: Tx,
  agencyId: string,
  issuerOrganId: string,
  documentId: string,
): Promise<IncomingRow[]> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("from_organ_id", "=", issuerOrganId)
    .where("document_id", "=", documentId)
    .where("business_type", "in", [0, 3])
    .orderBy("received_at")
    .execute();
}

/** Candidates for duplicate warnings: same DocumentId, or same number + notation + issuer. */
export async function findPossibleDuplicates(
  tx: Tx,
  agencyId: string,
  key: { documentId: string; codeNumber: string; codeNotation: string; issuerOrganId: string },
): Promise<IncomingRow[]> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("business_type", "in", [0, 3])
    .where((eb) =>
      eb.or([
        eb("document_id", "=", key.documentId),
        eb.and([
          eb("code_number", "=", key.codeNumber),
          eb("code_notation", "=", key.codeNotation),
          eb("from_organ_id", "=", key.issuerOrganId),
        ]),
      ]),
    )
    .execute();
}

export async function updateIncoming(
  tx: Tx,
  agencyId: string,
  id: string,
  expectedState: string,
  patch: Partial<IncomingRow>,
): Promise<boolean> {
  const r = await tx
    .updateTable("office_incoming")
    .set(patch)
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .where("state", "=", expectedState)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
