/**
 * Search over incoming and outgoing documents: metadata and full text (package content, OCR).
 * Matching and ranking use the store's search index (`@truc/store` `searchHits`: text folded in
 * JS, đ → d, so both dialects match and rank the same), one index per direction, partitioned by
 * agency. The hits are joined with the document table inside the same SQL statement, so the
 * agency and metadata filters apply before the limit and no hit of the caller's agency is
 * dropped. Order with a query: exact-diacritic matches first (tier 0–3), then the list order.
 */
import {
  dialectOf,
  indexDocuments,
  type SearchDocument,
  type SearchMatch,
  searchHits,
  searchMatchOf,
} from "@truc/store";
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

/**
 * "list": newest first (received/updated), the order of the list screens and their indexes.
 * "search": by document date, newest first, then id: the order `searchDocuments` merges the two
 * directions in, so each side's limit keeps exactly the rows the merged page needs.
 */
export type SearchOrder = "list" | "search";

const INCOMING_INDEX = "office_incoming";
const OUTGOING_INDEX = "office_outgoing";

/** edXML dates are yyyy/MM/dd; filters arrive as YYYY-MM-DD. */
const slashDate = (d: string) => d.replaceAll("-", "/");
const limitOf = (f: SearchFilter) => Math.min(f.limit ?? 200, 1000);

type IncomingFields = Pick<
  IncomingRow,
  "id" | "agency_id" | "subject" | "type_name" | "code_number" | "code_notation" | "from_name" | "signer_name"
>;
type OutgoingFields = Pick<
  OutgoingRow,
  | "id"
  | "agency_id"
  | "subject"
  | "type_name"
  | "code_number"
  | "code_notation"
  | "signer_name"
  | "content"
  | "recipients"
>;

function incomingDocument(row: IncomingFields, body: string | null): SearchDocument {
  return {
    id: row.id,
    tenant: row.agency_id,
    fields: {
      subject: row.subject,
      type: row.type_name,
      code: `${row.code_number}/${row.code_notation}`,
      issuer: row.from_name,
      signer: row.signer_name,
      body,
    },
  };
}

function recipientNames(json: string): string {
  try {
    const list = JSON.parse(json) as { organName?: unknown }[];
    return Array.isArray(list)
      ? list.map((r) => (typeof r?.organName === "string" ? r.organName : "")).join(", ")
      : "";
  } catch {
    return "";
  }
}

function outgoingDocument(row: OutgoingFields): SearchDocument {
  return {
    id: row.id,
    tenant: row.agency_id,
    fields: {
      subject: row.subject,
      type: row.type_name,
      code: row.code_number ? `${row.code_number}/${row.code_notation}` : null,
      signer: row.signer_name,
      content: row.content,
      recipients: recipientNames(row.recipients),
    },
  };
}

/**
 * (Re-)indexes an incoming document, in the caller's transaction. `body` is the text that is not
 * in the row (the package's content, or the OCR text of a scan); it is kept for later re-indexing.
 * Without `body` (a metadata change), the kept body is used.
 */
export async function indexIncoming(tx: Tx, row: IncomingFields, body?: string | null): Promise<void> {
  if (body === undefined) {
    const { rows } = await sql<{ body: string }>`select body from office_incoming_text
        where agency_id = ${row.agency_id} and incoming_id = ${row.id}`.execute(tx);
    body = rows[0]?.body ?? null;
  } else if (body) {
    await sql`insert into office_incoming_text (incoming_id, agency_id, body)
        values (${row.id}, ${row.agency_id}, ${body})
        on conflict (incoming_id) do update set body = excluded.body`.execute(tx);
  }
  await indexDocuments(tx, INCOMING_INDEX, [incomingDocument(row, body)]);
}

/** (Re-)indexes an outgoing document (all its searchable text is in the row), in the caller's transaction. */
export async function indexOutgoing(tx: Tx, row: OutgoingFields): Promise<void> {
  await indexDocuments(tx, OUTGOING_INDEX, [outgoingDocument(row)]);
}

/**
 * Indexes the documents stored before the search index existed (migration office-0007). The
 * content of received packages was only kept folded, in `search_text`, so that is their body
 * (found without diacritics, not ranked as exact); scans have their OCR text.
 */
export async function backfillSearchIndex(tx: Tx): Promise<void> {
  const PAGE = 500;
  for (let after = ""; ; ) {
    const rows = await tx
      .selectFrom("office_incoming")
      .leftJoin("office_scans", (j) =>
        j
          .onRef("office_scans.incoming_id", "=", "office_incoming.id")
          .onRef("office_scans.agency_id", "=", "office_incoming.agency_id"),
      )
      .select([
        "office_incoming.id",
        "office_incoming.agency_id",
        "office_incoming.subject",
        "office_incoming.type_name",
        "office_incoming.code_number",
        "office_incoming.code_notation",
        "office_incoming.from_name",
        "office_incoming.signer_name",
        "office_incoming.search_text",
        "office_scans.text as scan_text",
      ])
      .where("office_incoming.id", ">", after)
      .orderBy("office_incoming.id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const body = r.scan_text ?? r.search_text;
      if (body)
        await sql`insert into office_incoming_text (incoming_id, agency_id, body)
            values (${r.id}, ${r.agency_id}, ${body}) on conflict (incoming_id) do nothing`.execute(tx);
    }
    await indexDocuments(
      tx,
      INCOMING_INDEX,
      rows.map((r) => incomingDocument(r, r.scan_text ?? r.search_text)),
    );
    after = rows.at(-1)!.id;
  }
  for (let after = ""; ; ) {
    const rows = await tx
      .selectFrom("office_outgoing")
      .select([
        "id",
        "agency_id",
        "subject",
        "type_name",
        "code_number",
        "code_notation",
        "signer_name",
        "content",
        "recipients",
      ])
      .where("id", ">", after)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    await indexDocuments(tx, OUTGOING_INDEX, rows.map(outgoingDocument));
    after = rows.at(-1)!.id;
  }
}

/** `id` in binary order on both dialects (PostgreSQL would otherwise use the database collation). */
const binaryId = (tx: Tx, column: string) =>
  dialectOf(tx) === "postgres" ? sql`${sql.ref(column)} collate "C"` : sql`${sql.ref(column)}`;

/**
 * The incoming list query (exported so tests can read its plan). Without `q`, ordered newest
 * first on (received_at, id), the column order of the list indexes, so the first page needs no
 * sort. With `q`, the search hits of this agency are joined in and ranked first.
 */
export function incomingListQuery(tx: Tx, agencyId: string, f: SearchFilter, order: SearchOrder = "list") {
  let q = tx
    .selectFrom("office_incoming")
    .selectAll("office_incoming")
    .where("office_incoming.agency_id", "=", agencyId)
    .where("office_incoming.state", "!=", "received");
  if (f.typeName) q = q.where("office_incoming.type_name", "=", f.typeName);
  if (f.issuer) q = q.where("office_incoming.from_organ_id", "=", f.issuer);
  if (f.state) q = q.where("office_incoming.state", "=", f.state);
  if (f.urgency) q = q.where("office_incoming.urgency", "=", f.urgency);
  if (f.from) q = q.where("office_incoming.promulgation_date", ">=", slashDate(f.from));
  if (f.to) q = q.where("office_incoming.promulgation_date", "<=", slashDate(f.to));
  if (f.assignedUserId) q = q.where("office_incoming.assigned_user_id", "=", f.assignedUserId);
  if (f.pendingRequest) q = q.where("office_incoming.pending_request", "is not", null);
  const text = f.q?.trim()
    ? searchHits(tx, INCOMING_INDEX, f.q, "hits", { tenant: agencyId, prefix: true })
    : undefined;
  if (text === null) return q.select(sql<number>`3`.as("search_tier")).where(sql<boolean>`1 = 0`).limit(0);
  const ranked = text
    ? q
        .innerJoin(text, "hits.id", "office_incoming.id")
        .select("hits.tier as search_tier")
        .orderBy("hits.tier")
    : q.select(sql<number>`3`.as("search_tier"));
  const sorted =
    order === "search"
      ? ranked
          .orderBy(sql`coalesce(office_incoming.promulgation_date, '')`, "desc")
          .orderBy(binaryId(tx, "office_incoming.id"), "desc")
      : ranked.orderBy("office_incoming.received_at", "desc").orderBy("office_incoming.id", "desc");
  return sorted.limit(limitOf(f));
}

export type Ranked<T> = T & { search_tier: number };

export async function searchIncoming(
  tx: Tx,
  agencyId: string,
  f: SearchFilter,
  order: SearchOrder = "list",
): Promise<Ranked<IncomingRow>[]> {
  return (await incomingListQuery(tx, agencyId, f, order).execute()) as Ranked<IncomingRow>[];
}

export function outgoingListQuery(tx: Tx, agencyId: string, f: SearchFilter, order: SearchOrder = "list") {
  let q = tx
    .selectFrom("office_outgoing")
    .selectAll("office_outgoing")
    .where("office_outgoing.agency_id", "=", agencyId);
  if (f.typeName) q = q.where("office_outgoing.type_name", "=", f.typeName);
  if (f.state) q = q.where("office_outgoing.state", "=", f.state);
  if (f.urgency) q = q.where("office_outgoing.urgency", "=", f.urgency);
  if (f.from) q = q.where("office_outgoing.promulgation_date", ">=", slashDate(f.from));
  if (f.to) q = q.where("office_outgoing.promulgation_date", "<=", slashDate(f.to));
  const text = f.q?.trim()
    ? searchHits(tx, OUTGOING_INDEX, f.q, "hits", { tenant: agencyId, prefix: true })
    : undefined;
  if (text === null) return q.select(sql<number>`3`.as("search_tier")).where(sql<boolean>`1 = 0`).limit(0);
  const ranked = text
    ? q
        .innerJoin(text, "hits.id", "office_outgoing.id")
        .select("hits.tier as search_tier")
        .orderBy("hits.tier")
    : q.select(sql<number>`3`.as("search_tier"));
  const sorted =
    order === "search"
      ? ranked
          .orderBy(sql`coalesce(office_outgoing.promulgation_date, '')`, "desc")
          .orderBy(binaryId(tx, "office_outgoing.id"), "desc")
      : ranked.orderBy("office_outgoing.updated_at", "desc").orderBy("office_outgoing.id", "desc");
  return sorted.limit(limitOf(f));
}

export async function searchOutgoing(
  tx: Tx,
  agencyId: string,
  f: SearchFilter,
  order: SearchOrder = "list",
): Promise<Ranked<OutgoingRow>[]> {
  return (await outgoingListQuery(tx, agencyId, f, order).execute()) as Ranked<OutgoingRow>[];
}

/** The match kind of a ranked row (`words` when the list had no query). */
export function matchOf(row: { search_tier: number }): SearchMatch {
  return searchMatchOf(row.search_tier);
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
