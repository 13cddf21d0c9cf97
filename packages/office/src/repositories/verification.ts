/**
 * Signed files by digest and printed-copy codes. These lookups are deliberately not scoped to
 * one agency: public verification asks "does this deployment know this file?" across its
 * tenants, and answers only with what the file itself shows (see services/verify-public.ts).
 */
import type { PrintCodeRow, SignedFileRow, Tx } from "./rows.ts";

export async function recordSignedFile(tx: Tx, row: SignedFileRow): Promise<void> {
  await tx
    .insertInto("office_signed_files")
    .values(row)
    .onConflict((oc) => oc.columns(["sha256", "agency_id", "entity_id"]).doNothing())
    .execute();
}

export async function findSignedFiles(tx: Tx, digests: readonly string[]): Promise<SignedFileRow[]> {
  if (digests.length === 0) return [];
  return tx
    .selectFrom("office_signed_files")
    .selectAll()
    .where("sha256", "in", [...digests])
    .execute();
}

export async function insertPrintCode(tx: Tx, row: PrintCodeRow): Promise<void> {
  await tx.insertInto("office_print_codes").values(row).execute();
}

export async function findPrintCode(tx: Tx, code: string): Promise<PrintCodeRow | undefined> {
  return tx.selectFrom("office_print_codes").selectAll().where("code", "=", code).executeTakeFirst();
}
