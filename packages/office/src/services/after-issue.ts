/**
 * What a sender may do after issuing (spec §3.4): revoke (BussinessDocType 1; the outgoing
 * document and its metadata are frozen), ask recipients to take it back (status 13), or send
 * an update of its metadata (BussinessDocType 2). The recipients' answers arrive as statuses
 * and are shown in the per-recipient timeline. Replacing is a new document created with
 * `replaces` (see create-draft).
 */
import { fromJsonText } from "@truc/store";
import { type RecipientState, recipientStateAfter } from "../domain/incoming.ts";
import { OfficeError } from "../errors.ts";
import {
  insertRecipientStatus,
  listRecipients,
  setRecipientState,
  updateOutgoing,
} from "../repositories/outgoing.ts";
import { indexOutgoing } from "../repositories/search.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { cleanText, guardUpdated, loadAgency, loadOutgoing } from "./outgoing-support.ts";
import { edocHeader, organizationOf, queuePackage } from "./package-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export async function revokeOutgoing(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; reason: string },
): Promise<OutgoingView> {
  const reason = cleanText(input.reason, 500, "reason");
  return runCommand(
    deps,
    { actor, action: "outgoing.revoke", entity: "outgoing", permission: "outgoing.revoke" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "revoke");
      const agency = await loadAgency(tx, actor.agencyId);
      const recipients = await listRecipients(tx, actor.agencyId, row.id);
      const to = recipients.map((r) => r.organ_id);
      const bytes = await deps.codec.buildDocument({
        header: edocHeader(agency, row, { type: 1, documentId: row.document_id ?? "", reason }),
        attachments: [],
        at,
      });
      await queuePackage(deps, tx, {
        agencyId: actor.agencyId,
        kind: "edoc",
        dedupeKey: `revoke:${row.id}`,
        to,
        bytes,
        at,
      });
      for (const r of recipients)
        await setRecipientState(tx, actor.agencyId, row.id, r.organ_id, "revoked", at.toISOString());
      const patch = {
        state: "revoked",
        revoked_at: at.toISOString(),
        revoke_reason: reason,
        updated_at: at.toISOString(),
      };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "issued", patch), "revoke", row.state);
      return {
        result: outgoingView({ ...row, ...patch }),
        note: { entityId: row.id, details: { reason, recipients: to } },
      };
    },
  );
}

export async function requestTakeBack(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; reason: string; organIds?: string[] },
): Promise<OutgoingView> {
  const reason = cleanText(input.reason, 500, "reason");
  return runCommand(
    deps,
    { actor, action: "outgoing.take-back", entity: "outgoing", permission: "outgoing.revoke" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "update");
      const agency = await loadAgency(tx, actor.agencyId);
      const recipients = (await listRecipients(tx, actor.agencyId, row.id)).filter(
        (r) => !input.organIds || input.organIds.includes(r.organ_id),
      );
      if (recipients.length === 0) throw new OfficeError("OFFICE_NO_RECIPIENTS");
      for (const r of recipients) {
        // Code 13 inverts the roles: From = the sender, ResponseFor/OrganId = the recipient.
        const bytes = await deps.codec.buildStatus({
          from: organizationOf(agency),
          responseFor: {
            organId: r.organ_id,
            code: `${row.code_number}/${row.code_notation}`,
            promulgationDate: row.promulgation_date ?? "",
            documentId: row.document_id ?? "",
          },
          statusCode: "13",
          description: reason,
          timestamp: at,
        });
        const queued = await queuePackage(deps, tx, {
          agencyId: actor.agencyId,
          kind: "status",
          dedupeKey: `take-back:${row.id}:${r.organ_id}`,
          to: [r.organ_id],
          bytes,
          statusCode: "13",
          at,
        });
        if (!queued)
          throw new OfficeError("OFFICE_DUPLICATE", { what: `take-back request to ${r.organ_id}` });
        await insertRecipientStatus(tx, {
          agency_id: actor.agencyId,
          outgoing_id: row.id,
          organ_id: r.organ_id,
          code: "13",
          description: reason,
          direction: "sent",
          status_at: at.toISOString(),
          recorded_at: at.toISOString(),
          dedupe_key: `sent:${row.id}:${r.organ_id}:13`,
        });
        await setRecipientState(
          tx,
          actor.agencyId,
          row.id,
          r.organ_id,
          recipientStateAfter(r.state as RecipientState, "13"),
          at.toISOString(),
        );
      }
      return {
        result: outgoingView(row),
        note: { entityId: row.id, details: { reason, recipients: recipients.map((r) => r.organ_id) } },
      };
    },
  );
}

export interface UpdateChanges {
  subject?: string;
  dueDate?: string | null;
  content?: string | null;
}

/** Sends BussinessDocType 2 with the changed metadata; recipients answer 15 (applied) or 16. */
export async function sendUpdate(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; reason: string; changes: UpdateChanges },
): Promise<OutgoingView> {
  const reason = cleanText(input.reason, 500, "reason");
  return runCommand(
    deps,
    { actor, action: "outgoing.update", entity: "outgoing", permission: "outgoing.revoke" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "update");
      const agency = await loadAgency(tx, actor.agencyId);
      const patch = {
        ...(input.changes.subject ? { subject: cleanText(input.changes.subject, 500, "subject") } : {}),
        ...(input.changes.dueDate !== undefined ? { due_date: input.changes.dueDate } : {}),
        ...(input.changes.content !== undefined ? { content: input.changes.content } : {}),
        updated_at: at.toISOString(),
      };
      const updated = { ...row, ...patch };
      const to = (fromJsonText<{ organId: string }[]>(row.recipients) ?? []).map((r) => r.organId);
      const bytes = await deps.codec.buildDocument({
        header: edocHeader(agency, updated, { type: 2, documentId: row.document_id ?? "", reason }),
        attachments: [],
        at,
      });
      await queuePackage(deps, tx, {
        agencyId: actor.agencyId,
        kind: "edoc",
        dedupeKey: `update:${row.id}:${at.toISOString()}`,
        to,
        bytes,
        at,
      });
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "issued", patch), "update", row.state);
      await indexOutgoing(tx, updated);
      return {
        result: outgoingView(updated),
        note: { entityId: row.id, details: { reason, changes: input.changes } },
      };
    },
  );
}
