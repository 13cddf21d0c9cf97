import assert from "node:assert/strict";
import { before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { strFromU8, unzipSync } from "fflate";
import { XLSX_HEADER_ROW } from "../src/adapters/register-xlsx.ts";
import { buildOfficeApp } from "../src/http/app.ts";
import type { Tx } from "../src/repositories/rows.ts";
import { assignIncoming } from "../src/services/assign-incoming.ts";
import {
  FOLLOW_UP_REGISTER_COLUMNS,
  INCOMING_REGISTER_COLUMNS,
  OUTGOING_REGISTER_COLUMNS,
} from "../src/services/export-register.ts";
import { registerIncoming } from "../src/services/register-incoming.ts";
import { incomingAtB, issueFromA, sync } from "./support/flow.ts";
import { makeWorld, PASSWORD, type World } from "./support/world.ts";

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Reads the first sheet of an XLSX back into rows of text (shared and inline strings, numbers). */
function readXlsx(bytes: Uint8Array): { rows: string[][]; formulas: number; landscape: boolean } {
  const zip = unzipSync(bytes);
  const shared = [
    ...strFromU8(zip["xl/sharedStrings.xml"] ?? new Uint8Array()).matchAll(/<si>(.*?)<\/si>/gs),
  ].map((m) => unescapeXml([...m[1]!.matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join("")));
  const sheet = strFromU8(zip["xl/worksheets/sheet1.xml"]!);
  const rows: string[][] = [];
  for (const row of sheet.matchAll(/<row r="(\d+)"[^>]*?(?:\/>|>(.*?)<\/row>)/gs)) {
    const cells: string[] = [];
    for (const c of (row[2] ?? "").matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      const col = c[1]!.charCodeAt(0) - 65;
      const v = /<v>(.*?)<\/v>/s.exec(c[3] ?? "")?.[1];
      const inline = /<t[^>]*>(.*?)<\/t>/s.exec(c[3] ?? "")?.[1];
      cells[col] = / t="s"/.test(c[2]!) ? shared[Number(v)]! : unescapeXml(inline ?? v ?? "");
    }
    rows[Number(row[1]) - 1] = Array.from(cells, (x) => x ?? "");
  }
  return {
    rows,
    formulas: (sheet.match(/<f>/g) ?? []).length,
    landscape: /orientation="landscape"/.test(sheet),
  };
}

describeEachDialect("office: registers as XLSX", (ctx) => {
  let w: World;
  before(async () => {
    w = await makeWorld(ctx);
    const issued = await issueFromA(w, '=HYPERLINK("x") Công văn về việc báo cáo số liệu');
    await sync(w);
    const doc = await incomingAtB(w, issued.documentId!);
    await registerIncoming(w.deps, w.b.clerk, { incomingId: doc.id });
    await assignIncoming(w.deps, w.b.leader, {
      incomingId: doc.id,
      userId: w.b.specialist.userId,
      unitId: w.b.unitId,
      deadline: "2025-03-01",
      instructions: "Đề nghị xử lý gấp",
    });
  });

  async function download(userId: string, url: string) {
    const app = buildOfficeApp(w.deps, { flushAfterChange: false });
    try {
      const username = (
        await (w.deps.db.kysely as unknown as Tx)
          .selectFrom("office_users")
          .select("username")
          .where("id", "=", userId)
          .executeTakeFirstOrThrow()
      ).username;
      const login = await app.inject({
        method: "POST",
        url: "/api/session",
        payload: { username, password: PASSWORD },
      });
      const res = await app.inject({
        method: "GET",
        url,
        headers: { cookie: String(login.headers["set-cookie"]).split(";")[0]! },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(
        res.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      );
      return readXlsx(res.rawPayload);
    } finally {
      await app.close();
    }
  }

  it("writes the incoming and follow-up registers in the NĐ 30 columns, read back cell by cell", async () => {
    const incoming = await download(w.b.clerk.userId, "/api/registers/incoming?year=2025&format=xlsx");
    assert.equal(incoming.landscape, true);
    assert.equal(incoming.rows[0]![0], "BỘ NỘI VỤ");
    assert.equal(incoming.rows[1]![0], "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — NĂM 2025");
    assert.deepEqual(incoming.rows[XLSX_HEADER_ROW - 1], [...INCOMING_REGISTER_COLUMNS]);
    const entry = incoming.rows[XLSX_HEADER_ROW]!;
    assert.equal(entry[0], "05/03/2025");
    assert.equal(entry[1], "01");
    assert.equal(entry[2], "Sở Nội vụ Thành phố Hồ Chí Minh");
    assert.equal(entry[3], "01/SNV-VP");
    assert.equal(entry[5], 'Công văn: =HYPERLINK("x") Công văn về việc báo cáo số liệu');
    assert.equal(entry[6], "Văn phòng – Phạm Văn Chuyên");
    assert.equal(incoming.rows.length, XLSX_HEADER_ROW + 1);
    assert.equal(incoming.formulas, 0); // text that looks like a formula stays text

    const followUp = await download(w.b.leader.userId, "/api/registers/follow-up?year=2025&format=xlsx");
    assert.deepEqual(followUp.rows[XLSX_HEADER_ROW - 1], [...FOLLOW_UP_REGISTER_COLUMNS]);
    assert.equal(FOLLOW_UP_REGISTER_COLUMNS.length, 7);
    assert.deepEqual(followUp.rows[XLSX_HEADER_ROW], [
      "01",
      'Công văn số 01/SNV-VP của Sở Nội vụ Thành phố Hồ Chí Minh: =HYPERLINK("x") Công văn về việc báo cáo số liệu',
      "Văn phòng – Phạm Văn Chuyên",
      "01/03/2025",
      "Đã giao xử lý (quá hạn)",
      "",
      "Đề nghị xử lý gấp",
    ]);
  });

  it("writes the outgoing register", async () => {
    const outgoing = await download(w.a.clerk.userId, "/api/registers/outgoing?year=2025&format=xlsx");
    assert.equal(outgoing.rows[1]![0], "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2025");
    assert.deepEqual(outgoing.rows[XLSX_HEADER_ROW - 1], [...OUTGOING_REGISTER_COLUMNS]);
    const entry = outgoing.rows[XLSX_HEADER_ROW]!;
    assert.equal(entry[0], "01/SNV-VP");
    assert.equal(entry[3], "Nguyễn Văn Đức");
    assert.equal(entry[6], "3");
  });
});
