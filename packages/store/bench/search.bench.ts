/**
 * Vietnamese search over BENCH_SEARCH_DOCS documents (default 1,000,000) on SQLite and on
 * PostgreSQL. Subjects are generated from word lists (document types, actions, objects, places,
 * numbers and notations), spread over 100 agencies (tenants): one big agency with half of the
 * documents, 98 middle ones, and one small agency with 200. A plain metadata table (type,
 * urgency, date) stands for the caller's own table.
 *
 * Reported per dialect:
 * - build: documents/s and seconds for the search index (transactions of 20,000 documents), next
 *   to a plain multi-row INSERT of the same documents' metadata rows in the same transactions;
 * - queries (top 20): median and p95 latency over BENCH_SEARCH_RUNS runs (default 30, after a
 *   warm-up), next to a same-run ceiling: for the big agency (half of the documents, where a
 *   query ranks thousands of hits) `count(*)` of that agency's rows in the same search table;
 *   for the small and middle agencies a primary-key lookup of one indexed document. The number
 *   of matching documents is in the note.
 * Env: BENCH_SEARCH_DOCS, BENCH_SEARCH_RUNS, BENCH_SEARCH_DIALECTS (default "sqlite,postgres").
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchRow, peakRssMiB, percentile, report } from "@truc/common/bench";
import { sql } from "kysely";
import {
  type AnyKysely,
  createSearchIndex,
  type Database,
  type Dialect,
  indexDocuments,
  migrate,
  openDatabase,
  type SearchDocument,
  search,
  searchHits,
} from "../src/index.ts";
import { createTestDatabase, seededRandom } from "../src/testing.ts";

const DOCS = Number(process.env.BENCH_SEARCH_DOCS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 30);
const DIALECTS = (process.env.BENCH_SEARCH_DIALECTS ?? "sqlite,postgres").split(",") as Dialect[];
const TX_DOCS = 20_000;
const INDEX = "bench";
const BIG = "000.00.00.H17";
const SMALL = "000.00.99.H99";
const SMALL_DOCS = 200;

// ------------------------------------------------------------------ documents from word lists

const TYPES = [
  ["Quyết định", "QĐ"],
  ["Công văn", "CV"],
  ["Thông báo", "TB"],
  ["Kế hoạch", "KH"],
  ["Báo cáo", "BC"],
  ["Tờ trình", "TTr"],
  ["Nghị quyết", "NQ"],
  ["Chỉ thị", "CT"],
] as const;
const ACTIONS = [
  "phê duyệt",
  "triển khai",
  "tăng cường",
  "điều động",
  "bổ nhiệm",
  "kiểm tra",
  "sửa chữa",
  "hướng dẫn",
  "tổ chức",
  "ban hành",
  "thực hiện",
  "đôn đốc",
  "góp ý dự thảo",
  "đề nghị hỗ trợ",
  "khen thưởng",
];
const OBJECTS = [
  "công tác văn thư, lưu trữ",
  "cán bộ, công chức cấp xã",
  "đường giao thông nông thôn",
  "phòng, chống thiên tai",
  "chuyển đổi số",
  "kế hoạch đầu tư công trung hạn",
  "quy hoạch sử dụng đất",
  "cải cách hành chính",
  "nghị định 30/2020/NĐ-CP",
  "dự toán ngân sách nhà nước",
  "phòng cháy, chữa cháy",
  "an toàn thực phẩm",
  "giải phóng mặt bằng",
  "xây dựng nông thôn mới",
  "thi đua, khen thưởng",
  "tiếp công dân",
  "bảo vệ môi trường",
  "chương trình mục tiêu quốc gia",
  "trường học và cơ sở y tế",
  "điện sinh hoạt cho đồng bào",
];
const PLACES = [
  "tỉnh Quảng Nam",
  "thành phố Đà Nẵng",
  "huyện Điện Bàn",
  "xã Hòa Vang",
  "thị xã Điện Bàn",
  "huyện Đại Lộc",
  "phường Hải Châu",
  "tỉnh Thừa Thiên Huế",
  "thành phố Hội An",
  "huyện Núi Thành",
  "tỉnh Đắk Lắk",
  "thành phố Hà Nội",
];
const ISSUERS = ["UBND", "SNV", "STC", "SKHĐT", "SGTVT", "SYT", "SGDĐT", "STNMT"];
const URGENCIES = ["thuong", "thuong", "thuong", "thuong", "khan", "thuong_khan", "hoa_toc"];

interface Generated {
  search: SearchDocument;
  meta: { id: string; tenant: string; type_name: string; urgency: string; doc_date: string };
}

/** Middle agencies 1…98. */
const middle = (k: number) => `000.00.${String(k).padStart(2, "0")}.H${String(k).padStart(2, "0")}`;

function tenantOf(i: number): string {
  if (i % Math.max(1, Math.floor(DOCS / SMALL_DOCS)) === 7) return SMALL;
  if (i % 2 === 0) return BIG;
  return middle(1 + ((i >> 1) % 98));
}

function generate(i: number): Generated {
  const r = seededRandom(i + 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const [typeName, abbr] = pick(TYPES);
  const subject = `${typeName} về việc ${pick(ACTIONS)} ${pick(OBJECTS)} trên địa bàn ${pick(PLACES)}`;
  const number = 1 + Math.floor(r() * 3000);
  const date = `${2015 + Math.floor(r() * 11)}/${String(1 + Math.floor(r() * 12)).padStart(2, "0")}/${String(1 + Math.floor(r() * 28)).padStart(2, "0")}`;
  const tenant = tenantOf(i);
  const id = `d${String(i).padStart(8, "0")}`;
  return {
    search: {
      id,
      tenant,
      fields: {
        subject,
        type: typeName,
        code: `${number}/${abbr}-${pick(ISSUERS)}`,
        issuer: `${pick(ISSUERS)} ${pick(PLACES)}`,
      },
    },
    meta: { id, tenant, type_name: typeName, urgency: pick(URGENCIES), doc_date: date },
  };
}

// ------------------------------------------------------------------ timing helpers

async function latencies(op: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await op();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await op();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const ms = (n: number) => Math.round(n * 1000) / 1000;

// ------------------------------------------------------------------ one dialect

async function benchDialect(dialect: Dialect, dir: string): Promise<BenchRow[]> {
  let drop: (() => Promise<void>) | undefined;
  let db: Database;
  if (dialect === "sqlite") {
    db = await openDatabase({ kind: "sqlite", path: join(dir, "sqlite", "search.sqlite") });
  } else {
    const created = await createTestDatabase();
    drop = created.drop;
    db = await openDatabase({ kind: "postgres", url: created.url, poolSize: 2 });
  }
  const tag = `[${dialect}]`;
  const rows: BenchRow[] = [];
  try {
    await migrate(db, [
      {
        id: "searchbench-0001-tables",
        async up(trx: AnyKysely) {
          await createSearchIndex(trx, INDEX);
          await trx.schema
            .createTable("bench_meta")
            .addColumn("id", "text", (c) => c.primaryKey())
            .addColumn("tenant", "text", (c) => c.notNull())
            .addColumn("type_name", "text", (c) => c.notNull())
            .addColumn("urgency", "text", (c) => c.notNull())
            .addColumn("doc_date", "text", (c) => c.notNull())
            .execute();
          await trx.schema
            .createIndex("bench_meta_tenant")
            .on("bench_meta")
            .columns(["tenant", "doc_date"])
            .execute();
        },
      },
    ]);

    // Build: each transaction writes TX_DOCS metadata rows (plain INSERT, timed alone) and
    // indexes the same documents (timed alone); the commit is counted with the index.
    let metaMs = 0;
    let indexMs = 0;
    const buildStart = performance.now();
    for (let start = 0; start < DOCS; start += TX_DOCS) {
      const batch = Array.from({ length: Math.min(TX_DOCS, DOCS - start) }, (_, j) => generate(start + j));
      await db.transaction(async (trx) => {
        const t0 = performance.now();
        for (let k = 0; k < batch.length; k += 500)
          await trx
            .insertInto("bench_meta")
            .values(batch.slice(k, k + 500).map((g) => g.meta))
            .execute();
        const t1 = performance.now();
        await indexDocuments(
          trx,
          INDEX,
          batch.map((g) => g.search),
        );
        const t2 = performance.now();
        metaMs += t1 - t0;
        indexMs += t2 - t1;
      });
      if (start % 200_000 === 0 && start > 0)
        console.log(
          `${tag} ${start.toLocaleString("en-US")} documents, ${((performance.now() - buildStart) / 1000).toFixed(0)} s`,
        );
    }
    const buildMs = performance.now() - buildStart;
    indexMs = buildMs - metaMs; // generation and commits count against the index
    if (dialect === "postgres") await sql`vacuum analyze`.execute(db.kysely);
    else await sql`analyze`.execute(db.kysely);
    const size =
      dialect === "postgres"
        ? Number(
            (await sql<{ b: string }>`select pg_total_relation_size('search_bench') as b`.execute(db.kysely))
              .rows[0]!.b,
          )
        : Number(
            (
              await sql<{ b: number }>`select sum(pgsize) as b from dbstat
                where name like 'search_bench%' or name like 'sqlite_autoindex_search_bench%'`.execute(
                db.kysely,
              )
            ).rows[0]?.b ?? 0,
          );
    rows.push({
      figure: `${tag} build search index, ${DOCS.toLocaleString("en-US")} docs`,
      value: DOCS / (indexMs / 1000),
      unit: "docs/s",
      ceiling: { name: "plain INSERT of the metadata rows", value: DOCS / (metaMs / 1000) },
      note: `index ${(indexMs / 1000).toFixed(1)} s, whole build ${(buildMs / 1000).toFixed(1)} s, ${Math.round(size / 2 ** 20)} MiB (${Math.round(size / DOCS)} B/doc)`,
    });

    // Ceilings: one indexed document by primary key; the big agency's metadata rows counted.
    const pk = await latencies(() =>
      sql`select id, folded from search_bench where tenant = ${BIG} and id = ${"d00000042"}`.execute(
        db.kysely,
      ),
    );
    const pkMedian = percentile(pk, 50);
    const countBig = await latencies(() =>
      sql`select count(*) as n from search_bench where tenant = ${BIG}`.execute(db.kysely),
    );
    const countMedian = percentile(countBig, 50);
    rows.push({
      figure: `${tag} ceiling: primary-key lookup of one indexed document`,
      value: pkMedian,
      unit: "ms",
      note: `p95 ${ms(percentile(pk, 95))} ms`,
    });
    rows.push({
      figure: `${tag} ceiling: count(*) of the big agency's indexed documents`,
      value: percentile(countBig, 50),
      unit: "ms",
      note: `p95 ${ms(percentile(countBig, 95))} ms`,
    });

    const cases: {
      name: string;
      tenant: string;
      run: () => Promise<unknown[]>;
      count: () => Promise<number>;
    }[] = [];
    const plain = (name: string, tenant: string, q: string, options: { prefix?: boolean } = {}) =>
      cases.push({
        name,
        tenant,
        run: () => search(db, INDEX, q, { tenant, limit: 20, ...options }),
        count: async () => {
          const hits = searchHits(db, INDEX, q, "h", { tenant, ...options })!;
          const { rows } = await sql<{ n: number }>`select count(*) as n from ${hits}`.execute(db.kysely);
          return Number(rows[0]!.n);
        },
      });
    plain("one word, accented (đường)", BIG, "đường");
    plain("two words unaccented (giao thong)", BIG, "giao thong");
    plain("three words unaccented (chuyen doi so)", BIG, "chuyen doi so");
    plain('phrase ("chuyển đổi số")', BIG, '"chuyển đổi số"');
    plain("rare words (núi thành khen thưởng)", BIG, "núi thành khen thưởng");
    plain("prefix, search as you type (quyet d)", BIG, "quyet d", { prefix: true });
    plain("small agency (nghi dinh)", SMALL, "nghi dinh");
    plain("middle agency (da nang)", middle(1), "da nang");
    const filtered = (tenant: string, q: string) => {
      const hits = searchHits(db, INDEX, q, "h", { tenant })!;
      return db.kysely
        .selectFrom("bench_meta as m")
        .innerJoin(hits, "h.id", "m.id")
        .where("m.tenant", "=", tenant)
        .where("m.type_name", "=", "Quyết định")
        .where("m.urgency", "=", "hoa_toc")
        .where("m.doc_date", ">=", "2024/01/01");
    };
    cases.push({
      name: "with filters (can bo + Quyết định, hỏa tốc, since 2024)",
      tenant: BIG,
      run: () =>
        filtered(BIG, "can bo")
          .select(["m.id", "h.tier"])
          .orderBy("h.tier")
          .orderBy("m.doc_date", "desc")
          .orderBy("m.id")
          .limit(20)
          .execute(),
      count: async () =>
        Number(
          (
            await filtered(BIG, "can bo")
              .select((e) => e.fn.countAll().as("n"))
              .executeTakeFirst()
          )?.n ?? 0,
        ),
    });

    for (const c of cases) {
      const matches = await c.count();
      const got = await c.run();
      const t = await latencies(c.run);
      rows.push({
        figure: `${tag} ${c.name}, top 20`,
        value: percentile(t, 50),
        unit: "ms",
        // A query that must rank thousands of hits is compared with counting its partition, a
        // query over a small partition with fetching one document.
        ceiling:
          c.tenant === BIG
            ? { name: "count(*) of the partition", value: countMedian }
            : { name: "primary-key lookup", value: pkMedian },
        note: `p95 ${ms(percentile(t, 95))} ms; ${matches.toLocaleString("en-US")} matches, ${got.length} returned, tenant ${c.tenant === BIG ? "big" : c.tenant === SMALL ? "small" : "middle"}`,
      });
    }
  } finally {
    await db.close();
    await drop?.();
  }
  return rows;
}

const dir = await mkdtemp(join(tmpdir(), "truc-search-bench-"));
try {
  const rows: BenchRow[] = [];
  for (const dialect of DIALECTS) rows.push(...(await benchDialect(dialect, dir)));
  rows.push({ figure: "peak RSS", value: peakRssMiB(), unit: "MiB" });
  report("store-search", rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
