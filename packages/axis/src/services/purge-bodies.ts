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
 * can still be on its way to a row pointing into it; a blob only if not written again lately.
 */
import { appendEvidence } from "../repositories/evidence-repository.ts";
import {
  bytesStillKept,
  deleteBody,
  findPurgeCandidates,
  markPurged,
  type PurgeCandidate,
  segmentInUse,
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
  for (;;) {
    const batch = await findPurgeCandidates(ctx.db.kysely, horizon, BATCH);
    if (batch.length === 0) break;
    const blobs = await ctx.db.transaction(async (trx) => {
      await markPurged(
        trx,
        batch.map((p) => p.id),
      );
      const unused: string[] = [];
      for (const p of batch) {
        await appendEvidence(trx, ctx.db.dialect, {
          at: now,
          kind: "purge",
          nodeId: ctx.config.nodeId,
          packageId: p.id,
          actor: null,
          details: { rawSha256: p.raw_sha256, size: Number(p.raw_size), retentionDays: days },
        });
        if (p.raw_inline === RAW_PLACE.database && !(await bytesStillKept(trx, p, p.raw_sha256, "received")))
          await deleteBody(trx, p.raw_sha256);
        unused.push(...(await blobsNoLongerKept(trx, p)));
      }
      return unused;
    });
    result.packages += batch.length;
    for (const sha256 of new Set(blobs)) {
      const freed = await ctx.blobs.remove(sha256, { olderThan: now.getTime() - WRITE_MARGIN_MS });
      if (freed > 0) {
        result.blobsRemoved++;
        result.bytesFreed += freed;
      }
    }
    if (batch.length < BATCH) break;
  }
  if (ctx.bodyLog) {
    for (const s of await ctx.bodyLog.segments()) {
      if (s.open || s.modifiedAt > horizon - WRITE_MARGIN_MS) continue;
      if (await segmentInUse(ctx.db.kysely, s.segment)) continue;
      await ctx.bodyLog.removeSegment(s.segment);
      result.segmentsRemoved++;
      result.bytesFreed += s.bytes;
    }
  }
  return result;
}

/** The blob-store copies of a purged package (received bytes, forwarded bytes) nothing kept shares. */
async function blobsNoLongerKept(
  db: Parameters<typeof bytesStillKept>[0],
  p: PurgeCandidate,
): Promise<string[]> {
  const unused: string[] = [];
  if (p.raw_inline === RAW_PLACE.blobStore && !(await bytesStillKept(db, p, p.raw_sha256, "received")))
    unused.push(p.raw_sha256);
  if (p.fwd_splices === null && !(await bytesStillKept(db, p, p.fwd_sha256, "forwarded")))
    unused.push(p.fwd_sha256);
  return unused;
}
