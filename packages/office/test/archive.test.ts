import assert from "node:assert/strict";
import { before, it } from "node:test";
import { PDF } from "@libpdf/core";
import { describeEachDialect } from "@truc/store/testing";
import { strFromU8, unzipSync, zipSync } from "fflate";
import { verifyArchive } from "../src/adapters/archive-zip.ts";
import { buildOfficeApp } from "../src/http/app.ts";
import type { Tx } from "../src/repositories/rows.ts";
import { addToCaseFile } from "../src/services/add-to-case-file.ts";
import { getCaseFile, listExpiredRetention } from "../src/services/case-file-queries.ts";
import { closeCaseFile } from "../src/services/close-case-file.ts";
import { createCaseFile } from "../src/services/create-case-file.ts";
import { createDraft } from "../src/services/create-draft.ts";
import { exportCaseFileArchive, exportDocumentArchive } from "../src/services/export-archive.ts";
import { getIncomingFile, getIncomingPackage } from "../src/services/queries.ts";
import { registerIncoming } from "../src/services/register-incoming.ts";
import { removeFromCaseFile } from "../src/services/remove-from-case-file.ts";
import { incomingAtB, issueFromA, sync } from "./support/flow.ts";
import { makeWorld, PASSWORD, type World } from "./support/world.ts";

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "no error";
};

async function threePages(): Promise<Buffer> {
  const pdf = PDF.create();
  for (let i = 0; i < 3; i++) pdf.addPage();
  return Buffer.from(await pdf.save());
}

const jsonEntry = (entries: Record<string, Uint8Array>, path: string) => {
  assert.ok(entries[path], `${path} in the archive`);
  return JSON.parse(strFromU8(entries[path]!));
};

describeEachDialect("office: case files and archive packages", (ctx) => {
  let w: World;
  let first: Awaited<ReturnType<typeof issueFromA>>;
  let second: Awaited<ReturnType<typeof issueFromA>>;
  let incomingId: string;
  before(async () => {
    w = await makeWorld(ctx);
    const pdf = await threePages();
    first = await issueFromA(w, "Công văn về việc lập hồ sơ điện tử", { pdf });
    second = await issueFromA(w, "Công văn về thời hạn bảo quản", { pdf });
    await sync(w);
    incomingId = (await incomingAtB(w, first.documentId!)).id;
    await registerIncoming(w.deps, w.b.clerk, { incomingId });
    await sync(w);
  });

  it("files documents with DocOrdinal and computed totals; refuses drafts, doubles, other tenants", async () => {
    const { deps, a, b } = w;
    const file = await createCaseFile(deps, a.specialist, {
      fileNotation: "01-VP",
      title: "Hồ sơ về công tác văn thư, lưu trữ năm 2025",
      retentionYears: 10,
    });
    assert.equal(
      await codeOf(
        createCaseFile(deps, a.clerk, { fileNotation: "01-VP", title: "Trùng", retentionYears: null }),
      ),
      "OFFICE_DUPLICATE",
    );
    assert.equal(
      await codeOf(
        createCaseFile(deps, a.clerk, { fileNotation: "../x", title: "Sai", retentionYears: null }),
      ),
      "OFFICE_INVALID_INPUT",
    );
    await addToCaseFile(deps, a.specialist, {
      caseFileId: file.id,
      direction: "outgoing",
      documentId: first.id,
    });
    await addToCaseFile(deps, a.specialist, {
      caseFileId: file.id,
      direction: "outgoing",
      documentId: second.id,
    });
    assert.equal(
      await codeOf(
        addToCaseFile(deps, a.clerk, { caseFileId: file.id, direction: "outgoing", documentId: first.id }),
      ),
      "OFFICE_DUPLICATE",
    );
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "CV",
      subject: "Dự thảo",
      recipients: [],
    });
    assert.equal(
      await codeOf(
        addToCaseFile(deps, a.clerk, { caseFileId: file.id, direction: "outgoing", documentId: draft.id }),
      ),
      "OFFICE_INVALID_TRANSITION",
    );
    let view = await getCaseFile(deps, a.clerk, file.id);
    assert.equal(view.metadata.DocTotal, 2);
    assert.equal(view.metadata.PageTotal, 4); // PageAmount 2 declared on each draft
    assert.equal(view.metadata.Maintenance, "10 năm");
    assert.equal(view.metadata.FileCode.Text, `${a.code}.2025.01-VP`);
    assert.equal(view.metadata.StartDate, "2025-03-05");
    assert.equal(view.metadata.Creator, "Phạm Văn Chuyên");
    await removeFromCaseFile(deps, a.clerk, {
      caseFileId: file.id,
      direction: "outgoing",
      documentId: first.id,
    });
    view = await getCaseFile(deps, a.clerk, file.id);
    assert.deepEqual(
      view.documents.map((d) => [d.docOrdinal, d.id]),
      [[1, second.id]],
    );
    await addToCaseFile(deps, a.clerk, { caseFileId: file.id, direction: "outgoing", documentId: first.id });
    view = await getCaseFile(deps, a.clerk, file.id);
    assert.deepEqual(
      view.documents.map((d) => [d.docOrdinal, d.id]),
      [
        [1, second.id],
        [2, first.id],
      ],
    );
    assert.equal(await codeOf(getCaseFile(deps, b.clerk, file.id)), "OFFICE_NOT_FOUND");
    assert.equal(
      await codeOf(exportCaseFileArchive(deps, a.specialist, { caseFileId: file.id })),
      "OFFICE_FORBIDDEN",
    );
  });

  it("exports a case file whose manifest verifies, with the files and package as received", async () => {
    const { deps, b } = w;
    const file = await createCaseFile(deps, b.clerk, {
      fileNotation: "05-TCCB",
      title: "Hồ sơ tiếp nhận văn bản của Sở Nội vụ",
      retentionYears: 10,
      description: "Văn bản đến năm 2025",
    });
    await addToCaseFile(deps, b.clerk, {
      caseFileId: file.id,
      direction: "incoming",
      documentId: incomingId,
    });
    const archive = await exportCaseFileArchive(deps, b.clerk, { caseFileId: file.id });
    const check = verifyArchive(archive.zip);
    assert.equal(check.ok, true, JSON.stringify(check));
    const entries = unzipSync(archive.zip);
    const meta = jsonEntry(entries, "metadata.json");
    assert.equal(meta.DocTotal, 1);
    assert.equal(meta.PageTotal, 3); // counted in the received PDF
    assert.equal(meta.Title, "Hồ sơ tiếp nhận văn bản của Sở Nội vụ");
    assert.equal(meta.FileCode.FileNotation, "05-TCCB");
    const prefix = "documents/001-den/";
    const pdfPath = Object.keys(entries).find((p) => p.startsWith(`${prefix}files/`))!;
    assert.deepEqual(
      Buffer.from(entries[pdfPath]!),
      (await getIncomingFile(deps, b.clerk, incomingId, 0)).bytes,
    );
    assert.deepEqual(
      Buffer.from(entries[`${prefix}package.edxml`]!),
      (await getIncomingPackage(deps, b.clerk, incomingId)).bytes,
    );
    const docMeta = jsonEntry(entries, `${prefix}metadata.json`);
    assert.equal(docMeta.ArrivalNumber, 1);
    assert.equal(docMeta.DocOrdinal, 1);
    assert.equal(docMeta.Subject, "Công văn về việc lập hồ sơ điện tử");
    assert.equal(docMeta.TraceHeaderList.state, "registered");
    const validation = jsonEntry(entries, `${prefix}validation.json`);
    assert.equal(validation.signatures[0].status, "valid");
    const audit = jsonEntry(entries, `${prefix}audit.json`).map((r: { action: string }) => r.action);
    assert.deepEqual(audit, ["incoming.received", "incoming.register"]);
    assert.deepEqual(
      jsonEntry(entries, "audit.json").map((r: { action: string }) => r.action),
      ["casefile.create", "casefile.add"],
    );
    // Every manifest line is the SHA-256 of its file; a changed, missing or extra file is caught.
    const tampered = { ...entries };
    const bytes = Buffer.from(tampered[pdfPath]!);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 1;
    tampered[pdfPath] = bytes;
    assert.deepEqual(verifyArchive(zipSync(tampered)).mismatched, [pdfPath]);
    const { [`${prefix}audit.json`]: _dropped, ...missing } = entries;
    assert.deepEqual(verifyArchive(zipSync(missing)).missing, [`${prefix}audit.json`]);
    assert.deepEqual(verifyArchive(zipSync({ ...entries, "extra.txt": new Uint8Array([1]) })).unlisted, [
      "extra.txt",
    ]);
    assert.equal(verifyArchive(Buffer.from("not a zip")).ok, false);
  });

  it("exports one outgoing document with its signed file, package as sent, report and statuses", async () => {
    const { deps, a } = w;
    const archive = await exportDocumentArchive(deps, a.clerk, { direction: "outgoing", id: first.id });
    assert.equal(verifyArchive(archive.zip).ok, true);
    const entries = unzipSync(archive.zip);
    const row = await (deps.db.kysely as unknown as Tx)
      .selectFrom("office_outgoing")
      .select("package_ref")
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(Buffer.from(entries["package.edxml"]!), await deps.blobs.read(row.package_ref!));
    const validation = jsonEntry(entries, "validation.json");
    assert.equal(validation.reports[0].signatures.length, 2);
    const statuses = jsonEntry(entries, "statuses.json");
    assert.deepEqual(
      statuses[0].timeline.map((t: { code: string }) => t.code),
      ["01", "03"],
    );
    const meta = jsonEntry(entries, "metadata.json");
    assert.equal(meta.CodeNumber, first.code!.split("/")[0]);
    assert.equal(meta.FileCode.FileNotation, "01-VP"); // filed in the first test
    assert.equal(meta.SignerInfo.FullName, "Nguyễn Văn Đức");
    assert.ok(Object.keys(entries).some((p) => p.startsWith("files/") && p.endsWith(".pdf")));
  });

  it("closes a file, then lists it once its retention has run out (never a permanent one)", async () => {
    const { deps, b } = w;
    const temporary = (await getCaseFile(deps, b.clerk, (await listFiles(w))[0]!)).id;
    await closeCaseFile(deps, b.clerk, { caseFileId: temporary });
    const closed = await getCaseFile(deps, b.clerk, temporary);
    assert.equal(closed.state, "closed");
    assert.equal(closed.retentionExpiresOn, "2036-01-01"); // latest document 2025 + 10 years
    assert.equal(
      await codeOf(
        addToCaseFile(deps, b.clerk, {
          caseFileId: temporary,
          direction: "incoming",
          documentId: incomingId,
        }),
      ),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(
      await codeOf(
        removeFromCaseFile(deps, b.clerk, {
          caseFileId: temporary,
          direction: "incoming",
          documentId: incomingId,
        }),
      ),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(
      await codeOf(closeCaseFile(deps, b.clerk, { caseFileId: temporary })),
      "OFFICE_INVALID_TRANSITION",
    );
    const empty = await createCaseFile(deps, b.clerk, {
      fileNotation: "99",
      title: "Hồ sơ trống",
      retentionYears: 5,
    });
    assert.equal(
      await codeOf(closeCaseFile(deps, b.clerk, { caseFileId: empty.id })),
      "OFFICE_INVALID_INPUT",
    );

    assert.deepEqual(await listExpiredRetention(deps, b.clerk, { on: "2035-12-31" }), []);
    assert.deepEqual(
      (await listExpiredRetention(deps, b.clerk, { on: "2036-01-01" })).map((f) => f.id),
      [temporary],
    );
    assert.equal(await codeOf(listExpiredRetention(deps, b.specialist, {})), "OFFICE_FORBIDDEN");
  });

  it("serves case files and the ZIP over HTTP", async () => {
    const app = buildOfficeApp(w.deps, { flushAfterChange: false });
    try {
      const username = (
        await (w.deps.db.kysely as unknown as Tx)
          .selectFrom("office_users")
          .select("username")
          .where("id", "=", w.a.clerk.userId)
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
      const created = await app.inject({
        method: "POST",
        url: "/api/case-files",
        headers,
        payload: { fileNotation: "02-VP", title: "Hồ sơ vĩnh viễn", retentionYears: null },
      });
      assert.equal(created.statusCode, 200, created.body);
      assert.equal(created.json().metadata.Maintenance, "Vĩnh viễn");
      const id = created.json().id;
      const added = await app.inject({
        method: "POST",
        url: `/api/case-files/${id}/documents`,
        headers,
        payload: { direction: "incoming", documentId: first.id },
      });
      assert.equal(added.json().code, "OFFICE_NOT_FOUND"); // an outgoing id is not an incoming document
      const closedRes = await app.inject({ method: "POST", url: `/api/case-files/${id}/close`, headers });
      assert.equal(closedRes.json().code, "OFFICE_INVALID_INPUT");
      const zip = await app.inject({ method: "GET", url: `/api/outgoing/${second.id}/export`, headers });
      assert.equal(zip.statusCode, 200);
      assert.equal(zip.headers["content-type"], "application/zip");
      assert.equal(verifyArchive(zip.rawPayload).ok, true);
      const expired = await app.inject({
        method: "GET",
        url: "/api/retention/expired?on=2999-01-01",
        headers,
      });
      assert.deepEqual(expired.json(), []); // A's files are open or permanent
    } finally {
      await app.close();
    }
  });
});

async function listFiles(w: World): Promise<string[]> {
  return (
    await (w.deps.db.kysely as unknown as Tx)
      .selectFrom("office_case_files")
      .select("id")
      .where("agency_id", "=", w.b.agencyId)
      .where("file_notation", "=", "05-TCCB")
      .execute()
  ).map((r) => r.id);
}
