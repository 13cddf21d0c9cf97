import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createOcrService } from "@truc/ocr";
import { describeEachDialect } from "@truc/store/testing";
import { buildOfficeApp } from "../src/http/app.ts";
import { listOutbox } from "../src/repositories/outbox.ts";
import type { Tx } from "../src/repositories/rows.ts";
import { assignIncoming } from "../src/services/assign-incoming.ts";
import { getCaseFile } from "../src/services/case-file-queries.ts";
import { createCaseFile } from "../src/services/create-case-file.ts";
import { searchDocuments } from "../src/services/queries.ts";
import { registerIncoming } from "../src/services/register-incoming.ts";
import { incomingAtB, issueFromA, sync } from "./support/flow.ts";
import { scannedLetterPng } from "./support/scanned-letter.ts";
import { makeWorld, PASSWORD, type World } from "./support/world.ts";

const ocr = createOcrService({ maxConcurrent: 1, workers: 1 });
after(() => ocr.close());
let png: Buffer;
before(async () => {
  png = await scannedLetterPng();
});

describeEachDialect("office: paper scans → OCR → registered incoming, found without accents", (ctx) => {
  let w: World;
  before(async () => {
    w = await makeWorld(ctx);
    w.deps.ocr = ocr;
    // An electronic document registered first takes số đến 1.
    const issued = await issueFromA(w, "Công văn điện tử trước");
    await sync(w);
    await registerIncoming(w.deps, w.b.clerk, { incomingId: (await incomingAtB(w, issued.documentId!)).id });
  });

  it("uploads a scan, reports OCR progress, registers it with the next số đến and finds its text", async () => {
    const app = buildOfficeApp(w.deps, { flushAfterChange: false });
    try {
      const username = (
        await (w.deps.db.kysely as unknown as Tx)
          .selectFrom("office_users")
          .select("username")
          .where("id", "=", w.b.clerk.userId)
          .executeTakeFirstOrThrow()
      ).username;
      const login = await app.inject({
        method: "POST",
        url: "/api/session",
        payload: { username, password: PASSWORD },
      });
      const headers = {
        cookie: String(login.headers["set-cookie"]).split(";")[0]!,
        "x-csrf-token": login.json().csrfToken,
      };

      const refused = await app.inject({
        method: "POST",
        url: "/api/scans?fileName=x.png",
        headers: { ...headers, "content-type": "image/png" },
        payload: Buffer.from("not an image"),
      });
      assert.equal(refused.json().code, "OFFICE_FILE_TYPE_UNSUPPORTED");

      const uploaded = await app.inject({
        method: "POST",
        url: "/api/scans?fileName=cong-van-xa-tan-hiep.png",
        headers: { ...headers, "content-type": "image/png" },
        payload: png,
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      const scanId = uploaded.json().id;
      assert.equal(uploaded.json().contentType, "image/png");

      const early = await app.inject({
        method: "POST",
        url: `/api/scans/${scanId}/register`,
        headers,
        payload: {
          typeName: "Công văn",
          codeNumber: "15",
          codeNotation: "UBND",
          fromName: "Ủy ban nhân dân xã Tân Hiệp",
          promulgationDate: "2025-03-01",
          subject: "Văn bản giấy số 15",
        },
      });
      // Registering before OCR has finished is refused (the scan is still queued).
      assert.equal(early.json().code, "OFFICE_INVALID_TRANSITION");

      const fractions: number[] = [];
      let scan = uploaded.json();
      while (scan.state === "queued" || scan.state === "running") {
        await sleep(250);
        scan = (await app.inject({ method: "GET", url: `/api/scans/${scanId}`, headers })).json();
        if (scan.progress) fractions.push(scan.progress.fraction);
      }
      assert.equal(scan.state, "done", JSON.stringify(scan));
      assert.deepEqual(
        fractions,
        [...fractions].sort((x, y) => x - y),
        "progress never goes back",
      );
      assert.equal(fractions.at(-1), 1);
      assert.equal(scan.pages, 1);
      // Vietnamese recognised with its diacritics (tesseract may still miss a tone mark, e.g. sửa → sứa,
      // which the unaccented search below tolerates).
      assert.match(scan.text, /chữa đường giao thông nông thôn/);
      assert.match(scan.text, /ỦY BAN NHÂN DÂN XÃ TÂN HIỆP/);

      const pdf = await app.inject({ method: "GET", url: `/api/scans/${scanId}/file`, headers });
      assert.equal(pdf.headers["content-type"], "application/pdf");
      assert.equal(pdf.rawPayload.subarray(0, 5).toString(), "%PDF-");

      const caseFile = await createCaseFile(w.deps, w.b.clerk, {
        fileNotation: "07-GTNT",
        title: "Hồ sơ hỗ trợ giao thông nông thôn",
        retentionYears: 20,
      });
      const registered = await app.inject({
        method: "POST",
        url: `/api/scans/${scanId}/register`,
        headers,
        payload: {
          typeName: "Công văn",
          codeNumber: "15",
          codeNotation: "UBND",
          fromName: "Ủy ban nhân dân xã Tân Hiệp",
          promulgationDate: "2025-03-01",
          subject: "Văn bản giấy số 15",
          caseFileId: caseFile.id,
        },
      });
      assert.equal(registered.statusCode, 200, registered.body);
      const doc = registered.json();
      assert.equal(doc.state, "registered");
      assert.equal(doc.arrivalNumber, 2); // same yearly sequence as the electronic document
      assert.deepEqual(
        doc.attachments.map((a: { name: string }) => a.name),
        ["cong-van-xa-tan-hiep-ocr.pdf", "cong-van-xa-tan-hiep.png"],
      );
      assert.equal((await getCaseFile(w.deps, w.b.clerk, caseFile.id)).documents[0]!.id, doc.id);
      const again = await app.inject({
        method: "POST",
        url: `/api/scans/${scanId}/register`,
        headers,
        payload: {
          typeName: "Công văn",
          codeNumber: "15",
          codeNotation: "UBND",
          fromName: "X",
          promulgationDate: "2025-03-01",
          subject: "Lần hai",
        },
      });
      assert.equal(again.json().code, "OFFICE_INVALID_TRANSITION");

      // The OCR text (not in the metadata) is found by an unaccented query, đ → d included.
      const hits = await searchDocuments(w.deps, w.b.clerk, { q: "sua chua duong giao thong" });
      assert.deepEqual(
        hits.map((h) => h.id),
        [doc.id],
      );
      const exact = await searchDocuments(w.deps, w.b.clerk, { q: "Văn bản giấy" });
      assert.equal(exact[0]?.id, doc.id);
      assert.equal(exact[0]?.exactMatch, true);

      // A paper document has no electronic sender: assigning it queues no status package.
      const before = (await listOutbox(w.deps.db.kysely as unknown as Tx, w.b.agencyId)).length;
      await assignIncoming(w.deps, w.b.leader, { incomingId: doc.id, userId: w.b.specialist.userId });
      assert.equal((await listOutbox(w.deps.db.kysely as unknown as Tx, w.b.agencyId)).length, before);
    } finally {
      await app.close();
    }
  });
});
