/** Shared steps of the outgoing use cases: loading a document in scope, files, search keys. */
import { nfc, searchKey } from "@truc/common";
import { assertOutgoingAction, type OutgoingAction, type OutgoingState } from "../domain/outgoing.ts";
import { OfficeError } from "../errors.ts";
import { findOutgoing, findVersion, insertVersion } from "../repositories/outgoing.ts";
import { findAgencyById } from "../repositories/people.ts";
import type { AgencyRow, OutgoingRow, Tx } from "../repositories/rows.ts";
import type { OfficeDeps } from "./context.ts";

export async function loadOutgoing(
  tx: Tx,
  agencyId: string,
  id: string,
  action?: OutgoingAction,
): Promise<OutgoingRow> {
  const row = await findOutgoing(tx, agencyId, id);
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "outgoing document" });
  if (action) assertOutgoingAction(row.state as OutgoingState, action);
  return row;
}

export async function loadAgency(tx: Tx, agencyId: string): Promise<AgencyRow> {
  const agency = await findAgencyById(tx, agencyId);
  if (!agency) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "agency" });
  return agency;
}

export async function currentPdf(deps: OfficeDeps, tx: Tx, row: OutgoingRow): Promise<Buffer> {
  if (row.file_version === 0) throw new OfficeError("OFFICE_FILE_MISSING");
  const version = await findVersion(tx, row.agency_id, row.id, row.file_version);
  if (!version) throw new OfficeError("OFFICE_FILE_MISSING");
  return deps.blobs.read(version.file_ref);
}

/** Stores a file and appends it to the version history; returns the new version number. */
export async function addVersion(
  deps: OfficeDeps,
  tx: Tx,
  row: OutgoingRow,
  input: {
    bytes: Buffer;
    fileName: string;
    contentType: string;
    kind: string;
    note?: string;
    userId: string;
    at: Date;
  },
  nextVersion: number,
): Promise<number> {
  const blob = await deps.blobs.put(input.bytes);
  await insertVersion(tx, {
    outgoing_id: row.id,
    agency_id: row.agency_id,
    version: nextVersion,
    kind: input.kind,
    file_ref: blob.ref,
    file_name: input.fileName,
    content_type: input.contentType,
    size: blob.size,
    note: input.note ?? null,
    created_by: input.userId,
    created_at: input.at.toISOString(),
  });
  return nextVersion;
}

export async function latestVersionNumber(tx: Tx, agencyId: string, outgoingId: string): Promise<number> {
  const row = await tx
    .selectFrom("office_outgoing_versions")
    .select((eb) => eb.fn.max("version").as("v"))
    .where("agency_id", "=", agencyId)
    .where("outgoing_id", "=", outgoingId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

export function outgoingSearchText(r: {
  subject: string;
  type_name: string;
  code_number: string | null;
  code_notation: string | null;
  signer_name: string | null;
  content: string | null;
  recipients: string;
}): string {
  return searchKey(
    [
      r.subject,
      r.type_name,
      r.code_number && `${r.code_number}/${r.code_notation}`,
      r.signer_name,
      r.content,
      r.recipients,
    ]
      .filter(Boolean)
      .join(" "),
  );
}

export function cleanText(text: string, max: number, field: string): string {
  const t = nfc(text).trim();
  if (t.length === 0 || t.length > max)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: `${field} (1–${max} characters)` });
  return t;
}

export function guardUpdated(ok: boolean, action: string, state: string): void {
  if (!ok) throw new OfficeError("OFFICE_INVALID_TRANSITION", { action, state });
}

export const PDF_MAGIC = Buffer.from("%PDF-");
export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
