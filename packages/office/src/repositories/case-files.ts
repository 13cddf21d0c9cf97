/** Case files and the documents filed in them. Every query is scoped by agency. */
import type { CaseFileItemRow, CaseFileRow, Tx } from "./rows.ts";

export async function insertCaseFile(tx: Tx, row: CaseFileRow): Promise<void> {
  await tx.insertInto("office_case_files").values(row).execute();
}

export async function findCaseFile(tx: Tx, agencyId: string, id: string): Promise<CaseFileRow | undefined> {
  return tx
    .selectFrom("office_case_files")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function findCaseFileByCode(
  tx: Tx,
  agencyId: string,
  fileCatalog: number,
  fileNotation: string,
): Promise<CaseFileRow | undefined> {
  return tx
    .selectFrom("office_case_files")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("file_catalog", "=", fileCatalog)
    .where("file_notation", "=", fileNotation)
    .executeTakeFirst();
}

export async function listCaseFiles(
  tx: Tx,
  agencyId: string,
  filter: { state?: string; year?: number } = {},
): Promise<CaseFileRow[]> {
  let q = tx.selectFrom("office_case_files").selectAll().where("agency_id", "=", agencyId);
  if (filter.state) q = q.where("state", "=", filter.state);
  if (filter.year) q = q.where("file_catalog", "=", filter.year);
  return q.orderBy("file_catalog", "desc").orderBy("file_notation").limit(5000).execute();
}

/** Closed files whose retention period has run out on `today` (permanent files never). */
export async function listExpiredCaseFiles(tx: Tx, agencyId: string, today: string): Promise<CaseFileRow[]> {
  return tx
    .selectFrom("office_case_files")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("state", "=", "closed")
    .where("retention_expires_on", "is not", null)
    .where("retention_expires_on", "<=", today)
    .orderBy("retention_expires_on")
    .orderBy("id")
    .execute();
}

export async function updateCaseFile(
  tx: Tx,
  agencyId: string,
  id: string,
  expectedState: string,
  patch: Partial<CaseFileRow>,
): Promise<boolean> {
  const r = await tx
    .updateTable("office_case_files")
    .set(patch)
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .where("state", "=", expectedState)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listItems(tx: Tx, agencyId: string, caseFileId: string): Promise<CaseFileItemRow[]> {
  return tx
    .selectFrom("office_case_file_items")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("case_file_id", "=", caseFileId)
    .orderBy("doc_ordinal")
    .execute();
}

export async function findFiling(
  tx: Tx,
  agencyId: string,
  direction: CaseFileItemRow["direction"],
  entityId: string,
): Promise<CaseFileItemRow | undefined> {
  return tx
    .selectFrom("office_case_file_items")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("direction", "=", direction)
    .where("entity_id", "=", entityId)
    .executeTakeFirst();
}

export async function insertItem(tx: Tx, row: CaseFileItemRow): Promise<void> {
  await tx.insertInto("office_case_file_items").values(row).execute();
}

/** Removes one document and renumbers the later ones so DocOrdinal stays 1…n. */
export async function removeItem(tx: Tx, item: CaseFileItemRow): Promise<void> {
  await tx
    .deleteFrom("office_case_file_items")
    .where("agency_id", "=", item.agency_id)
    .where("case_file_id", "=", item.case_file_id)
    .where("doc_ordinal", "=", item.doc_ordinal)
    .execute();
  const later = await tx
    .selectFrom("office_case_file_items")
    .select("doc_ordinal")
    .where("agency_id", "=", item.agency_id)
    .where("case_file_id", "=", item.case_file_id)
    .where("doc_ordinal", ">", item.doc_ordinal)
    .orderBy("doc_ordinal")
    .execute();
  // One row at a time in ascending order: the primary key never sees two equal ordinals.
  for (const { doc_ordinal } of later)
    await tx
      .updateTable("office_case_file_items")
      .set({ doc_ordinal: doc_ordinal - 1 })
      .where("agency_id", "=", item.agency_id)
      .where("case_file_id", "=", item.case_file_id)
      .where("doc_ordinal", "=", doc_ordinal)
      .execute();
}
