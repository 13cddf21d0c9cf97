/**
 * Vietnamese full-text search, one behaviour on both dialects, partitioned by tenant.
 *
 * Text is tokenised and folded in JS (`foldVietnamese`: tone and vowel marks stripped, đ → d)
 * before it reaches the database, so both engines index exactly the same token list and never
 * tokenise anything themselves:
 * - SQLite: an FTS5 table (`ascii` tokenizer, which keeps every non-ASCII character and so
 *   splits only on the spaces we put between tokens; `detail=none`, contentless with deletes),
 * - PostgreSQL: a `tsvector` column built from the tokens (no parser, no dictionary) with a GIN
 *   index, queried with a `tsquery` built from the same tokens.
 * `unaccent`/`pg_trgm` are not needed, and results do not depend on a server's locale.
 *
 * Partitions: every document belongs to one tenant (default ""). The tenant is indexed as one
 * more token (`_t` + SHA-256 prefix of the tenant; `_` never occurs in a word token), so the
 * index itself intersects "this tenant" with the query words: a tenant with few documents is as
 * fast to search as a small index, and another tenant's documents are never candidates (the
 * tenant column is compared too, so a hash collision cannot leak either).
 *
 * A document matches when every query word occurs in it (folded; with `prefix`, the last word
 * may be a prefix; with `phrase` or a query in double quotes, the words must also be adjacent).
 * Hits are ranked, identically on both dialects:
 *   0 "exact-phrase"  the query as typed (with its diacritics) occurs as a phrase
 *   1 "phrase"        the folded query occurs as a phrase
 *   2 "exact-words"   every word occurs with its diacritics as typed, not adjacent
 *   3 "words"         every folded word occurs
 * `search()` then orders shorter documents first, then by id (binary order). `searchHits()` gives
 * the same candidates and tiers as a derived table to join with the caller's own table, so the
 * caller's filters and order apply inside the same SQL query (before any limit).
 */
import { createHash } from "node:crypto";
import { foldVietnamese } from "@truc/common";
import { type AliasedRawBuilder, sql } from "kysely";
import { assertIdentifier } from "./columns.ts";
import { dialectOf, type Executor, kyselyOf, withinTransaction } from "./database.ts";
import { StoreError } from "./errors.ts";

export type SearchMatch = "exact-phrase" | "phrase" | "exact-words" | "words";
const MATCHES: readonly SearchMatch[] = ["exact-phrase", "phrase", "exact-words", "words"];

export interface SearchHit {
  id: string;
  match: SearchMatch;
}

export interface SearchMatchOptions {
  /** The partition to search (default ""). Only documents indexed with this tenant can match. */
  tenant?: string;
  /** Treat the last query word as a prefix (search-as-you-type). */
  prefix?: boolean;
  /** Require the words to be adjacent, in order (also implied by a query in double quotes). */
  phrase?: boolean;
}

export interface SearchOptions extends SearchMatchOptions {
  /** Default 20, at most 1000. */
  limit?: number;
  offset?: number;
}

/** Columns of the derived table returned by `searchHits`. */
export interface SearchHitColumns {
  id: string;
  /** 0 exact-phrase, 1 phrase, 2 exact-words, 3 words (see `searchMatchOf`). */
  tier: number;
  /** Length of the indexed (folded) text, for "shorter first". */
  size: number;
}

export interface SearchDocument {
  id: string;
  /** Default "". */
  tenant?: string;
  /** Fields in a fixed order, e.g. `{ title, summary, body }`, or one string. */
  fields: Readonly<Record<string, string | null | undefined>> | string;
}

export const MAX_SEARCH_QUERY_CHARS = 512;
const MAX_QUERY_WORDS = 32;
/** Longer words are indexed (and queried) by their first 64 characters (PostgreSQL lexemes are limited). */
const MAX_TOKEN_CHARS = 64;
/** Separates fields in the indexed text so a phrase cannot match across two fields. */
const FIELD_BREAK = " | ";
/** Documents per multi-row statement when indexing a batch (well under both engines' parameter limits). */
const BATCH = 200;

/** Lower-case NFC words: runs of letters, digits and combining marks. */
export function searchWords(text: string): string[] {
  return text
    .normalize("NFC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter(Boolean);
}

export function searchMatchOf(tier: number): SearchMatch {
  return MATCHES[Number(tier)]!;
}

const token = (folded: string) => folded.slice(0, MAX_TOKEN_CHARS);

/** The tenant's index token: `_` is a separator for `searchWords`, so no word can equal it. */
function scopeToken(tenant: string): string {
  return `_t${createHash("sha256").update(tenant, "utf8").digest("hex").slice(0, 32)}`;
}

interface Prepared {
  tenant: string;
  id: string;
  exact: string;
  folded: string;
  /** Distinct index tokens, the scope token first. */
  tokens: string[];
}

function prepare(doc: SearchDocument): Prepared {
  const tenant = doc.tenant ?? "";
  const values = typeof doc.fields === "string" ? [doc.fields] : Object.values(doc.fields);
  const exact = values
    .map((v) => searchWords(v ?? "").join(" "))
    .filter(Boolean)
    .join(FIELD_BREAK);
  const folded = foldVietnamese(exact);
  const words = folded.split(/[ |]+/).filter(Boolean).map(token);
  return {
    tenant,
    id: doc.id,
    exact: ` ${exact} `,
    folded: ` ${folded} `,
    tokens: [scopeToken(tenant), ...new Set(words)],
  };
}

function tableNames(name: string) {
  const base = `search_${assertIdentifier(name)}`;
  assertIdentifier(`${base}_fts`);
  return { docs: base, fts: `${base}_fts` };
}

/** Creates the index tables if missing. Call it from one of your migrations, with the migration's handle. */
export async function createSearchIndex(db: Executor, name: string): Promise<void> {
  const { docs, fts } = tableNames(name);
  const k = kyselyOf(db);
  if (dialectOf(db) === "postgres") {
    await sql`create table if not exists ${sql.table(docs)} (
        tenant text not null,
        id text not null,
        exact text not null,
        folded text not null,
        tsv tsvector not null,
        primary key (tenant, id)
      )`.execute(k);
    await sql`create index if not exists ${sql.id(`${docs}_tsv`)} on ${sql.table(docs)} using gin (tsv)`.execute(
      k,
    );
  } else {
    await sql`create table if not exists ${sql.table(docs)} (
        rid integer primary key,
        tenant text not null,
        id text not null,
        exact text not null,
        folded text not null,
        unique (tenant, id)
      )`.execute(k);
    // The `ascii` tokenizer treats every non-ASCII character as part of a token, so it splits our
    // space-joined JS tokens exactly where JS did; `_` is added for the scope token.
    await sql`create virtual table if not exists ${sql.table(fts)} using fts5(
        body, content = '', contentless_delete = 1, detail = none,
        tokenize = "ascii tokenchars '_'"
      )`.execute(k);
  }
}

/**
 * Indexes (or re-indexes) one document. Pass the `trx` of the transaction that writes the
 * document so both commit together.
 */
export async function indexDocument(
  db: Executor,
  name: string,
  id: string,
  fields: SearchDocument["fields"],
  options: { tenant?: string } = {},
): Promise<void> {
  await indexDocuments(db, name, [{ id, fields, tenant: options.tenant }]);
}

/** Indexes (or re-indexes) many documents with multi-row statements (bulk loads, backfills). */
export async function indexDocuments(
  db: Executor,
  name: string,
  documents: readonly SearchDocument[],
): Promise<void> {
  const { docs, fts } = tableNames(name);
  const postgres = dialectOf(db) === "postgres";
  // Two tables on SQLite, and several statements per batch: one transaction keeps them together.
  await withinTransaction(db, async (trx) => {
    for (let i = 0; i < documents.length; i += BATCH) {
      // Last write wins when one batch holds the same document twice.
      const byKey = new Map<string, Prepared>();
      for (const doc of documents.slice(i, i + BATCH)) {
        const p = prepare(doc);
        byKey.set(JSON.stringify([p.tenant, p.id]), p);
      }
      const batch = [...byKey.values()];
      if (postgres) {
        await sql`insert into ${sql.table(docs)} (tenant, id, exact, folded, tsv)
            select t, i, e, f, v::tsvector from unnest(
              ${batch.map((p) => p.tenant)}::text[], ${batch.map((p) => p.id)}::text[],
              ${batch.map((p) => p.exact)}::text[], ${batch.map((p) => p.folded)}::text[],
              ${batch.map((p) => p.tokens.map((t) => `'${t}'`).join(" "))}::text[]) as u(t, i, e, f, v)
            on conflict (tenant, id) do update
              set exact = excluded.exact, folded = excluded.folded, tsv = excluded.tsv`.execute(trx);
        continue;
      }
      const values = sql.join(batch.map((p) => sql`(${p.tenant}, ${p.id}, ${p.exact}, ${p.folded})`));
      const { rows } = await sql<{ rid: number; tenant: string; id: string }>`
          insert into ${sql.table(docs)} (tenant, id, exact, folded) values ${values}
          on conflict (tenant, id) do update set exact = excluded.exact, folded = excluded.folded
          returning rid, tenant, id`.execute(trx);
      const rid = new Map(rows.map((r) => [JSON.stringify([r.tenant, r.id]), r.rid]));
      const rids = batch.map((p) => rid.get(JSON.stringify([p.tenant, p.id]))!);
      // A re-indexed document replaces its old tokens (deleting an absent rowid is a no-op).
      await sql`delete from ${sql.table(fts)} where rowid in (${sql.join(rids)})`.execute(trx);
      await sql`insert into ${sql.table(fts)} (rowid, body) values ${sql.join(
        batch.map((p, j) => sql`(${rids[j]}, ${p.tokens.join(" ")})`),
      )}`.execute(trx);
    }
  });
}

/** Removes a document from the index; false if it was not there. */
export async function removeDocument(
  db: Executor,
  name: string,
  id: string,
  options: { tenant?: string } = {},
): Promise<boolean> {
  const { docs, fts } = tableNames(name);
  const tenant = options.tenant ?? "";
  if (dialectOf(db) === "postgres") {
    const result = await sql`delete from ${sql.table(docs)} where tenant = ${tenant} and id = ${id}`.execute(
      kyselyOf(db),
    );
    return Number(result.numAffectedRows ?? 0) > 0;
  }
  return withinTransaction(db, async (trx) => {
    const { rows } = await sql<{ rid: number }>`delete from ${sql.table(docs)}
        where tenant = ${tenant} and id = ${id} returning rid`.execute(trx);
    if (rows.length === 0) return false;
    await sql`delete from ${sql.table(fts)} where rowid = ${rows[0]!.rid}`.execute(trx);
    return true;
  });
}

interface ParsedQuery {
  words: string[];
  folded: string[];
  phrase: boolean;
}

function parseQuery(query: string, phrase: boolean): ParsedQuery | null {
  if (query.length > MAX_SEARCH_QUERY_CHARS) {
    throw new StoreError("STORE_SEARCH_QUERY_TOO_LONG", { limit: MAX_SEARCH_QUERY_CHARS });
  }
  const trimmed = query.trim();
  const quoted = trimmed.length > 1 && trimmed.startsWith('"') && trimmed.endsWith('"');
  const words = searchWords(query).slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) return null;
  return { words, folded: words.map((w) => foldVietnamese(w)), phrase: phrase || quoted };
}

/**
 * The documents of one tenant that match `query`, as a derived table `alias(id, tier, size)`
 * to join with the caller's table on its id (null when the query has no words: nothing
 * matches). The caller adds its own filters and order (`tier` first for exact-diacritics-first)
 * in the same statement, so no hit is dropped by a limit applied before the filters.
 *
 *   const hits = searchHits(trx, "office_incoming", q, "hits", { tenant: agencyId });
 *   trx.selectFrom("office_incoming").innerJoin(hits, "hits.id", "office_incoming.id")
 *     .where(...).orderBy("hits.tier").orderBy("received_at", "desc")
 */
export function searchHits<A extends string>(
  db: Executor,
  name: string,
  query: string,
  alias: A,
  options: SearchMatchOptions = {},
): AliasedRawBuilder<SearchHitColumns, A> | null {
  const { docs, fts } = tableNames(name);
  const parsed = parseQuery(query, options.phrase ?? false);
  if (!parsed) return null;
  const { words, folded } = parsed;
  const prefix = options.prefix ?? false;
  const tenant = options.tenant ?? "";

  // With `prefix`, the last word's trailing boundary is dropped from the phrase/word probes.
  const end = prefix ? "" : " ";
  const exactPhrase = ` ${words.join(" ")}${end}`;
  const foldedPhrase = ` ${folded.join(" ")}${end}`;
  const postgres = dialectOf(db) === "postgres";
  const contains = (column: "exact" | "folded", needle: string) =>
    postgres
      ? sql`strpos(d.${sql.ref(column)}, ${needle}) > 0`
      : sql`instr(d.${sql.ref(column)}, ${needle}) > 0`;
  const exactWords = sql.join(
    words.map((w, i) => contains("exact", ` ${w}${i === words.length - 1 ? end : " "}`)),
    sql` and `,
  );
  const tier = sql<number>`case
      when ${contains("exact", exactPhrase)} then 0
      when ${contains("folded", foldedPhrase)} then 1
      when ${exactWords} then 2
      else 3 end`;
  const phraseOnly = parsed.phrase ? sql`and ${contains("folded", foldedPhrase)}` : sql``;
  // Whole tokens (the scope and every word, the last one too unless it is a prefix).
  const whole = [scopeToken(tenant), ...new Set((prefix ? folded.slice(0, -1) : folded).map(token))];
  const last = token(folded.at(-1)!);

  if (postgres) {
    const tsquery = whole.map((t) => `'${t}'`).join(" & ") + (prefix ? ` & '${last}':*` : "");
    return sql<SearchHitColumns>`(
      select d.id, ${tier} as tier, length(d.folded) as size from ${sql.table(docs)} as d
      where d.tsv @@ ${tsquery}::tsquery and d.tenant = ${tenant} ${phraseOnly})`.as(alias);
  }
  const match = [...whole.map((t) => `"${t}"`), ...(prefix ? [`"${last}"*`] : [])].join(" AND ");
  // `limit -1` (no limit) keeps SQLite from flattening the subquery into the caller's join, so
  // the full-text match drives the plan and the caller's table is probed by primary key.
  return sql<SearchHitColumns>`(
    select d.id as id, ${tier} as tier, length(d.folded) as size
    from ${sql.table(fts)} join ${sql.table(docs)} as d on d.rid = ${sql.table(fts)}.rowid
    where ${sql.table(fts)} match ${match} and d.tenant = ${tenant} ${phraseOnly}
    limit -1)`.as(alias);
}

export async function search(
  db: Executor,
  name: string,
  query: string,
  { limit = 20, offset = 0, ...match }: SearchOptions = {},
): Promise<SearchHit[]> {
  const hits = searchHits(db, name, query, "h", match);
  if (!hits) return [];
  const safeLimit = Math.max(1, Math.min(1000, Math.floor(limit)));
  const safeOffset = Math.max(0, Math.floor(offset));
  const binary = dialectOf(db) === "postgres" ? sql`collate "C"` : sql``;
  const { rows } = await sql<{ id: string; tier: number }>`
    select h.id, h.tier from ${hits}
    order by h.tier, h.size, h.id ${binary}
    limit ${safeLimit} offset ${safeOffset}`.execute(kyselyOf(db));
  return rows.map((r) => ({ id: r.id, match: searchMatchOf(r.tier) }));
}
