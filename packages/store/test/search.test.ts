import assert from "node:assert/strict";
import { before, it } from "node:test";
import { foldVietnamese } from "@truc/common";
import { sql } from "kysely";
import {
  createSearchIndex,
  indexDocument,
  migrate,
  removeDocument,
  type SearchHit,
  StoreError,
  search,
} from "../src/index.ts";
import { describeEachDialect } from "../src/testing.ts";

const DOCS: Record<string, Record<string, string>> = {
  nd30: { title: "Nghị định 30/2020/NĐ-CP về công tác văn thư" },
  "qd-danang": { title: "Quyết định phê duyệt kế hoạch", body: "Ủy ban nhân dân thành phố Đà Nẵng" },
  "dinh-nui": { title: "Đỉnh núi Bà Đen", body: "cây đinh sắt" },
  "cv-hanoi": { title: "Công văn gửi Sở Nội vụ", body: "gui ve da nang" },
  "dinh-doc-lap": { title: "Dinh Độc Lập" },
};

const pairs = (hits: SearchHit[]) => hits.map((h) => `${h.id}:${h.match}`);

// The same expectations run on both dialects: identical results is the point.
describeEachDialect("Vietnamese search", (ctx) => {
  before(async () => {
    const db = ctx.db();
    await migrate(db, [{ id: "searchtest-0001-index", up: (trx) => createSearchIndex(trx, "docs") }]);
    await db.transaction(async (trx) => {
      for (const [id, fields] of Object.entries(DOCS)) await indexDocument(trx, "docs", id, fields);
    });
  });

  it("finds định, đỉnh, đinh and Dinh for the unaccented query dinh, literal match first", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "dinh")), [
      "dinh-doc-lap:exact-phrase",
      "dinh-nui:phrase",
      "nd30:phrase",
      "qd-danang:phrase",
    ]);
  });

  it("ranks exact-diacritic matches first for an accented query", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "định")), [
      "nd30:exact-phrase",
      "qd-danang:exact-phrase",
      "dinh-doc-lap:phrase",
      "dinh-nui:phrase",
    ]);
  });

  it("treats Đà Nẵng and da nang as the same words, each preferring its own spelling", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "Đà Nẵng")), [
      "qd-danang:exact-phrase",
      "cv-hanoi:phrase",
    ]);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "da nang")), [
      "cv-hanoi:exact-phrase",
      "qd-danang:phrase",
    ]);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "ĐÀ NẴNG")), [
      "qd-danang:exact-phrase",
      "cv-hanoi:phrase",
    ]);
    // Decomposed (NFD) input is the same query.
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "Đà Nẵng".normalize("NFD"))), [
      "qd-danang:exact-phrase",
      "cv-hanoi:phrase",
    ]);
  });

  it("matches words out of order below phrases", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "nẵng đà")), [
      "qd-danang:exact-words",
      "cv-hanoi:words",
    ]);
  });

  it("does not match a phrase across two fields", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "hoạch ủy")), ["qd-danang:exact-words"]);
  });

  it("handles punctuation, numbers and document symbols", async () => {
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "NĐ-CP")), ["nd30:exact-phrase"]);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "nghi dinh 30")), ["nd30:phrase"]);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "30/2020")), ["nd30:exact-phrase"]);
    assert.deepEqual(await search(ctx.db(), "docs", "hà nội"), []);
    assert.deepEqual(await search(ctx.db(), "docs", "  !!! "), []);
  });

  it("supports prefix search on the last word", async () => {
    assert.deepEqual(await search(ctx.db(), "docs", "quyết đị"), []);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "quyết đị", { prefix: true })), [
      "qd-danang:exact-phrase",
    ]);
    assert.deepEqual(pairs(await search(ctx.db(), "docs", "quyet d", { prefix: true })), [
      "qd-danang:phrase",
    ]);
  });

  it("pages with limit and offset", async () => {
    assert.deepEqual(
      (await search(ctx.db(), "docs", "dinh", { limit: 2, offset: 1 })).map((h) => h.id),
      ["dinh-nui", "nd30"],
    );
  });

  it("re-indexes and removes documents", async () => {
    const db = ctx.db();
    await indexDocument(db, "docs", "dinh-doc-lap", { title: "Hội trường Thống Nhất" });
    assert.ok(!(await search(db, "docs", "dinh")).some((h) => h.id === "dinh-doc-lap"));
    assert.deepEqual(pairs(await search(db, "docs", "thong nhat")), ["dinh-doc-lap:phrase"]);
    assert.equal(await removeDocument(db, "docs", "dinh-doc-lap"), true);
    assert.equal(await removeDocument(db, "docs", "dinh-doc-lap"), false);
    assert.deepEqual(await search(db, "docs", "thong nhat"), []);
  });

  it("rejects over-long queries and invalid index names", async () => {
    await assert.rejects(
      search(ctx.db(), "docs", "a".repeat(513)),
      (e: unknown) => e instanceof StoreError && e.code === "STORE_SEARCH_QUERY_TOO_LONG",
    );
    await assert.rejects(
      search(ctx.db(), "docs; drop table x", "a"),
      (e: unknown) => e instanceof StoreError && e.code === "STORE_NAME_INVALID",
    );
  });

  it("foldVietnamese agrees with PostgreSQL unaccent on every Vietnamese letter", {
    skip: ctx.dialect !== "postgres",
  }, async () => {
    const db = ctx.db();
    await sql`create extension if not exists unaccent`.execute(db.kysely);
    await sql`create extension if not exists pg_trgm`.execute(db.kysely);
    const tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"];
    const vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];
    const letters = vowels.flatMap((v) => tones.map((t) => (v + t).normalize("NFC")));
    const text = [...letters, "đ", "b c d g h k l m n p q r s t v x"].join(" ");
    const both = `${text} ${text.toUpperCase()}`;
    const { rows } = await sql<{ folded: string }>`select unaccent(${both}) as folded`.execute(db.kysely);
    assert.equal(rows[0]?.folded, foldVietnamese(both));
  });
});
