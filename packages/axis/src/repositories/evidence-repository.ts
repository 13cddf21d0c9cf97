/**
 * Evidence log SQL. Appends run inside the caller's transaction, after its other writes:
 * on PostgreSQL a transaction-scoped advisory lock serialises the read of the chain head and
 * the insert (held until COMMIT, so the chain has no forks and no gaps); on SQLite the
 * single writer already does.
 */
import type { Dialect } from "@truc/store";
import { sql } from "kysely";
import { canonicalJson, type EvidenceContent, evidenceHash, GENESIS_HASH } from "../domain/evidence.ts";
import type { Db } from "./directory-repository.ts";
import type { AxisDatabase } from "./schema.ts";

/** "axis-evidence" as a 31-bit constant, distinct from the store's migration lock. */
const EVIDENCE_LOCK = 0x61786576;

export type EvidenceRow = AxisDatabase["axis_evidence"];
export type NewEvidence = Omit<EvidenceContent, "seq" | "at"> & { at: Date };

/** Serialises evidence writers until the transaction ends (re-entrant within one transaction). */
export async function lockEvidence(trx: Db, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${EVIDENCE_LOCK})`.execute(trx);
}

export async function appendEvidence(trx: Db, dialect: Dialect, event: NewEvidence): Promise<EvidenceRow> {
  await lockEvidence(trx, dialect);
  const head = await trx
    .selectFrom("axis_evidence")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const content: EvidenceContent = {
    seq: head ? Number(head.seq) + 1 : 1,
    at: event.at.toISOString(),
    kind: event.kind,
    nodeId: event.nodeId,
    packageId: event.packageId,
    actor: event.actor,
    details: JSON.parse(canonicalJson(event.details)) as Record<string, unknown>,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const row: EvidenceRow = {
    seq: content.seq,
    at: content.at,
    kind: content.kind,
    node_id: content.nodeId,
    package_id: content.packageId,
    actor: content.actor,
    details: canonicalJson(content.details),
    prev_hash: prevHash,
    hash: evidenceHash(prevHash, content),
  };
  await trx.insertInto("axis_evidence").values(row).execute();
  return row;
}

export async function readEvidence(db: Db, afterSeq: number, limit: number): Promise<EvidenceRow[]> {
  return db
    .selectFrom("axis_evidence")
    .selectAll()
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
}

export async function evidenceHead(db: Db): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db
    .selectFrom("axis_evidence")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

export async function lastSeal(db: Db): Promise<EvidenceRow | undefined> {
  return db
    .selectFrom("axis_evidence")
    .selectAll()
    .where("kind", "=", "seal")
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
}

export function rowToContent(row: EvidenceRow): EvidenceContent & { prevHash: string; hash: string } {
  return {
    seq: Number(row.seq),
    at: row.at,
    kind: row.kind as EvidenceContent["kind"],
    nodeId: row.node_id,
    packageId: row.package_id,
    actor: row.actor,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
