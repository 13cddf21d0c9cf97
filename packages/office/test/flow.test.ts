import assert from "node:assert/strict";
import { before, it } from "node:test";
import { describeEachDialect } from "@truc/store/testing";
import { listAudit } from "../src/repositories/audit.ts";
import { listOutbox } from "../src/repositories/outbox.ts";
import type { Tx } from "../src/repositories/rows.ts";
import { requestTakeBack, revokeOutgoing } from "../src/services/after-issue.ts";
import { answerRequest } from "../src/services/answer-request.ts";
import { assignIncoming } from "../src/services/assign-incoming.ts";
import { assignNumber } from "../src/services/assign-number.ts";
import { completeIncoming } from "../src/services/complete-incoming.ts";
import type { Actor } from "../src/services/context.ts";
import { createDraft } from "../src/services/create-draft.ts";
import { registerRows, toCsv } from "../src/services/export-register.ts";
import { flushOutbox } from "../src/services/flush-outbox.ts";
import { issueDocument } from "../src/services/issue-document.ts";
import { processIncoming } from "../src/services/process-incoming.ts";
import {
  getIncoming,
  getOutgoing,
  listIncomingByState,
  listOverdue,
  searchDocuments,
} from "../src/services/queries.ts";
import { receiveAll } from "../src/services/receive-messages.ts";
import { registerIncoming } from "../src/services/register-incoming.ts";
import { rejectIncoming } from "../src/services/reject-incoming.ts";
import { reviewDraft, submitForReview } from "../src/services/review-draft.ts";
import { sealDocument } from "../src/services/seal-document.ts";
import { signDocument } from "../src/services/sign-document.ts";
import { uploadVersion } from "../src/services/upload-version.ts";
import { SAMPLE_PDF } from "./support/fakes.ts";
import { incomingAtB, issueFromA, sync } from "./support/flow.ts";
import { makeWorld, type World } from "./support/world.ts";

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "no error";
};

const timelineCodes = async (w: World, outgoingId: string) =>
  (await getOutgoing(w.deps, w.a.clerk, outgoingId)).recipients[0]!.timeline.map((t) => t.code);

describeEachDialect("office: two agencies exchange documents", (ctx) => {
  let w: World;
  before(async () => {
    w = await makeWorld(ctx);
  });

  it("runs draft → review → sign → number → seal → issue → 01 → 03 → 04 → 05 → 06, seen at the sender", async () => {
    const { deps, a, b } = w;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "QD",
      subject: "Quyết định về việc điều động cán bộ",
      recipients: [{ organId: b.code, organName: "Bộ Nội vụ" }],
      urgency: "khan",
    });
    assert.equal(draft.notation, "QĐ-SNV");
    assert.equal(
      await codeOf(
        submitForReview(deps, a.specialist, { outgoingId: draft.id, reviewerIds: [a.deputy.userId] }),
      ),
      "OFFICE_FILE_MISSING",
    );
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: SAMPLE_PDF,
      fileName: "v1.pdf",
      contentType: "application/pdf",
    });
    // Two reviewers; one returns it, a new version goes to a second round.
    await submitForReview(deps, a.specialist, {
      outgoingId: draft.id,
      reviewerIds: [a.deputy.userId, a.leader.userId],
    });
    assert.equal(
      await codeOf(reviewDraft(deps, a.specialist, { outgoingId: draft.id, decision: "approve" })),
      "OFFICE_NOT_A_REVIEWER",
    );
    assert.equal(
      await codeOf(reviewDraft(deps, a.clerk, { outgoingId: draft.id, decision: "approve" })),
      "OFFICE_FORBIDDEN",
    );
    await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
    assert.equal(
      await codeOf(reviewDraft(deps, a.leader, { outgoingId: draft.id, decision: "return" })),
      "OFFICE_REASON_REQUIRED",
    );
    const returned = await reviewDraft(deps, a.leader, {
      outgoingId: draft.id,
      decision: "return",
      comment: "Sửa căn cứ pháp lý",
    });
    assert.equal(returned.state, "draft");
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: Buffer.concat([SAMPLE_PDF, Buffer.from("% v2\n")]),
      fileName: "v2.pdf",
      contentType: "application/pdf",
    });
    await submitForReview(deps, a.specialist, {
      outgoingId: draft.id,
      reviewerIds: [a.deputy.userId, a.leader.userId],
    });
    await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
    assert.equal(
      await codeOf(signDocument(deps, a.leader, { outgoingId: draft.id })),
      "OFFICE_INVALID_TRANSITION",
    );
    const approved = await reviewDraft(deps, a.leader, { outgoingId: draft.id, decision: "approve" });
    assert.equal(approved.state, "approved");
    // The clerk cannot sign for the leader, nor seal before numbering.
    assert.equal(await codeOf(signDocument(deps, a.clerk, { outgoingId: draft.id })), "OFFICE_FORBIDDEN");
    assert.equal(
      await codeOf(sealDocument(deps, a.clerk, { outgoingId: draft.id })),
      "OFFICE_INVALID_TRANSITION",
    );
    // A deputy without a delegation may not sign.
    assert.equal(await codeOf(signDocument(deps, a.deputy, { outgoingId: draft.id })), "OFFICE_FORBIDDEN");
    const signed = await signDocument(deps, a.leader, { outgoingId: draft.id });
    assert.equal(signed.signer.fullName, "Nguyễn Văn Đức");
    const numbered = await assignNumber(deps, a.clerk, { outgoingId: draft.id });
    assert.equal(numbered.code, "01/QĐ-SNV");
    assert.equal(numbered.documentId, `${a.code},2025/03/05,01/QĐ-SNV`);
    await sealDocument(deps, a.clerk, { outgoingId: draft.id });
    const issued = await issueDocument(deps, a.clerk, { outgoingId: draft.id });
    assert.equal(issued.state, "issued");

    const detail = await getOutgoing(deps, a.clerk, draft.id);
    assert.deepEqual(
      detail.versions.map((v) => v.kind),
      ["draft", "draft", "signed", "sealed"],
    );
    assert.deepEqual(detail.reviews.map((r) => `${r.round}:${r.decision}`).sort(), [
      "1:approved",
      "1:returned",
      "2:approved",
      "2:approved",
    ]);

    await flushOutbox(deps);
    await sync(w);
    const arrived = await incomingAtB(w, numbered.documentId!);
    assert.equal(arrived.state, "arrived");
    assert.equal(arrived.urgency, "khan");
    assert.equal(arrived.code, "01/QĐ-SNV");
    assert.equal(arrived.validation.signatures[0]?.status, "valid");
    assert.equal(arrived.validation.signatures[0]?.signatures.length, 2);
    assert.deepEqual(await timelineCodes(w, draft.id), ["01"]);

    const registered = await registerIncoming(deps, b.clerk, { incomingId: arrived.id });
    assert.equal(registered.arrivalNumber, 1);
    assert.equal(
      await codeOf(assignIncoming(deps, b.clerk, { incomingId: arrived.id, userId: b.specialist.userId })),
      "OFFICE_FORBIDDEN",
    );
    await assignIncoming(deps, b.leader, {
      incomingId: arrived.id,
      userId: b.specialist.userId,
      unitId: b.unitId,
      deadline: "2025-03-10",
      instructions: "Đề xuất phương án",
    });
    // Someone else than the assignee may not process it.
    assert.equal(
      await codeOf(processIncoming(deps, b.clerk, { incomingId: arrived.id })),
      "OFFICE_FORBIDDEN",
    );
    await processIncoming(deps, b.specialist, { incomingId: arrived.id });
    w.clock.advance(6 * 24 * 3600 * 1000);
    assert.deepEqual(
      (await listOverdue(deps, b.clerk)).map((d) => d.id),
      [arrived.id],
    );
    const done = await completeIncoming(deps, b.specialist, { incomingId: arrived.id, note: "Đã xử lý" });
    assert.equal(done.state, "done");
    assert.deepEqual(await listOverdue(deps, b.clerk), []);
    await sync(w);
    assert.deepEqual(await timelineCodes(w, draft.id), ["01", "03", "04", "05", "06"]);
    const recipient = (await getOutgoing(deps, a.clerk, draft.id)).recipients[0]!;
    assert.equal(recipient.state, "done");

    // Each status was queued exactly once; re-running the loop sends nothing more.
    const statuses = (await listOutbox(deps.db.kysely as unknown as Tx, b.agencyId)).filter(
      (r) => r.kind === "status",
    );
    assert.deepEqual(
      statuses.map((s) => s.status_code),
      ["01", "03", "04", "05", "06"],
    );
    assert.equal((await flushOutbox(deps)).sent, 0);

    // Every step left an audit row, in the agency's own trail.
    const actions = (
      await listAudit(deps.db.kysely as unknown as Tx, a.agencyId, { entityId: draft.id })
    ).map((r) => r.action);
    for (const action of [
      "outgoing.create",
      "outgoing.review.return",
      "outgoing.sign",
      "outgoing.number",
      "outgoing.seal",
      "outgoing.issue",
      "status.received",
    ])
      assert.ok(actions.includes(action), action);
  });

  it("de-duplicates a package delivered twice and flags a second document with the same number", async () => {
    const { deps, b } = w;
    const issued = await issueFromA(w, "Công văn về việc báo cáo số liệu");
    const box = [...(w.axis.mailboxes.get(`${b.code}|edoc`) ?? [])];
    assert.equal(box.length, 1);
    await sync(w);
    w.axis.redeliver(b.code, "edoc", box[0]!); // same axis id again
    const again = await receiveAll(deps);
    assert.equal(again.duplicates, 1);
    const list = (await listIncomingByState(deps, b.clerk, {})).filter(
      (d) => d.documentId === issued.documentId,
    );
    assert.equal(list.length, 1);
    // The same package under a new axis id is stored but flagged as a duplicate.
    w.axis.redeliver(b.code, "edoc", { id: "other-delivery", bytes: box[0]!.bytes });
    await receiveAll(deps);
    const both = (await listIncomingByState(deps, b.clerk, {})).filter(
      (d) => d.documentId === issued.documentId,
    );
    assert.equal(both.length, 2);
    assert.deepEqual(both.find((d) => d.duplicateFlags.length > 0)?.duplicateFlags, [
      "same_code_and_issuer",
      "same_document_id",
    ]);
  });

  it("returns a document with a reason (02), shown at the sender", async () => {
    const { deps, a, b } = w;
    const issued = await issueFromA(w, "Giấy mời họp gửi nhầm nơi nhận");
    await sync(w);
    const doc = await incomingAtB(w, issued.documentId!);
    assert.equal(
      await codeOf(rejectIncoming(deps, b.clerk, { incomingId: doc.id, reason: "  " })),
      "OFFICE_REASON_REQUIRED",
    );
    await rejectIncoming(deps, b.clerk, { incomingId: doc.id, reason: "Gửi nhầm nơi nhận" });
    assert.equal(
      await codeOf(registerIncoming(deps, b.clerk, { incomingId: doc.id })),
      "OFFICE_INVALID_TRANSITION",
    );
    await sync(w);
    const r = (await getOutgoing(deps, a.clerk, issued.id)).recipients[0]!;
    assert.equal(r.state, "rejected");
    assert.deepEqual(
      r.timeline.map((t) => [t.code, t.description]),
      [
        ["01", "Đã đến"],
        ["02", "Gửi nhầm nơi nhận"],
      ],
    );
  });

  it("revokes: the recipient removes the file, keeps the metadata and answers 03", async () => {
    const { deps, a, b } = w;
    const issued = await issueFromA(w, "Thông báo lịch tiếp công dân");
    await sync(w);
    const doc = await incomingAtB(w, issued.documentId!);
    await registerIncoming(deps, b.clerk, { incomingId: doc.id });
    const revoked = await revokeOutgoing(deps, a.leader, { outgoingId: issued.id, reason: "Sai thời gian" });
    assert.equal(revoked.state, "revoked");
    await flushOutbox(deps);
    await sync(w);
    const atB = await getIncoming(deps, b.clerk, doc.id);
    assert.equal(atB.state, "revoked");
    assert.equal(atB.revokeReason, "Sai thời gian");
    assert.equal(atB.attachments[0]?.available, false);
    assert.equal(atB.subject, "Thông báo lịch tiếp công dân");
    const r = (await getOutgoing(deps, a.clerk, issued.id)).recipients[0]!;
    assert.equal(r.state, "revoked");
    assert.deepEqual(
      r.timeline.map((t) => t.code),
      ["01", "03", "03"],
    );
    // A frozen outgoing document cannot be revoked twice.
    assert.equal(
      await codeOf(revokeOutgoing(deps, a.leader, { outgoingId: issued.id, reason: "x" })),
      "OFFICE_INVALID_TRANSITION",
    );
  });

  it("answers a take-back with 15 before assignment and with 16 after it", async () => {
    const { deps, a, b } = w;
    const first = await issueFromA(w, "Kế hoạch kiểm tra công vụ", { typeCode: "KH" });
    const second = await issueFromA(w, "Báo cáo tình hình thực hiện", { typeCode: "BC" });
    await sync(w);
    const d1 = await incomingAtB(w, first.documentId!);
    const d2 = await incomingAtB(w, second.documentId!);
    await registerIncoming(deps, b.clerk, { incomingId: d2.id });
    await assignIncoming(deps, b.leader, { incomingId: d2.id, userId: b.specialist.userId });
    await processIncoming(deps, b.specialist, { incomingId: d2.id });
    await sync(w);

    await requestTakeBack(deps, a.clerk, { outgoingId: first.id, reason: "Cần bổ sung phụ lục" });
    await requestTakeBack(deps, a.clerk, { outgoingId: second.id, reason: "Số liệu chưa đúng" });
    await flushOutbox(deps);
    await sync(w);
    const p1 = await getIncoming(deps, b.clerk, d1.id);
    assert.equal(p1.pendingRequest?.kind, "take-back");
    assert.equal(p1.pendingRequest?.reason, "Cần bổ sung phụ lục");
    const taken = await answerRequest(deps, b.clerk, { incomingId: d1.id, accept: true });
    assert.equal(taken.state, "taken_back");
    assert.equal(taken.attachments[0]?.available, false);
    assert.equal(
      await codeOf(answerRequest(deps, b.clerk, { incomingId: d2.id, accept: true })),
      "OFFICE_TAKE_BACK_TOO_LATE",
    );
    assert.equal(
      await codeOf(answerRequest(deps, b.clerk, { incomingId: d2.id, accept: false })),
      "OFFICE_REASON_REQUIRED",
    );
    const kept = await answerRequest(deps, b.clerk, {
      incomingId: d2.id,
      accept: false,
      reason: "Đang xử lý",
    });
    assert.equal(kept.state, "processing");
    await sync(w);
    const r1 = (await getOutgoing(deps, a.clerk, first.id)).recipients[0]!;
    const r2 = (await getOutgoing(deps, a.clerk, second.id)).recipients[0]!;
    assert.equal(r1.state, "taken_back");
    assert.deepEqual(
      r1.timeline.map((t) => t.code),
      ["01", "13", "15"],
    );
    assert.equal(r2.state, "take_back_refused");
    assert.deepEqual(
      r2.timeline.map((t) => t.code),
      ["01", "03", "04", "05", "13", "16"],
    );
  });

  it("replaces an issued document: the new one links the old one at the recipient", async () => {
    const { deps, b } = w;
    const old = await issueFromA(w, "Hướng dẫn thi đua năm 2025", { typeCode: "HD" });
    await sync(w);
    const replacement = await issueFromA(w, "Hướng dẫn thi đua năm 2025 (thay thế)", {
      typeCode: "HD",
      replaces: [old.documentId!],
    });
    await sync(w);
    const oldAtB = await incomingAtB(w, old.documentId!);
    const newAtB = await incomingAtB(w, replacement.documentId!);
    assert.equal(newAtB.businessType, 3);
    assert.deepEqual(newAtB.replaces, [old.documentId]);
    assert.equal((await getIncoming(deps, b.clerk, oldAtB.id)).replacedBy, newAtB.id);
  });

  it("numbers per year in Vietnam time and keeps the registers in NĐ 30 columns", async () => {
    const { deps, a, b } = w;
    const csv = toCsv(
      ...(Object.values(await registerRows(deps, a.clerk, { kind: "outgoing", year: 2025 })) as [
        string[],
        string[][],
      ]),
    );
    assert.ok(csv.startsWith('\uFEFF"Số, ký hiệu","Ngày tháng văn bản"'));
    assert.ok(csv.includes('"01/QĐ-SNV"'));
    // QĐ and CV share the general sequence: numbers are consecutive across types.
    const outRows = (await registerRows(deps, a.clerk, { kind: "outgoing", year: 2025 })).rows.map(
      (r) => r[0]!,
    );
    assert.deepEqual(
      outRows.map((c) => Number(c.split("/")[0])),
      outRows.map((_, i) => i + 1),
    );
    const inc = await registerRows(deps, b.clerk, { kind: "incoming", year: 2025 });
    assert.equal(inc.columns[1], "Số đến");
    assert.deepEqual(
      inc.rows.map((r) => r[1]),
      inc.rows.map((_, i) => String(i + 1).padStart(2, "0")),
    );
    // 31 Dec 17:30 UTC is already 1 January in Viet Nam: a new year, number 01 again.
    w.clock.current = new Date("2025-12-31T17:30:00Z");
    const next = await issueFromA(w, "Công văn đầu năm mới");
    assert.equal(next.numberYear, 2026);
    assert.equal(next.code, "01/SNV-VP");
    assert.equal(
      await codeOf(registerRows(deps, a.specialist, { kind: "outgoing", year: 2025 })),
      "OFFICE_FORBIDDEN",
    );
  });

  it("finds documents without diacritics (đ → d), exact matches first, and never across agencies", async () => {
    const { deps, a, b } = w;
    const hits = await searchDocuments(deps, b.clerk, { q: "dieu dong can bo" });
    assert.deepEqual(
      hits.map((h) => h.subject),
      ["Quyết định về việc điều động cán bộ"],
    );
    const exactFirst = await searchDocuments(deps, a.clerk, { q: "thi đua" });
    assert.ok(exactFirst.length >= 2);
    assert.ok(exactFirst.every((h) => h.exactMatch));
    assert.deepEqual(await searchDocuments(deps, b.clerk, { q: "ĐIỀU ĐỘNG", direction: "outgoing" }), []);
    // B searches for A's outgoing drafts: nothing of A's is visible.
    const aOwn = await searchDocuments(deps, a.clerk, { q: "dieu dong", direction: "outgoing" });
    assert.equal(aOwn.length, 1);
    assert.equal(await codeOf(getOutgoing(deps, b.clerk, aOwn[0]!.id)), "OFFICE_NOT_FOUND");
  });

  it("isolates tenants: ids from another agency are not found, and people of another agency cannot be used", async () => {
    const { deps, a, b } = w;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "TB",
      subject: "Thông báo nội bộ",
      recipients: [],
    });
    const intruder: Actor = { ...b.clerk };
    assert.equal(await codeOf(getOutgoing(deps, intruder, draft.id)), "OFFICE_NOT_FOUND");
    assert.equal(
      await codeOf(
        uploadVersion(deps, b.specialist, {
          outgoingId: draft.id,
          bytes: SAMPLE_PDF,
          fileName: "x.pdf",
          contentType: "application/pdf",
        }),
      ),
      "OFFICE_NOT_FOUND",
    );
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: SAMPLE_PDF,
      fileName: "x.pdf",
      contentType: "application/pdf",
    });
    assert.equal(
      await codeOf(
        submitForReview(deps, a.specialist, { outgoingId: draft.id, reviewerIds: [b.leader.userId] }),
      ),
      "OFFICE_NOT_FOUND",
    );
    const incomingOfB = (await listIncomingByState(deps, b.clerk, {}))[0]!;
    assert.equal(await codeOf(getIncoming(deps, a.clerk, incomingOfB.id)), "OFFICE_NOT_FOUND");
    assert.equal(
      await codeOf(registerIncoming(deps, a.clerk, { incomingId: incomingOfB.id })),
      "OFFICE_NOT_FOUND",
    );
    assert.deepEqual(await listIncomingByState(deps, a.clerk, { q: "dieu dong" }), []);
  });

  it("refuses DOCX when LibreOffice is not installed, and non-PDF bytes sent as PDF", async () => {
    const { deps, a } = w;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "TB",
      subject: "Thông báo",
      recipients: [],
    });
    const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(20)]);
    assert.equal(
      await codeOf(
        uploadVersion(deps, a.specialist, {
          outgoingId: draft.id,
          bytes: docx,
          fileName: "du-thao.docx",
          contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }),
      ),
      "OFFICE_CONVERTER_UNAVAILABLE",
    );
    assert.equal(
      await codeOf(
        uploadVersion(deps, a.specialist, {
          outgoingId: draft.id,
          bytes: Buffer.from("hello"),
          fileName: "a.pdf",
          contentType: "application/pdf",
        }),
      ),
      "OFFICE_FILE_TYPE_UNSUPPORTED",
    );
  });

  it("marks unparseable packages invalid, keeps them, and acknowledges them as failed", async () => {
    const { deps, b } = w;
    w.axis.redeliver(b.code, "edoc", { id: "garbage-1", bytes: Buffer.from("<not a package") });
    const r = await receiveAll(deps);
    assert.equal(r.invalid, 1);
    assert.equal(w.axis.mailboxes.get(`${b.code}|edoc`)?.length, 0);
    const audit = await listAudit(deps.db.kysely as unknown as Tx, b.agencyId, {});
    assert.ok(
      audit.some((e) => e.action === "axis.package-invalid" && e.details?.problem === "EDXML_XML_MALFORMED"),
    );
  });
});
