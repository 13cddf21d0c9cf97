/**
 * SQL of the body retention job (services/purge-bodies.ts): which packages' bytes may go, marking
 * them gone, and whether anything kept still points at a body, a blob or a body-log segment.
 *
 * Two packages can share bytes only if they share their sender and document id (both are read
 * from those bytes), so "is this body still used" is asked through the (sender, document_id)
 * index instead of a scan. Blobs (attachments may be shared by any documents) are kept by
 * garbage collection against the set of every kept reference.
 */
import { sql } from "kysely";
import type { Db } from "./directory-repository.ts";
import { type AxisDatabase, RAW_PLACE } from "./schema.ts";

export type PurgeCandidate = Pick<
  AxisDatabase["axis_packages"],
  "id" | "sender" | "document_id" | "raw_inline" | "raw_sha256" | "fwd_splices" | "attachments" | "raw_size"
>;

/**
 * Packages received before `olderThan` whose bytes are still kept and no longer needed here: no
 * local recipient is still to take it (pending delivery) and no next hop (pending outbox row).
 * Oldest first.
 */
export async function findPurgeCandidates(
  db: Db,
  olderThan: number,
  limit: number,
): Promise<PurgeCandidate[]> {
  return (
    db
      .selectFrom("axis_packages as p")
      .select([
        "p.id",
        "p.sender",
        "p.document_id",
        "p.raw_inline",
        "p.raw_sha256",
        "p.fwd_splices",
        "p.attachments",
        "p.raw_size",
      ])
      // A literal, so that the planner matches the partial index axis_packages_kept_by_age.
      .where("p.raw_inline", "<>", sql.lit(RAW_PLACE.purged))
      .where("p.received_at", "<", olderThan)
      .where(({ not, or, exists, selectFrom }) =>
        not(
          or([
            exists(
              selectFrom("axis_deliveries as d")
                .select("d.package_id")
                .whereRef("d.package_id", "=", "p.id")
                .where("d.state", "=", "pending"),
            ),
            exists(
              selectFrom("axis_outbox as o")
                .select("o.package_id")
                .whereRef("o.package_id", "=", "p.id")
                .where("o.state", "=", "pending"),
            ),
          ]),
        ),
      )
      .orderBy("p.received_at")
      .limit(limit)
      .execute()
  );
}

/** Records that the packages' bytes are gone: no place, no body-log location. */
export async function markPurged(trx: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable("axis_packages")
    .set({ raw_inline: RAW_PLACE.purged, raw_log_segment: null, raw_log_offset: null })
    .where("id", "in", [...ids])
    .execute();
}

/** Whether a package still kept has these bytes in `axis_bodies` (`pkg`'s own row is purged). */
export async function bodyStillKept(
  db: Db,
  pkg: Pick<PurgeCandidate, "sender" | "document_id" | "raw_sha256">,
): Promise<boolean> {
  const row = await db
    .selectFrom("axis_packages")
    .select("id")
    .where("sender", "=", pkg.sender)
    .where("document_id", "=", pkg.document_id)
    .where("raw_sha256", "=", pkg.raw_sha256)
    .where("raw_inline", "=", RAW_PLACE.database)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a package has anything in the blob store: its received bytes, a forwarded copy, attachments. */
export function usesBlobStore(
  p: Pick<PurgeCandidate, "raw_inline" | "fwd_splices" | "attachments">,
): boolean {
  return (
    p.raw_inline === RAW_PLACE.blobStore || p.fwd_splices === null || EXTRACTED.test(p.attachments ?? "")
  );
}

const EXTRACTED = /"extracted":true/;

/**
 * Every blob a kept package points at (received bytes, forwarded copies of older rows, decoded
 * attachments): what blob garbage collection must keep. Reads only the kept packages that use
 * the blob store, but finding those by their attachments is a scan of the table.
 */
export async function keptBlobHashes(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom("axis_packages")
    .select(["raw_inline", "raw_sha256", "fwd_sha256", "fwd_splices", "attachments"])
    .where("raw_inline", "<>", sql.lit(RAW_PLACE.purged))
    .where((eb) =>
      eb.or([
        eb("raw_inline", "=", RAW_PLACE.blobStore),
        eb("fwd_splices", "is", null),
        eb("attachments", "like", '%"extracted":true%'),
      ]),
    )
    .execute();
  const kept = new Set<string>();
  for (const r of rows) {
    if (r.raw_inline === RAW_PLACE.blobStore) kept.add(r.raw_sha256);
    if (r.fwd_splices === null) kept.add(r.fwd_sha256);
    for (const a of JSON.parse(r.attachments ?? "[]") as { sha256: string; extracted?: boolean }[])
      if (a.extracted) kept.add(a.sha256);
  }
  return kept;
}

export async function deleteBody(trx: Db, sha256: string): Promise<void> {
  await trx.deleteFrom("axis_bodies").where("sha256", "=", sha256).execute();
}

/**
 * Whether a kept package received before `receivedBefore` has its bytes in body-log segment
 * `segment`. Asked only of segments last written before that time, whose records all belong to
 * packages received earlier still; the kept ones among those are few (still to be delivered or
 * forwarded), so the age index answers without an index of its own on the segment column
 * (which every accepted package would pay for).
 */
export async function segmentInUse(db: Db, segment: number, receivedBefore: number): Promise<boolean> {
  const row = await db
    .selectFrom("axis_packages")
    .select("id")
    .where("raw_inline", "<>", sql.lit(RAW_PLACE.purged))
    .where("received_at", "<", receivedBefore)
    .where("raw_log_segment", "=", segment)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
