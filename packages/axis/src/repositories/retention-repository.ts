/**
 * SQL of the body retention job (services/purge-bodies.ts): which packages' bytes may go, marking
 * them gone, and whether anything kept still points at a body, a blob or a body-log segment.
 *
 * Two packages can share bytes only if they share their sender and document id (both are read
 * from those bytes), so "is this body still used" is asked through the (sender, document_id)
 * index instead of a scan.
 */
import { sql } from "kysely";
import type { Db } from "./directory-repository.ts";
import { type AxisDatabase, RAW_PLACE } from "./schema.ts";

export type PurgeCandidate = Pick<
  AxisDatabase["axis_packages"],
  "id" | "sender" | "document_id" | "raw_inline" | "raw_sha256" | "fwd_sha256" | "fwd_splices" | "raw_size"
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
        "p.fwd_sha256",
        "p.fwd_splices",
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

/** Whether a package still kept has these received (or, `forwarded`, forwarded blob) bytes. */
export async function bytesStillKept(
  db: Db,
  pkg: Pick<PurgeCandidate, "sender" | "document_id">,
  sha256: string,
  which: "received" | "forwarded",
): Promise<boolean> {
  let query = db
    .selectFrom("axis_packages")
    .select("id")
    .where("sender", "=", pkg.sender)
    .where("document_id", "=", pkg.document_id)
    .where("raw_inline", "<>", RAW_PLACE.purged);
  query =
    which === "received"
      ? query.where("raw_sha256", "=", sha256)
      : query.where("fwd_sha256", "=", sha256).where("fwd_splices", "is", null);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

export async function deleteBody(trx: Db, sha256: string): Promise<void> {
  await trx.deleteFrom("axis_bodies").where("sha256", "=", sha256).execute();
}

/** Whether any kept package's bytes are in body-log segment `segment` (partial index). */
export async function segmentInUse(db: Db, segment: number): Promise<boolean> {
  const row = await db
    .selectFrom("axis_packages")
    .select("id")
    .where("raw_log_segment", "=", segment)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
