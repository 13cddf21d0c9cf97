/**
 * Evidence log SQL. Writers *enqueue* their record in their own transaction (no lock, so
 * package transactions commit in parallel and PostgreSQL groups their WAL flushes); a single
 * chainer then moves queued records into the hash chain in queue order, in batches, under a
 * transaction-scoped advisory lock (PostgreSQL) or the single writer (SQLite). A record is
 * durable when its transaction commits and chained within one worker round (and always
 * before a seal or a verification).
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

/** Serialises chain writers until the transaction ends (re-entrant within one transaction). */
export async function lockEvidence(trx: Db, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${EVIDENCE_LOCK})`.execute(trx);
}

/** Records an event in the caller's transaction; `chainEvidence` links it into the chain. */
export async function appendEvidence(trx: Db, _dialect: Dialect, event: NewEvidence): Promise<void> {
  await trx.insertInto("axis_evidence_queue").values(queuedEvidence(event)).execute();
}

export type QueuedEvidence = Omit<AxisDatabase["axis_evidence_queue"], "id">;

/** The queue row of an event, for a writer that inserts it itself (see insertPackages). */
export function queuedEvidence(event: NewEvidence): QueuedEvidence {
  return {
    at: event.at.toISOString(),
    kind: event.kind,
    node_id: event.nodeId,
    package_id: event.packageId,
    actor: event.actor,
    details: canonicalJson(event.details),
  };
}

/** Appends one record to the chain directly; the caller holds the lock (seals). */
export async function appendChained(trx: Db, event: NewEvidence): Promise<EvidenceRow> {
  const head = await evidenceHead(trx);
  const row = chainRow(head, queuedEvidence(event));
  await trx.insertInto("axis_evidence").values(row).execute();
  return row;
}

function chainRow(head: { seq: number; hash: string } | undefined, q: QueuedEvidence): EvidenceRow {
  const content: EvidenceContent = {
    seq: head ? head.seq + 1 : 1,
    at: q.at,
    kind: q.kind as EvidenceContent["kind"],
    nodeId: q.node_id,
    packageId: q.package_id,
    actor: q.actor,
    details: JSON.parse(q.details) as Record<string, unknown>,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  return {
    seq: content.seq,
    at: content.at,
    kind: content.kind,
    node_id: content.nodeId,
    package_id: content.packageId,
    actor: content.actor,
    details: q.details,
    prev_hash: prevHash,
    hash: evidenceHash(prevHash, content),
  };
}

/**
 * Moves up to `limit` queued records into the chain, oldest first; the caller's transaction
 * must hold `lockEvidence`. Returns how many were chained.
 */
export async function chainQueued(trx: Db, limit: number): Promise<number> {
  const queued = await trx.selectFrom("axis_evidence_queue").selectAll().orderBy("id").limit(limit).execute();
  if (queued.length === 0) return 0;
  let head = await evidenceHead(trx);
  const rows: EvidenceRow[] = [];
  for (const q of queued) {
    const row = chainRow(head, q);
    rows.push(row);
    head = { seq: Number(row.seq), hash: row.hash };
  }
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto("axis_evidence")
      .values(rows.slice(i, i + 200))
      .execute();
  }
  // Exactly the rows read: a transaction that took a lower id may commit after this read.
  const ids = queued.map((q) => Number(q.id));
  for (let i = 0; i < ids.length; i += 500) {
    await trx
      .deleteFrom("axis_evidence_queue")
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
  }
  return rows.length;
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
