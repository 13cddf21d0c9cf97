/**
 * Vietnamese full-text search, one behaviour on both dialects.
 *
 * Text is tokenised and folded in JS (`foldVietnamese`: tone and vowel marks stripped, đ → d)
 * before it reaches the database, so both engines index the same ASCII-only token stream:
 * SQLite through FTS5 (whose own `remove_diacritics` would miss đ), PostgreSQL through a
 * `to_tsvector('simple', folded)` column with a GIN index. `unaccent`/`pg_trgm` are not
 * needed, and results do not depend on a server's locale.
 *
 * A document matches when every query word occurs in it (folded; with `prefix`, the last word
 * may be a prefix). Hits are ranked, identically on both dialects:
 *   0 "exact-phrase"  the query as typed (with its diacritics) occurs as a phrase
 *   1 "phrase"        the folded query occurs as a phrase
 *   2 "exact-words"   every word occurs with its diacritics as typed, not adjacent
 *   3 "words"         every folded word occurs
 * then shorter documents first, then by id (binary order).
 */
import { foldVietnamese } from "@truc/common";
import { sql } from "kysely";
import { assertIdentifier } from "./columns.ts";
import { dialectOf, type Executor, kyselyOf, withinTransaction } from "./database.ts";
import { StoreError } from "./errors.ts";

export type SearchMatch = "exact-phrase" | "phrase" | "exact-words" | "words";
const MATCHES: readonly SearchMatch[] = ["exact-phrase", "phrase", "exact-words", "words"];

export interface SearchHit {
  id: string;
  match: SearchMatch;
}

export interface SearchOptions {
  /** Default 20, at most 1000. */
  limit?: number;
  offset?: number;
  /** Treat the last query word as a prefix (search-as-you-type). */
  prefix?: boolean;
}

export const MAX_SEARCH_QUERY_CHARS = 512;
const MAX_QUERY_WORDS = 32;
/** Separates fields in the indexed text so a phrase cannot match across two fields. */
const FIELD_BREAK = " | ";

/** Lower-case NFC words: runs of letters, digits and combining marks. */
export function searchWords(text: string): string[] {
  return text
    .normalize("NFC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter(Boolean);
}

function indexedTexts(fields: Readonly<Record<string, string>> | string): { exact: string; folded: string } {
  const values = typeof fields === "string" ? [fields] : Object.values(fields);
  const exact = values
    .map((v) => searchWords(v ?? "").join(" "))
    .filter(Boolean)
    .join(FIELD_BREAK);
  return { exact: ` ${exact} `, folded: ` ${foldVietnamese(exact)} ` };
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
        id text primary key,
        exact text not null,
        folded text not null,
        tsv tsvector generated always as (to_tsvector('simple', folded)) stored
      )`.execute(k);
    await sql`create index if not exists ${sql.id(`${docs}_tsv`)} on ${sql.table(docs)} using gin (tsv)`.execute(
      k,
    );
  } else {
    await sql`create table if not exists ${sql.table(docs)} (
        rid integer primary key,
        id text not null unique,
        exact text not null,
        folded text not null
      )`.execute(k);
    await sql`create virtual table if not exists ${sql.table(fts)} using fts5(folded, tokenize = 'unicode61')`.execute(
      k,
    );
  }
}

/**
 * Indexes (or re-indexes) one document. `fields` in a fixed order, e.g. `{ title, summary, body }`.
 * Pass the `trx` of the transaction that writes the document so both commit together.
 */
export async function indexDocument(
  db: Executor,
  name: string,
  id: string,
  fields: Readonly<Record<string, string>> | string,
): Promise<void> {
  const { docs, fts } = tableNames(name);
  const { exact, folded } = indexedTexts(fields);
  const k = kyselyOf(db);
  if (dialectOf(db) === "postgres") {
    await sql`insert into ${sql.table(docs)} (id, exact, folded) values (${id}, ${exact}, ${folded})
      on conflict (id) do update set exact = excluded.exact, folded = excluded.folded`.execute(k);
    return;
  }
  // Two tables: atomic when given a Database (own transaction) or the caller's trx.
  await withinTransaction(db, async (trx) => {
    const { rows } = await sql<{ rid: number }>`insert into ${sql.table(docs)} (id, exact, folded)
        values (${id}, ${exact}, ${folded})
        on conflict (id) do update set exact = excluded.exact, folded = excluded.folded
        returning rid`.execute(trx);
    const rid = rows[0]!.rid;
    await sql`delete from ${sql.table(fts)} where rowid = ${rid}`.execute(trx);
    await sql`insert into ${sql.table(fts)} (rowid, folded) values (${rid}, ${folded})`.execute(trx);
  });
}

/** Removes a document from the index; false if it was not there. */
export async function removeDocument(db: Executor, name: string, id: string): Promise<boolean> {
  const { docs, fts } = tableNames(name);
  const k = kyselyOf(db);
  if (dialectOf(db) === "postgres") {
    const result = await sql`delete from ${sql.table(docs)} where id = ${id}`.execute(k);
    return Number(result.numAffectedRows ?? 0) > 0;
  }
  const { rows } = await sql<{
    rid: number;
  }>`delete from ${sql.table(docs)} where id = ${id} returning rid`.execute(k);
  if (rows.length === 0) return false;
  await sql`delete from ${sql.table(fts)} where rowid = ${rows[0]!.rid}`.execute(k);
  return true;
}

export async function search(
  db: Executor,
  name: string,
  query: string,
  { limit = 20, offset = 0, prefix = false }: SearchOptions = {},
): Promise<SearchHit[]> {
  const { docs, fts } = tableNames(name);
  if (query.length > MAX_SEARCH_QUERY_CHARS) {
    throw new StoreError("STORE_SEARCH_QUERY_TOO_LONG", { limit: MAX_SEARCH_QUERY_CHARS });
  }
  const words = searchWords(query).slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) return [];
  const folded = words.map((w) => foldVietnamese(w));
  const safeLimit = Math.max(1, Math.min(1000, Math.floor(limit)));
  const safeOffset = Math.max(0, Math.floor(offset));

  // With `prefix`, the last word's trailing boundary is dropped from the phrase/word probes.
  const end = prefix ? "" : " ";
  const exactPhrase = ` ${words.join(" ")}${end}`;
  const foldedPhrase = ` ${folded.join(" ")}${end}`;
  const postgres = dialectOf(db) === "postgres";
  const contains = (column: string, needle: string) =>
    postgres ? sql`strpos(${sql.ref(column)}, ${needle}) > 0` : sql`instr(${sql.ref(column)}, ${needle}) > 0`;
  const exactWords = sql.join(
    words.map((w, i) => contains("d.exact", ` ${w}${i === words.length - 1 ? end : " "}`)),
    sql` and `,
  );
  const tier = sql<number>`case
      when ${contains("d.exact", exactPhrase)} then 0
      when ${contains("d.folded", foldedPhrase)} then 1
      when ${exactWords} then 2
      else 3 end`;

  const k = kyselyOf(db);
  let rows: { id: string; tier: number }[];
  if (postgres) {
    const tsquery = folded
      .map((w, i) => `'${w}'${prefix && i === folded.length - 1 ? ":*" : ""}`)
      .join(" & ");
    ({ rows } = await sql<{ id: string; tier: number }>`
      select d.id, ${tier} as tier from ${sql.table(docs)} as d
      where d.tsv @@ to_tsquery('simple', ${tsquery})
      order by tier, length(d.folded), d.id collate "C"
      limit ${safeLimit} offset ${safeOffset}`.execute(k));
  } else {
    const match = folded.map((w, i) => `"${w}"${prefix && i === folded.length - 1 ? "*" : ""}`).join(" ");
    ({ rows } = await sql<{ id: string; tier: number }>`
      select d.id, ${tier} as tier from ${sql.table(fts)}
      join ${sql.table(docs)} as d on d.rid = ${sql.table(fts)}.rowid
      where ${sql.table(fts)} match ${match}
      order by tier, length(d.folded), d.id
      limit ${safeLimit} offset ${safeOffset}`.execute(k));
  }
  return rows.map((r) => ({ id: r.id, match: MATCHES[Number(r.tier)]! }));
}
