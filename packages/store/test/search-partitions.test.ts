import assert from "node:assert/strict";
import { before, it } from "node:test";
import { CompiledQuery } from "kysely";
import {
  createSearchIndex,
  indexDocument,
  indexDocuments,
  migrate,
  removeDocument,
  type SearchHit,
  search,
  searchHits,
  searchMatchOf,
} from "../src/index.ts";
import { describeEachDialect } from "../src/testing.ts";

const pairs = (hits: SearchHit[]) => hits.map((h) => `${h.id}:${h.match}`);
const ids = (hits: SearchHit[]) => hits.map((h) => h.id);

// A big tenant whose documents all match "nghị định", and a small one with two matches.
const BIG = 450;

describeEachDialect("Vietnamese search: tenants, phrases and joins", (ctx) => {
  before(async () => {
    const db = ctx.db();
    await migrate(db, [
      {
        id: "searchparts-0001-index",
        async up(trx) {
          await createSearchIndex(trx, "parts");
          await trx.schema
            .createTable("items")
            .addColumn("id", "text", (c) => c.primaryKey())
            .addColumn("tenant", "text", (c) => c.notNull())
            .addColumn("kind", "text", (c) => c.notNull())
            .addColumn("at", "text", (c) => c.notNull())
            .execute();
        },
      },
    ]);
    const big = Array.from({ length: BIG }, (_, i) => ({
      id: `big-${String(i).padStart(4, "0")}`,
      tenant: "agency-big",
      fields: { subject: `Nghị định số ${i} về công tác văn thư` },
    }));
    await indexDocuments(db, "parts", [
      ...big,
      { id: "small-1", tenant: "agency-small", fields: { subject: "Nghị định về văn thư lưu trữ" } },
      {
        id: "small-2",
        tenant: "agency-small",
        fields: { subject: "Kế hoạch", body: "nghi dinh thu nghiem" },
      },
      { id: "small-3", tenant: "agency-small", fields: { subject: "Định hướng", body: "nghị quyết" } },
      // The same id in another tenant is another document.
      { id: "small-1", tenant: "agency-other", fields: { subject: "Thông báo Đà Nẵng" } },
      { id: "words", tenant: "agency-other", fields: { subject: "北京 Москва Ελλάδα" } },
      {
        id: "long",
        tenant: "agency-other",
        fields: { subject: `mã ${"x".repeat(100)}` },
      },
      // Re-indexed within the same batch: the last version wins.
      { id: "twice", tenant: "agency-other", fields: { subject: "bản nháp" } },
      { id: "twice", tenant: "agency-other", fields: { subject: "bản chính thức" } },
    ]);
    await db.transaction(async (trx) => {
      const rows = [
        ...big.map((d, i) => ({
          id: d.id,
          tenant: d.tenant,
          kind: i === 400 ? "quyết định" : "công văn",
          at: d.id,
        })),
        { id: "small-2", tenant: "agency-small", kind: "kế hoạch", at: "2024" },
      ];
      for (let i = 0; i < rows.length; i += 100)
        await trx
          .insertInto("items")
          .values(rows.slice(i, i + 100))
          .execute();
    });
  });

  it("searches one tenant only: a small tenant's hits are not crowded out by a big one", async () => {
    const db = ctx.db();
    assert.deepEqual(pairs(await search(db, "parts", "nghị định", { tenant: "agency-small" })), [
      "small-1:exact-phrase",
      "small-2:phrase",
      "small-3:exact-words",
    ]);
    const big = await search(db, "parts", "nghi dinh", { tenant: "agency-big", limit: 1000 });
    assert.equal(big.length, BIG);
    assert.ok(big.every((h) => h.id.startsWith("big-") && h.match === "phrase"));
    // The default partition ("") and an unknown tenant see nothing of either.
    assert.deepEqual(await search(db, "parts", "nghi dinh"), []);
    assert.deepEqual(await search(db, "parts", "nghi dinh", { tenant: "agency-none" }), []);
    // Same id, two tenants: two documents.
    assert.deepEqual(pairs(await search(db, "parts", "da nang", { tenant: "agency-other" })), [
      "small-1:phrase",
    ]);
    assert.deepEqual(await search(db, "parts", "da nang", { tenant: "agency-small" }), []);
  });

  it("requires adjacent words for a quoted query or phrase: true", async () => {
    const db = ctx.db();
    const tenant = "agency-small";
    assert.deepEqual(ids(await search(db, "parts", "định nghị", { tenant })), [
      "small-3",
      "small-1",
      "small-2",
    ]);
    assert.deepEqual(await search(db, "parts", '"định nghị"', { tenant }), []);
    assert.deepEqual(pairs(await search(db, "parts", '"nghị định"', { tenant })), [
      "small-1:exact-phrase",
      "small-2:phrase",
    ]);
    assert.deepEqual(pairs(await search(db, "parts", "văn thư", { tenant, phrase: true })), [
      "small-1:exact-phrase",
    ]);
    assert.deepEqual(pairs(await search(db, "parts", '"nghi d"', { tenant, prefix: true })), [
      "small-2:exact-phrase",
      "small-1:phrase",
    ]);
  });

  it("prefix search stays inside the tenant", async () => {
    const db = ctx.db();
    assert.deepEqual(ids(await search(db, "parts", "đị", { tenant: "agency-small", prefix: true })), [
      "small-3",
      "small-1",
      "small-2",
    ]);
    assert.deepEqual(await search(db, "parts", "thông", { tenant: "agency-small", prefix: true }), []);
  });

  it("indexes other scripts and very long words the same way on both dialects", async () => {
    const db = ctx.db();
    const tenant = "agency-other";
    assert.deepEqual(ids(await search(db, "parts", "москва", { tenant })), ["words"]);
    assert.deepEqual(ids(await search(db, "parts", "北京", { tenant })), ["words"]);
    assert.deepEqual(ids(await search(db, "parts", "ελλαδα", { tenant })), ["words"]);
    assert.deepEqual(ids(await search(db, "parts", "x".repeat(100), { tenant })), ["long"]);
    assert.deepEqual(ids(await search(db, "parts", "ma x", { tenant, prefix: true })), ["long"]);
    assert.deepEqual(ids(await search(db, "parts", "chinh thuc", { tenant })), ["twice"]);
    assert.deepEqual(await search(db, "parts", "nhap", { tenant }), []);
    assert.deepEqual(await search(db, "parts", `' or 1=1 --`, { tenant }), []);
    assert.deepEqual(await search(db, "parts", `"_t" AND *`, { tenant }), []);
  });

  it("joins the hits with the caller's table: filters apply before the limit", async () => {
    const db = ctx.db();
    const hits = searchHits(db, "parts", "nghị định", "hits", { tenant: "agency-big" });
    assert.ok(hits);
    // Ranked alone, the one "quyết định" item is far beyond the first 20 hits.
    const alone = await search(db, "parts", "nghị định", { tenant: "agency-big", limit: 1000 });
    assert.ok(alone.findIndex((h) => h.id === "big-0400") > 20);
    const rows = await db.kysely
      .selectFrom("items")
      .innerJoin(hits, "hits.id", "items.id")
      .select(["items.id", "hits.tier"])
      .where("items.tenant", "=", "agency-big")
      .where("items.kind", "=", "quyết định")
      .orderBy("hits.tier")
      .orderBy("items.at", "desc")
      .limit(20)
      .execute();
    assert.deepEqual(
      rows.map((r) => `${r.id}:${searchMatchOf(r.tier)}`),
      ["big-0400:exact-phrase"],
    );
    assert.equal(searchHits(db, "parts", " ... ", "hits"), null);
  });

  it("re-indexes and removes a document within its tenant only", async () => {
    const db = ctx.db();
    await indexDocument(db, "parts", "small-3", { subject: "Đà Nẵng" }, { tenant: "agency-small" });
    assert.deepEqual(ids(await search(db, "parts", "da nang", { tenant: "agency-small" })), ["small-3"]);
    assert.deepEqual(ids(await search(db, "parts", "da nang", { tenant: "agency-other" })), ["small-1"]);
    assert.equal(await removeDocument(db, "parts", "small-1", { tenant: "agency-small" }), true);
    assert.equal(await removeDocument(db, "parts", "small-1", { tenant: "agency-small" }), false);
    assert.deepEqual(ids(await search(db, "parts", "da nang", { tenant: "agency-other" })), ["small-1"]);
    assert.deepEqual(ids(await search(db, "parts", "nghị định", { tenant: "agency-small" })), ["small-2"]);
    assert.deepEqual(ids(await search(db, "parts", "nghị", { tenant: "agency-small" })), ["small-2"]);
  });

  it("the full-text index drives the join plan", async () => {
    const db = ctx.db();
    const hits = searchHits(db, "parts", "nghị định", "hits", { tenant: "agency-small" })!;
    const compiled = db.kysely
      .selectFrom("items")
      .innerJoin(hits, "hits.id", "items.id")
      .select("items.id")
      .where("items.kind", "=", "kế hoạch")
      .compile();
    const prefix = ctx.dialect === "sqlite" ? "explain query plan " : "explain ";
    const { rows } = await db.kysely.executeQuery(
      CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
    );
    const text = JSON.stringify(rows);
    // SQLite: the FTS5 match runs first and items are probed by primary key. PostgreSQL picks
    // the GIN index or the (tenant, id) key by cost; either way no table is scanned whole.
    if (ctx.dialect === "sqlite") {
      assert.match(text, /SCAN [^"]*VIRTUAL TABLE INDEX/);
      assert.match(text, /SEARCH items USING INDEX sqlite_autoindex_items_1/);
    } else {
      assert.match(text, /search_parts_tsv|search_parts_pkey/);
      assert.doesNotMatch(text, /Seq Scan/);
    }
  });
});
