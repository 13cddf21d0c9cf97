/** The audit trail: one row per user action, written in the action's own transaction. */
import { fromJsonText, toJsonText } from "@truc/store";
import type { Tx } from "./rows.ts";

export interface AuditEntry {
  agencyId: string;
  userId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details?: Record<string, unknown>;
  at: Date;
}

export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto("office_audit")
    .values({
      agency_id: entry.agencyId,
      user_id: entry.userId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      details: entry.details ? toJsonText(entry.details) : null,
      at: entry.at.toISOString(),
    })
    .execute();
}

export interface AuditRecord {
  id: number;
  userId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: Record<string, unknown> | null;
  at: string;
}

export async function listAudit(
  tx: Tx,
  agencyId: string,
  filter: { entityId?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  let q = tx.selectFrom("office_audit").selectAll().where("agency_id", "=", agencyId);
  if (filter.entityId) q = q.where("entity_id", "=", filter.entityId);
  const rows = await q
    .orderBy("id", "asc")
    .limit(Math.min(filter.limit ?? 500, 5000))
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    userId: r.user_id,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    details: fromJsonText<Record<string, unknown>>(r.details),
    at: r.at,
  }));
}
