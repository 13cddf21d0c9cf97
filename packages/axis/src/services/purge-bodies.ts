/**
 * Body retention (`storage.bodyRetentionDays`): the bytes of packages older than the retention
 * period, which every local recipient has acknowledged and every next hop has taken, are
 * dropped; the package row, routes, statuses and evidence stay, so tracking, statistics and
 * duplicate detection see no change and a download answers AXIS_PACKAGE_PURGED. Each dropped
 * body gets a "purge" evidence record, committed with the row change.
 *
 * Then the space is given back: `axis_bodies` rows go in the same transaction; blobs and
 * body-log segments after it, and only those nothing kept points at. A segment is removed only
 * once it has not been written for the whole retention period (plus a margin), so no commit
 * can still be on its way to a row pointing into it; blobs by the blob store's garbage
 * collection against every kept reference, which spares anything written in the last hour.
 */
import { appendEvidence } from "../repositories/evidence-repository.ts";
import {
  bodyStillKept,
  deleteBody,
  findPurgeCandidates,
  keptBlobHashes,
  markPurged,
  segmentInUse,
  usesBlobStore,
} from "../repositories/retention-repository.ts";
import { RAW_PLACE } from "../repositories/schema.ts";
import type { NodeContext } from "./ports.ts";

export interface PurgeResult {
  /** Packages whose bytes were dropped. */
  packages: number;
  /** Body-log segments and blobs deleted, and the bytes they held. */
  segmentsRemoved: number;
  blobsRemoved: number;
  bytesFreed: number;
}

/** Packages handled per transaction. */
const BATCH = 200;
/** How long a just-written file is left alone: a reference to it may be committing. */
const WRITE_MARGIN_MS = 3600_000;
const DAY_MS = 86_400_000;

export async function purgeExpiredBodies(ctx: NodeContext): Promise<PurgeResult> {
  const result: PurgeResult = { packages: 0, segmentsRemoved: 0, blobsRemoved: 0, bytesFreed: 0 };
  const days = ctx.config.storage.bodyRetentionDays;
  if (days === undefined) return result;
  const now = ctx.clock.now();
  const horizon = now.getTime() - days * DAY_MS;
  let blobsTouched = false;
  for (;;) {
    const batch = await findPurgeCandidates(ctx.db.kysely, horizon, BATCH);
    if (batch.length === 0) break;
    await ctx.db.transaction(async (trx) => {
      await markPurged(
        trx,
        batch.map((p) => p.id),
      );
      for (const p of batch) {
        await appendEvidence(trx, ctx.db.dialect, {
          at: now,
          kind: "purge",
          nodeId: ctx.config.nodeId,
          packageId: p.id,
          actor: null,
          details: { rawSha256: p.raw_sha256, size: Number(p.raw_size), retentionDays: days },
        });
        if (p.raw_inline === RAW_PLACE.database && !(await bodyStillKept(trx, p)))
          await deleteBody(trx, p.raw_sha256);
      }
    });
    result.packages += batch.length;
    blobsTouched ||= batch.some(usesBlobStore);
    if (batch.length < BATCH) break;
  }
  if (blobsTouched) {
    const gc = await ctx.blobs.collectGarbage(await keptBlobHashes(ctx.db.kysely), {
      graceMs: WRITE_MARGIN_MS,
    });
    result.blobsRemoved += gc.removed;
    result.bytesFreed += gc.bytesFreed;
  }
  if (ctx.bodyLog) {
    for (const s of await ctx.bodyLog.segments()) {
      if (s.open || s.modifiedAt > horizon - WRITE_MARGIN_MS) continue;
      if (await segmentInUse(ctx.db.kysely, s.segment, horizon)) continue;
      await ctx.bodyLog.removeSegment(s.segment);
      result.segmentsRemoved++;
      result.bytesFreed += s.bytes;
    }
  }
  return result;
}
