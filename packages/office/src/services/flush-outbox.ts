/**
 * Sends queued packages through the axis and marks them sent. A failure leaves the row queued
 * (with the error) for the next run; the dedupe key means a retry never creates a second row.
 */
import { fromJsonText } from "@truc/store";
import { markFailed, markSent, pendingOutbox } from "../repositories/outbox.ts";
import { findAgencyById } from "../repositories/people.ts";
import type { Tx } from "../repositories/rows.ts";
import type { OfficeDeps } from "./context.ts";

export interface FlushResult {
  sent: number;
  failed: number;
}

let flushing: Promise<FlushResult> | null = null;

export async function flushOutbox(deps: OfficeDeps): Promise<FlushResult> {
  // One flush at a time per process, so a row is not sent twice by overlapping calls.
  while (flushing) await flushing.catch(() => undefined);
  flushing = doFlush(deps);
  try {
    return await flushing;
  } finally {
    flushing = null;
  }
}

async function doFlush(deps: OfficeDeps): Promise<FlushResult> {
  const tx = deps.db.kysely as unknown as Tx;
  const result: FlushResult = { sent: 0, failed: 0 };
  for (const row of await pendingOutbox(tx)) {
    const agency = await findAgencyById(tx, row.agency_id);
    if (!agency) continue;
    try {
      const bytes = await deps.blobs.read(row.package_ref);
      const { id } = await deps.gateway.send({
        agencyCode: agency.code,
        kind: row.kind as "edoc" | "status",
        to: fromJsonText<string[]>(row.to_organ_ids) ?? [],
        bytes,
      });
      await markSent(tx, row.id, id, deps.clock.now().toISOString());
      result.sent++;
    } catch (error) {
      await markFailed(tx, row.id, error instanceof Error ? error.message : String(error));
      result.failed++;
    }
  }
  return result;
}
