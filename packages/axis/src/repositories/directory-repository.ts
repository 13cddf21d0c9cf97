/**
 * Directory SQL: agencies (both identifier forms), neighbour nodes and connected systems.
 * Every agency write takes the next value of this node's directory version counter, which
 * is what delta sync between nodes pages on.
 */
import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import type { DirectoryEntry } from "../domain/routing.ts";
import type { AxisDatabase } from "./schema.ts";

export type Db = Kysely<AxisDatabase>;
export type AgencyRow = AxisDatabase["axis_agencies"];
export type NodeRow = AxisDatabase["axis_nodes"];
export type SystemRow = Selectable<AxisDatabase["axis_systems"]>;
export type SystemInput = Insertable<AxisDatabase["axis_systems"]>;
export type SdkCompatibility = SystemRow["sdk_compatibility"];

export async function nextDirectoryVersion(trx: Db): Promise<number> {
  // Updating the counter row takes its row lock (PostgreSQL), so concurrent directory
  // writers get distinct, increasing versions. The row is created by the migration.
  const updated = await trx
    .updateTable("axis_meta")
    .set({ value: sql<string>`cast(cast(value as integer) + 1 as text)` })
    .where("key", "=", "directory_version")
    .returning("value")
    .executeTakeFirstOrThrow();
  return Number(updated.value);
}

/**
 * Agencies and systems are read on every request and written rarely, always through
 * `upsertAgency` / `upsertSystem`: reads are remembered for a moment. Any write in this
 * process forgets everything at once; `LOOKUP_TTL_MS` bounds what another process sharing the
 * database (or a write racing a read) can leave stale.
 */
const LOOKUP_TTL_MS = 2000;
const LOOKUP_MAX = 10_000;
let lookupGeneration = 0;
const lookups = new WeakMap<Db, Map<string, { at: number; generation: number; value: unknown }>>();

async function remembered<T>(db: Db, key: string, load: () => Promise<T>): Promise<T> {
  let cache = lookups.get(db);
  if (!cache) {
    cache = new Map();
    lookups.set(db, cache);
  }
  const now = performance.now();
  const hit = cache.get(key);
  if (hit && hit.generation === lookupGeneration && now - hit.at < LOOKUP_TTL_MS) return hit.value as T;
  const generation = lookupGeneration;
  const value = await load();
  if (cache.size >= LOOKUP_MAX) cache.clear();
  if (generation === lookupGeneration) cache.set(key, { at: now, generation, value });
  return value;
}

function forgetLookups(): void {
  lookupGeneration++;
}

export async function findAgency(db: Db, code: string): Promise<AgencyRow | undefined> {
  return remembered(db, `agency:${code}`, async () => {
    const byCode = await db
      .selectFrom("axis_agencies")
      .selectAll()
      .where("code", "=", code)
      .executeTakeFirst();
    if (byCode) return byCode;
    return db.selectFrom("axis_agencies").selectAll().where("code102", "=", code).executeTakeFirst();
  });
}

export function toDirectoryEntry(row: AgencyRow): DirectoryEntry {
  return {
    code: row.code,
    code102: row.code102,
    state: row.state,
    deleted: row.deleted === 1,
    viaNode: row.via_node,
  };
}

export type AgencyInput = Omit<AgencyRow, "version" | "modified_at" | "deleted"> & { deleted?: number };

/** Inserts or replaces an agency row with a fresh version. */
export async function upsertAgency(trx: Db, row: AgencyInput, now: number): Promise<AgencyRow> {
  forgetLookups();
  const version = await nextDirectoryVersion(trx);
  const full: AgencyRow = { ...row, deleted: row.deleted ?? 0, version, modified_at: now };
  await trx
    .insertInto("axis_agencies")
    .values(full)
    .onConflict((oc) =>
      oc.column("code").doUpdateSet({
        code102: full.code102,
        name: full.name,
        parent_code: full.parent_code,
        level: full.level,
        serving_node: full.serving_node,
        via_node: full.via_node,
        email: full.email,
        phone: full.phone,
        fax: full.fax,
        state: full.state,
        edxml_version: full.edxml_version,
        max_bytes: full.max_bytes,
        signature_policy: full.signature_policy,
        version: full.version,
        deleted: full.deleted,
        modified_at: full.modified_at,
      }),
    )
    .execute();
  forgetLookups(); // again: a read between the first forget and this write may have cached the old row
  return full;
}

export async function listAgencies(
  db: Db,
  filter: { level?: number; includeDeleted?: boolean } = {},
): Promise<AgencyRow[]> {
  let q = db.selectFrom("axis_agencies").selectAll();
  if (!filter.includeDeleted) q = q.where("deleted", "=", 0);
  if (filter.level !== undefined) q = q.where("level", "=", filter.level);
  return q.orderBy("code").execute();
}

/** Rows changed after `since`, for a neighbour; rows learnt from that neighbour are not echoed back. */
export async function directoryChangesSince(
  db: Db,
  since: number,
  forNode: string | null,
  limit: number,
): Promise<AgencyRow[]> {
  let q = db.selectFrom("axis_agencies").selectAll().where("version", ">", since);
  if (forNode !== null)
    q = q.where((eb) => eb.or([eb("via_node", "is", null), eb("via_node", "!=", forNode)]));
  return q.orderBy("version").limit(limit).execute();
}

export async function listNodes(db: Db): Promise<NodeRow[]> {
  return db.selectFrom("axis_nodes").selectAll().execute();
}

export async function upsertNode(db: Db, row: NodeRow): Promise<void> {
  await db
    .insertInto("axis_nodes")
    .values(row)
    .onConflict((oc) =>
      oc.column("node_id").doUpdateSet({
        relation: row.relation,
        organ_id: row.organ_id,
        url: row.url,
        fingerprint: row.fingerprint,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function setDirectoryCursor(db: Db, nodeId: string, cursor: number): Promise<void> {
  await db
    .updateTable("axis_nodes")
    .set({ directory_cursor: cursor })
    .where("node_id", "=", nodeId)
    .execute();
}

export async function findSystem(db: Db, systemId: string): Promise<SystemRow | undefined> {
  return db.selectFrom("axis_systems").selectAll().where("system_id", "=", systemId).executeTakeFirst();
}

export async function findSystemByFingerprint(db: Db, fingerprint: string): Promise<SystemRow | undefined> {
  return remembered(db, `system:${fingerprint}`, () =>
    db.selectFrom("axis_systems").selectAll().where("cert_fingerprint", "=", fingerprint).executeTakeFirst(),
  );
}

/**
 * Inserts or replaces a connected system. `sdk_compatibility` and
 * `timestamp_utc_offset_minutes` are kept as they are when the input leaves them out.
 */
export async function upsertSystem(db: Db, row: SystemInput): Promise<void> {
  forgetLookups();
  await db
    .insertInto("axis_systems")
    .values(row)
    .onConflict((oc) =>
      oc.column("system_id").doUpdateSet({
        secret_enc: row.secret_enc ?? null,
        cert_fingerprint: row.cert_fingerprint ?? null,
        agency_codes: row.agency_codes,
        ...(row.sdk_compatibility !== undefined ? { sdk_compatibility: row.sdk_compatibility } : {}),
        ...(row.timestamp_utc_offset_minutes !== undefined
          ? { timestamp_utc_offset_minutes: row.timestamp_utc_offset_minutes }
          : {}),
      }),
    )
    .execute();
  forgetLookups();
}
