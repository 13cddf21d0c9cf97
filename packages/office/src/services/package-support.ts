/** Building the edXML header of an outgoing document, and queueing packages in the outbox. */
import { randomUUID } from "node:crypto";
import { fromJsonText, toJsonText } from "@truc/store";
import { documentType, URGENCY_PRIORITY, type Urgency } from "../domain/document-types.ts";
import type { Emission } from "../domain/incoming.ts";
import type { BusinessDocType, EdocHeader, Organization } from "../ports.ts";
import { enqueue } from "../repositories/outbox.ts";
import type { AgencyRow, IncomingRow, OutgoingRow, Tx } from "../repositories/rows.ts";
import type { OfficeDeps } from "./context.ts";

export function organizationOf(agency: AgencyRow): Organization {
  return {
    organId: agency.code,
    organName: agency.name,
    ...(agency.parent_name ? { organizationInCharge: agency.parent_name } : {}),
  };
}

export function edocHeader(
  agency: AgencyRow,
  row: OutgoingRow,
  business: EdocHeader["business"] & { type: BusinessDocType },
  to?: Organization[],
): EdocHeader {
  const recipients = to ?? fromJsonText<{ organId: string; organName: string }[]>(row.recipients) ?? [];
  const dueDate = row.due_date?.replaceAll("-", "/");
  return {
    from: organizationOf(agency),
    to: recipients.map((r) => ({ organId: r.organId, organName: r.organName })),
    documentId: row.document_id ?? "",
    codeNumber: row.code_number ?? "",
    codeNotation: row.code_notation ?? "",
    place: agency.place,
    promulgationDate: row.promulgation_date ?? "",
    typeCode: documentType(row.type_code)?.edxmlType ?? 0,
    typeName: row.type_name,
    subject: row.subject,
    ...(row.content ? { content: row.content } : {}),
    signer: {
      competence: row.signer_competence ?? "",
      position: row.signer_position ?? "",
      fullName: row.signer_name ?? "",
    },
    ...(dueDate ? { dueDate } : {}),
    priority: URGENCY_PRIORITY[row.urgency as Urgency] ?? 0,
    ...(row.page_count !== null ? { pageAmount: row.page_count } : {}),
    ...(row.copies !== null ? { promulgationAmount: row.copies } : {}),
    appendixes: fromJsonText<string[]>(row.appendices) ?? [],
    toPlaces: fromJsonText<string[]>(row.places) ?? [],
    business,
  };
}

/** Stores the package bytes and queues them; false if this dedupe key was queued before. */
export async function queuePackage(
  deps: OfficeDeps,
  tx: Tx,
  input: {
    agencyId: string;
    kind: "edoc" | "status";
    dedupeKey: string;
    to: string[];
    bytes: Buffer;
    statusCode?: string;
    at: Date;
  },
): Promise<boolean> {
  const blob = await deps.blobs.put(input.bytes);
  return enqueue(tx, {
    id: randomUUID(),
    agency_id: input.agencyId,
    kind: input.kind,
    dedupe_key: input.dedupeKey,
    to_organ_ids: toJsonText(input.to),
    package_ref: blob.ref,
    status_code: input.statusCode ?? null,
    created_at: input.at.toISOString(),
    sent_at: null,
    axis_id: null,
    attempts: 0,
    last_error: null,
  });
}

/**
 * Queues the status package of a recipient-side transition, addressed to the document's
 * issuer. The dedupe key is per incoming document and emission, so it is queued at most once.
 */
/** Incoming documents registered from a paper scan carry this prefix instead of an axis message id. */
export const PAPER_PREFIX = "paper:";
export const isPaperDocument = (row: { axis_message_id: string }) =>
  row.axis_message_id.startsWith(PAPER_PREFIX);

export async function emitIncomingStatus(
  deps: OfficeDeps,
  tx: Tx,
  input: {
    agency: AgencyRow;
    incoming: IncomingRow;
    emission: Emission;
    staff?: { department?: string; staff?: string };
    at: Date;
  },
): Promise<boolean> {
  const { incoming, emission } = input;
  // A registered paper document has no electronic sender to notify.
  if (isPaperDocument(incoming)) return false;
  const bytes = await deps.codec.buildStatus({
    from: organizationOf(input.agency),
    responseFor: {
      organId: incoming.from_organ_id,
      code: `${incoming.code_number}/${incoming.code_notation}`,
      promulgationDate: incoming.promulgation_date,
      documentId: incoming.document_id,
    },
    statusCode: emission.code,
    description: emission.description,
    timestamp: input.at,
    ...(input.staff ? { staff: input.staff } : {}),
  });
  return queuePackage(deps, tx, {
    agencyId: input.agency.id,
    kind: "status",
    dedupeKey: `incoming:${incoming.id}:${emission.dedupeKey}`,
    to: [incoming.from_organ_id],
    bytes,
    statusCode: emission.code,
    at: input.at,
  });
}
