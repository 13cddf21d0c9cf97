/**
 * Metadata search over incoming and outgoing documents. Matching runs on a stored folded key
 * (`searchKey`: lower case, tone/vowel marks stripped, đ → d) with LIKE, which behaves the same
 * on SQLite and PostgreSQL; ranking (exact diacritics first) is computed in TypeScript so both
 * dialects return the same order.
 */
import { searchKey } from "@truc/common";
import { sql } from "kysely";
import type { IncomingRow, OutgoingRow, Tx } from "./rows.ts";

export interface SearchFilter {
  q?: string;
  direction?: "incoming" | "outgoing";
  typeName?: string;
  issuer?: string;
  state?: string;
  urgency?: string;
  /** Inclusive, ISO dates (YYYY-MM-DD) on the document date. */
  from?: string;
  to?: string;
  limit?: number;
  /** Incoming only: documents assigned to this user. */
  assignedUserId?: string;
  /** Incoming only: documents with a take-back or update request waiting for an answer. */
  pendingRequest?: boolean;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function tokens(q: string | undefined): string[] {
  return q
    ? searchKey(q)
        .split(" ")
        .filter((t) => t.length > 0)
        .slice(0, 10)
    : [];
}

/** edXML dates are yyyy/MM/dd; filters arrive as YYYY-MM-DD. */
const slashDate = (d: string) => d.replaceAll("-", "/");

/**
 * The incoming list query (exported so tests can read its plan). Ordered newest first on
 * (received_at, id), the column order of the list indexes, so the first page needs no sort.
 */
export function incomingListQuery(tx: Tx, agencyId: string, f: SearchFilter) {
  let q = tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("state", "!=", "received");
  for (const t of tokens(f.q))
    q = q.where(sql<boolean>`search_text like ${`%${escapeLike(t)}%`} escape '\\'`);
  if (f.typeName) q = q.where("type_name", "=", f.typeName);
  if (f.issuer) q = q.where("from_organ_id", "=", f.issuer);
  if (f.state) q = q.where("state", "=", f.state);
  if (f.urgency) q = q.where("urgency", "=", f.urgency);
  if (f.from) q = q.where("promulgation_date", ">=", slashDate(f.from));
  if (f.to) q = q.where("promulgation_date", "<=", slashDate(f.to));
  if (f.assignedUserId) q = q.where("assigned_user_id", "=", f.assignedUserId);
  if (f.pendingRequest) q = q.where("pending_request", "is not", null);
  return q
    .orderBy("received_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.min(f.limit ?? 200, 1000));
}

export async function searchIncoming(tx: Tx, agencyId: string, f: SearchFilter): Promise<IncomingRow[]> {
  return incomingListQuery(tx, agencyId, f).execute();
}

export function outgoingListQuery(tx: Tx, agencyId: string, f: SearchFilter) {
  let q = tx.selectFrom("office_outgoing").selectAll().where("agency_id", "=", agencyId);
  for (const t of tokens(f.q))
    q = q.where(sql<boolean>`search_text like ${`%${escapeLike(t)}%`} escape '\\'`);
  if (f.typeName) q = q.where("type_name", "=", f.typeName);
  if (f.state) q = q.where("state", "=", f.state);
  if (f.urgency) q = q.where("urgency", "=", f.urgency);
  if (f.from) q = q.where("promulgation_date", ">=", slashDate(f.from));
  if (f.to) q = q.where("promulgation_date", "<=", slashDate(f.to));
  return q
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.min(f.limit ?? 200, 1000));
}

export async function searchOutgoing(tx: Tx, agencyId: string, f: SearchFilter): Promise<OutgoingRow[]> {
  return outgoingListQuery(tx, agencyId, f).execute();
}

export async function incomingRegister(tx: Tx, agencyId: string, year: number): Promise<IncomingRow[]> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("arrival_year", "=", year)
    .where("arrival_number", "is not", null)
    .orderBy("arrival_number")
    .execute();
}

export async function outgoingRegister(tx: Tx, agencyId: string, year: number): Promise<OutgoingRow[]> {
  return tx
    .selectFrom("office_outgoing")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("number_year", "=", year)
    .where("state", "in", ["issued", "revoked"])
    .orderBy("sequence_key")
    .orderBy("number")
    .execute();
}

/** Open incoming documents whose handling deadline (or due date) is before `today`. */
export async function overdueIncoming(tx: Tx, agencyId: string, today: string): Promise<IncomingRow[]> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("state", "in", ["arrived", "registered", "assigned", "processing"])
    .where("deadline", "is not", null)
    .where("deadline", "<", today)
    .orderBy("deadline")
    .orderBy("id")
    .execute();
}

/** Open incoming documents, for the reminder list (the domain decides which need attention). */
export async function openIncoming(tx: Tx, agencyId: string): Promise<IncomingRow[]> {
  return tx
    .selectFrom("office_incoming")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("state", "in", ["arrived", "registered", "assigned", "processing"])
    .orderBy("received_at")
    .orderBy("id")
    .execute();
}
