import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authorise, can, parseCompetence, signingCompetence } from "../src/domain/access.ts";
import { deadlineStatus, reminderFor, vietnamDate } from "../src/domain/deadlines.ts";
import { documentType, urgencyFromPriority } from "../src/domain/document-types.ts";
import { duplicateFlags, planIncoming, recipientStateAfter } from "../src/domain/incoming.ts";
import {
  buildDocumentId,
  buildNotation,
  documentCode,
  formatNumber,
  numberingYear,
  parseCode,
  renderCode,
  sequenceKey,
} from "../src/domain/numbering.ts";
import { afterReview, nextOutgoingState } from "../src/domain/outgoing.ts";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "no error";
};

describe("permissions", () => {
  it("lets only leaders sign and only clerks register", () => {
    assert.equal(can(["lanh_dao"], "outgoing.sign"), true);
    assert.equal(can(["chuyen_vien"], "outgoing.sign"), false);
    assert.equal(can(["van_thu"], "incoming.register"), true);
    assert.equal(
      codeOf(() => authorise(["chuyen_vien"], "incoming.register")),
      "OFFICE_FORBIDDEN",
    );
  });
  it("derives the competence line from a delegation in force", () => {
    const d = {
      kind: "KT." as const,
      forTitle: "GIÁM ĐỐC",
      validFrom: new Date("2025-01-01"),
      validTo: new Date("2025-12-31"),
    };
    assert.equal(
      signingCompetence({ isHead: false, delegations: [d], at: new Date("2025-06-01") }),
      "KT. GIÁM ĐỐC",
    );
    assert.equal(signingCompetence({ isHead: true, delegations: [], at: new Date("2025-06-01") }), "");
    assert.equal(
      codeOf(() => signingCompetence({ isHead: false, delegations: [d], at: new Date("2026-01-02") })),
      "OFFICE_FORBIDDEN",
    );
    assert.deepEqual(parseCompetence("TUQ. CHỦ TỊCH"), { prefix: "TUQ.", title: "CHỦ TỊCH" });
  });
});

describe("numbering (NĐ 30 Art. 15)", () => {
  it("pads numbers below 10 and renders number/notation", () => {
    assert.equal(formatNumber(5), "05");
    assert.equal(formatNumber(10), "10");
    assert.equal(
      codeOf(() => formatNumber(0)),
      "OFFICE_INVALID_INPUT",
    );
    const qd = documentType("QD")!;
    const notation = buildNotation({ type: qd, agencyAbbreviation: "UBND" });
    assert.equal(notation, "QĐ-UBND");
    assert.equal(renderCode(documentCode({ number: 7, year: 2025, type: qd, notation })), "07/QĐ-UBND");
  });
  it("writes công văn without a type abbreviation and VBQPPL with the year", () => {
    const cv = documentType("CV")!;
    assert.equal(buildNotation({ type: cv, agencyAbbreviation: "UBND", unitAbbreviation: "VX" }), "UBND-VX");
    const nd = documentType("ND")!;
    const code = documentCode({ number: 30, year: 2020, type: nd, notation: "NĐ-CP" });
    assert.equal(renderCode(code), "30/2020/NĐ-CP");
    assert.deepEqual(parseCode("30/2020/NĐ-CP"), { number: 30, year: 2020, notation: "NĐ-CP" });
    assert.deepEqual(parseCode("05/BNV-VP"), { number: 5, notation: "BNV-VP" });
    assert.equal(parseCode("abc"), null);
  });
  it("keeps separate sequences for VBQPPL per type and secret documents", () => {
    assert.equal(sequenceKey(documentType("CV")!), "general");
    assert.equal(sequenceKey(documentType("QD")!), "general");
    assert.equal(sequenceKey(documentType("ND")!), "vbqppl:ND");
    assert.equal(sequenceKey(documentType("CV")!, { secret: true }), "secret");
  });
  it("counts the year in Vietnam time", () => {
    // 31 Dec 2024 17:30 UTC is 1 Jan 2025 00:30 in Viet Nam.
    assert.equal(numberingYear(new Date("2024-12-31T17:30:00Z")), 2025);
    assert.equal(numberingYear(new Date("2024-12-31T16:59:59Z")), 2024);
  });
  it("builds the observed DocumentId form", () => {
    assert.equal(
      buildDocumentId({
        organId: "000.00.00.G22",
        promulgationDate: "2015/09/30",
        code: { codeNumber: "7816", codeNotation: "VPCP-TTĐT" },
      }),
      "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
    );
  });
});

describe("outgoing workflow", () => {
  it("needs every reviewer and returns to draft on any return", () => {
    assert.equal(
      afterReview([
        { reviewerId: "a", decision: "approved" },
        { reviewerId: "b", decision: "pending" },
      ]),
      "in_review",
    );
    assert.equal(
      afterReview([
        { reviewerId: "a", decision: "approved" },
        { reviewerId: "b", decision: "approved" },
      ]),
      "approved",
    );
    assert.equal(
      afterReview([
        { reviewerId: "a", decision: "approved" },
        { reviewerId: "b", decision: "returned" },
      ]),
      "draft",
    );
  });
  it("refuses to seal before the leader signed and numbered", () => {
    assert.equal(
      codeOf(() => nextOutgoingState("approved", "seal")),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(
      codeOf(() => nextOutgoingState("approved", "number")),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(nextOutgoingState("approved", "sign"), "signed");
    assert.equal(nextOutgoingState("signed", "number"), "numbered");
    assert.equal(nextOutgoingState("numbered", "seal"), "sealed");
    assert.equal(nextOutgoingState("sealed", "issue"), "issued");
    assert.equal(nextOutgoingState("issued", "revoke"), "revoked");
  });
});

describe("incoming state machine (spec §3.5)", () => {
  it("emits 01..06 along the normal path, each with its own dedupe key", () => {
    const path = [
      ["received", { kind: "arrive" }, "arrived", "01"],
      ["arrived", { kind: "register" }, "registered", "03"],
      ["registered", { kind: "assign" }, "assigned", "04"],
      ["assigned", { kind: "process" }, "processing", "05"],
      ["processing", { kind: "complete" }, "done", "06"],
    ] as const;
    const keys = new Set<string>();
    for (const [from, ev, to, code] of path) {
      const plan = planIncoming(from, ev);
      assert.equal(plan.next, to);
      assert.equal(plan.emit?.code, code);
      keys.add(plan.emit!.dedupeKey);
    }
    assert.equal(keys.size, 5);
  });
  it("allows 06 straight after 03 and re-assignment without a second 04", () => {
    assert.equal(planIncoming("registered", { kind: "complete" }).emit?.code, "06");
    assert.equal(planIncoming("assigned", { kind: "assign" }).emit, null);
  });
  it("requires a reason to return (02) and refuses out-of-order steps", () => {
    assert.equal(
      codeOf(() => planIncoming("arrived", { kind: "reject", reason: " " })),
      "OFFICE_REASON_REQUIRED",
    );
    assert.equal(
      planIncoming("arrived", { kind: "reject", reason: "Sai nơi nhận" }).emit?.description,
      "Sai nơi nhận",
    );
    assert.equal(
      codeOf(() => planIncoming("received", { kind: "register" })),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(
      codeOf(() => planIncoming("done", { kind: "process" })),
      "OFFICE_INVALID_TRANSITION",
    );
    assert.equal(
      codeOf(() => planIncoming("rejected", { kind: "register" })),
      "OFFICE_INVALID_TRANSITION",
    );
  });
  it("answers take-back with 15 before assignment, and only 16 afterwards", () => {
    assert.deepEqual(
      [
        planIncoming("registered", { kind: "take-back", accept: true }).next,
        planIncoming("registered", { kind: "take-back", accept: true }).emit?.code,
      ],
      ["taken_back", "15"],
    );
    assert.equal(
      codeOf(() => planIncoming("assigned", { kind: "take-back", accept: true })),
      "OFFICE_TAKE_BACK_TOO_LATE",
    );
    const refused = planIncoming("processing", { kind: "take-back", accept: false, reason: "Đang xử lý" });
    assert.equal(refused.emit?.code, "16");
    assert.equal(refused.next, "processing");
  });
  it("answers a revoke with 03 (accepted) or 02 (refused), and an update with 15/16", () => {
    assert.equal(planIncoming("processing", { kind: "revoke", accept: true }).next, "revoked");
    assert.equal(planIncoming("processing", { kind: "revoke", accept: true }).emit?.code, "03");
    assert.equal(planIncoming("arrived", { kind: "revoke", accept: false, reason: "x" }).emit?.code, "02");
    assert.equal(
      planIncoming("registered", { kind: "update", accept: true, updateId: "u1" }).emit?.dedupeKey,
      "update:u1",
    );
    assert.equal(
      planIncoming("registered", { kind: "update", accept: false, reason: "no", updateId: "u1" }).emit?.code,
      "16",
    );
  });
  it("derives the sender's view of each recipient", () => {
    let s = recipientStateAfter("sent", "01");
    assert.equal(s, "arrived");
    s = recipientStateAfter(s, "03");
    s = recipientStateAfter(s, "13");
    assert.equal(recipientStateAfter(s, "15", { takeBackPending: true }), "taken_back");
    assert.equal(recipientStateAfter(s, "16", { takeBackPending: true }), "take_back_refused");
    assert.equal(recipientStateAfter("processing", "16"), "processing"); // answer to an update
    assert.equal(recipientStateAfter("registered", "03", { revoked: true }), "revoked");
    assert.equal(recipientStateAfter("registered", "02", { revoked: true }), "revoke_refused");
    assert.equal(recipientStateAfter("arrived", "03"), "registered");
  });
  it("flags duplicates by identifier and by number/notation/issuer", () => {
    const a = {
      documentId: "X,2025/01/02,01/UBND",
      codeNumber: "01",
      codeNotation: "UBND",
      issuerOrganId: "H29",
    };
    assert.deepEqual(duplicateFlags(a, [a]), ["same_code_and_issuer", "same_document_id"]);
    assert.deepEqual(duplicateFlags({ ...a, documentId: "other" }, [a]), ["same_code_and_issuer"]);
    assert.deepEqual(duplicateFlags({ ...a, issuerOrganId: "G09", documentId: "y" }, [a]), []);
  });
});

describe("urgency and deadlines", () => {
  it("maps edXML priorities", () => {
    assert.equal(urgencyFromPriority(0), "thuong");
    assert.equal(urgencyFromPriority(2), "thuong_khan");
    assert.equal(urgencyFromPriority(4), "hoa_toc");
  });
  it("is overdue from the next Vietnam day", () => {
    assert.equal(vietnamDate(new Date("2025-03-10T17:00:00Z")), "2025-03-11");
    assert.equal(deadlineStatus("2025-03-10", new Date("2025-03-10T16:59:00Z")), "due_soon");
    assert.equal(deadlineStatus("2025-03-10", new Date("2025-03-10T17:00:00Z")), "overdue");
    assert.equal(deadlineStatus("2025-03-20", new Date("2025-03-10T00:00:00Z")), "on_time");
    assert.equal(deadlineStatus(null, new Date()), "none");
  });
  it("reminds about urgent unregistered documents", () => {
    const now = new Date("2025-03-10T03:00:00Z");
    assert.equal(
      reminderFor({ state: "arrived", urgency: "hoa_toc", deadline: null }, now),
      "urgent_unregistered",
    );
    assert.equal(reminderFor({ state: "arrived", urgency: "thuong", deadline: null }, now), null);
    assert.equal(
      reminderFor({ state: "assigned", urgency: "thuong", deadline: "2025-03-09" }, now),
      "deadline_overdue",
    );
    assert.equal(reminderFor({ state: "done", urgency: "hoa_toc", deadline: "2025-03-09" }, now), null);
  });
});
