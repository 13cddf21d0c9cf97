import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { insertIncoming } from "../src/repositories/incoming.ts";
import type { IncomingRow, Tx } from "../src/repositories/rows.ts";
import { backfillSearchIndex, indexIncoming } from "../src/repositories/search.ts";
import { createDraft } from "../src/services/create-draft.ts";
import { searchDocuments } from "../src/services/queries.ts";
import { makeWorld, type World } from "./support/world.ts";

/** A registered incoming document (the row as the receive loop writes it, without the package). */
function incoming(agencyId: string, n: number, extra: Partial<IncomingRow>): IncomingRow {
  const at = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
  return {
    id: randomUUID(),
    agency_id: agencyId,
    state: "registered",
    axis_message_id: `search-${n}`,
    package_ref: null,
    package_sha256: "0".repeat(64),
    document_id: `search-doc-${n}`,
    business_type: 0,
    from_organ_id: "000.00.00.G01",
    from_name: "Văn phòng Chính phủ",
    code_number: String(n),
    code_notation: "VPCP-TH",
    promulgation_date: "2025/01/01",
    type_name: "Công văn",
    subject: `Công văn số ${n}`,
    signer_competence: null,
    signer_position: null,
    signer_name: null,
    urgency: "thuong",
    due_date: null,
    places: "[]",
    attachments: "[]",
    validation: "{}",
    duplicate_flags: "[]",
    arrival_year: 2025,
    arrival_number: n,
    received_at: at,
    registered_at: at,
    rejected_reason: null,
    assigned_unit_id: null,
    assigned_user_id: null,
    assigned_at: null,
    deadline: null,
    instructions: null,
    completed_at: null,
    result_note: null,
    reply_outgoing_id: null,
    pending_request: null,
    replaced_by: null,
    replaces: "[]",
    revoked_at: null,
    revoke_reason: null,
    updated_at: at,
    search_text: "",
    ...extra,
  };
}

// Agency A has many documents that all match "nghị định"; B has a handful.
const CROWD = 250;

describeEachDialect("office search (metadata and full text, both dialects)", (ctx) => {
  let w: World;
  const id: Record<string, string> = {};
  const tx = () => w.deps.db.kysely as unknown as Tx;

  before(async () => {
    w = await makeWorld(ctx);
    const { a, b } = w;
    const docs: [string, string, Partial<IncomingRow>, string | null][] = [
      [
        "a-nd",
        a.agencyId,
        { subject: "Nghị định về công tác văn thư", promulgation_date: "2025/02/01" },
        null,
      ],
      ["a-dinh", a.agencyId, { subject: "Tham quan Dinh Độc Lập", promulgation_date: "2025/02/03" }, null],
      ["a-dinhnui", a.agencyId, { subject: "Báo cáo", promulgation_date: "2025/02/02" }, "Leo lên đỉnh núi"],
      ["a-danang", a.agencyId, { subject: "Kế hoạch của Đà Nẵng", from_organ_id: "000.00.00.H17" }, null],
      ["a-danang-ascii", a.agencyId, { subject: "Ke hoach cua da nang", type_name: "Kế hoạch" }, null],
      [
        "a-urgent",
        a.agencyId,
        { subject: "Nghị định khẩn", urgency: "hoa_toc", promulgation_date: "2024/06/01" },
        null,
      ],
      ["b-nd", b.agencyId, { subject: "Nghị định của B về văn thư", promulgation_date: "2025/02/05" }, null],
      ["b-scan", b.agencyId, { subject: "Văn bản giấy" }, "Sửa chữa đường giao thông nông thôn"],
    ];
    await w.deps.db.transaction(async (trx) => {
      const t = trx as unknown as Tx;
      let n = 0;
      for (const [key, agencyId, extra, body] of docs) {
        const row = incoming(agencyId, n++, extra);
        id[key] = row.id;
        await insertIncoming(t, row);
        await indexIncoming(t, row, body);
      }
      for (let i = 0; i < CROWD; i++) {
        const row = incoming(a.agencyId, 1000 + i, {
          subject: `Thực hiện nghị định số ${i}`,
          promulgation_date: "2025/03/01",
        });
        await insertIncoming(t, row);
        await indexIncoming(t, row, null);
      }
    });
    const draft = await createDraft(w.deps, a.specialist, {
      typeCode: "CV",
      subject: "Góp ý dự thảo Nghị định về Đà Nẵng",
      content: "Ý kiến về quy hoạch đô thị",
      recipients: [{ organId: "000.00.00.H17", organName: "UBND thành phố Đà Nẵng" }],
    });
    id["a-draft"] = draft.id;
  });

  const search = (actor: World["a"]["clerk"], filter: Parameters<typeof searchDocuments>[2]) =>
    searchDocuments(w.deps, actor, filter);
  const keysOf = (hits: { id: string }[]) =>
    hits.map((h) => Object.keys(id).find((k) => id[k] === h.id) ?? "crowd");

  it("finds định, đỉnh and Dinh for dinh (đ → d, metadata and body text), literal spelling first", async () => {
    const hits = await search(w.a.clerk, { q: "dinh", direction: "incoming", limit: 300 });
    const keys = keysOf(hits);
    assert.equal(keys[0], "a-dinh");
    assert.equal(hits[0]!.match, "exact-phrase");
    for (const k of ["a-nd", "a-dinhnui", "a-urgent"]) assert.ok(keys.includes(k), k);
    assert.equal(keys.filter((k) => k === "crowd").length, CROWD);
    assert.ok(hits.slice(1).every((h) => h.match === "phrase" && !h.exactMatch));
    // Accented: the documents spelled định come first, then the other folded matches.
    const accented = keysOf(await search(w.a.clerk, { q: "định", direction: "incoming", limit: 300 }));
    const firstOther = Math.min(accented.indexOf("a-dinh"), accented.indexOf("a-dinhnui"));
    assert.equal(firstOther, CROWD + 2);
  });

  it("treats Đà Nẵng and da nang as the same words, each preferring its own spelling", async () => {
    const accented = await search(w.a.clerk, { q: "Đà Nẵng" });
    // Within a tier, newest document date first; an undated draft comes last.
    assert.deepEqual(keysOf(accented), ["a-danang", "a-draft", "a-danang-ascii"]);
    assert.deepEqual(
      accented.map((h) => h.match),
      ["exact-phrase", "exact-phrase", "phrase"],
    );
    const ascii = await search(w.a.clerk, { q: "da nang" });
    assert.deepEqual(keysOf(ascii), ["a-danang-ascii", "a-danang", "a-draft"]);
    assert.deepEqual(
      ascii.map((h) => h.match),
      ["exact-phrase", "phrase", "phrase"],
    );
  });

  it("never returns another agency's documents, and a small agency's hits are not crowded out", async () => {
    const b = await search(w.b.clerk, { q: "nghi dinh", limit: 5 });
    assert.deepEqual(keysOf(b), ["b-nd"]);
    const a = await search(w.a.clerk, { q: "nghị định công tác", limit: 1000 });
    assert.deepEqual(keysOf(a), ["a-nd"]);
    // The last word is a prefix (search as you type): "thư" also finds "thực".
    const typed = await search(w.a.clerk, { q: "nghị định văn thư", limit: 1000 });
    assert.deepEqual(keysOf(typed.slice(0, 1)), ["a-nd"]);
    assert.equal(typed.length, 1 + CROWD);
    const all = await search(w.a.clerk, { q: "nghi", limit: 1000 });
    assert.ok(!all.some((h) => h.id === id["b-nd"] || h.id === id["b-scan"]));
    assert.deepEqual(await search(w.a.clerk, { q: "sua chua duong" }), []);
    // B's scan is found by B from its OCR text only, without diacritics.
    assert.deepEqual(keysOf(await search(w.b.clerk, { q: "sua chua duong giao thong" })), ["b-scan"]);
  });

  it("applies the filters before the limit: type, issuer, urgency, state, dates, direction", async () => {
    // Ranked alone, the urgent document is behind the crowd (oldest date); the filter finds it.
    const plain = await search(w.a.clerk, { q: "nghị định", limit: 10 });
    assert.ok(!plain.some((h) => h.id === id["a-urgent"]));
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "nghị định", urgency: "hoa_toc", limit: 10 })), [
      "a-urgent",
    ]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "nghị định", to: "2024-12-31", limit: 10 })), [
      "a-urgent",
    ]);
    assert.deepEqual(
      keysOf(await search(w.a.clerk, { q: "nghị định", from: "2025-02-01", to: "2025-02-28", limit: 10 })),
      ["a-nd"],
    );
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "da nang", typeName: "Kế hoạch" })), [
      "a-danang-ascii",
    ]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "da nang", issuer: "000.00.00.H17" })), [
      "a-danang",
    ]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "da nang", state: "draft" })), ["a-draft"]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "da nang", direction: "outgoing" })), ["a-draft"]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "quy hoach do thi" })), ["a-draft"]);
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: '"nang da"' })), []);
    assert.deepEqual(await search(w.a.clerk, { q: " !!! " }), []);
  });

  it("re-indexing metadata keeps the body text; documents stored before the index are backfilled", async () => {
    const t = tx();
    const row = await t
      .selectFrom("office_incoming")
      .selectAll()
      .where("id", "=", id["a-dinhnui"]!)
      .executeTakeFirstOrThrow();
    await indexIncoming(t, { ...row, subject: "Báo cáo chuyến đi" });
    assert.deepEqual(keysOf(await search(w.a.clerk, { q: "chuyen di dinh nui" })), ["a-dinhnui"]);

    const old = incoming(w.b.agencyId, 5000, {
      subject: "Văn bản cũ về thủy lợi",
      search_text: "van ban cu noi dung kenh muong",
    });
    await insertIncoming(t, old);
    assert.deepEqual(await search(w.b.clerk, { q: "thuy loi" }), []);
    await w.deps.db.transaction((trx) => backfillSearchIndex(trx as unknown as Tx));
    // The old body was only kept folded: found, but its words never rank as exact.
    const found = await search(w.b.clerk, { q: "thủy lợi kênh" });
    assert.deepEqual(
      found.map((h) => `${h.id === old.id}:${h.match}`),
      ["true:words"],
    );
    assert.deepEqual(
      (await search(w.b.clerk, { q: "thủy lợi kenh" })).map((h) => `${h.id === old.id}:${h.match}`),
      ["true:exact-words"],
    );
    // The backfill re-indexes what was already indexed without changing the answers.
    assert.deepEqual(keysOf(await search(w.b.clerk, { q: "nghi dinh" })), ["b-nd"]);
  });
});
