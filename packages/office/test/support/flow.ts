/** Shared steps of the office tests: issue a document from agency A to B, and sync both sides. */
import assert from "node:assert/strict";
import { assignNumber } from "../../src/services/assign-number.ts";
import { createDraft } from "../../src/services/create-draft.ts";
import { flushOutbox } from "../../src/services/flush-outbox.ts";
import { issueDocument } from "../../src/services/issue-document.ts";
import { listIncomingByState } from "../../src/services/queries.ts";
import { receiveAll } from "../../src/services/receive-messages.ts";
import { reviewDraft, submitForReview } from "../../src/services/review-draft.ts";
import { sealDocument } from "../../src/services/seal-document.ts";
import { signDocument } from "../../src/services/sign-document.ts";
import { uploadVersion } from "../../src/services/upload-version.ts";
import { SAMPLE_PDF } from "./fakes.ts";
import type { World } from "./world.ts";

/** Drafting → two reviewers → leader signature → number → seal → issue, from agency A to B. */
export async function issueFromA(
  w: World,
  subject: string,
  extra: { typeCode?: string; urgency?: "thuong" | "hoa_toc"; replaces?: string[]; pdf?: Buffer } = {},
) {
  const { deps, a, b } = w;
  const draft = await createDraft(deps, a.specialist, {
    typeCode: extra.typeCode ?? "CV",
    subject,
    unitAbbreviation: "VP",
    urgency: extra.urgency ?? "thuong",
    pageCount: 2,
    copies: 3,
    places: ["Như trên;", "Lưu: VT, VP."],
    recipients: [{ organId: b.code, organName: "Bộ Nội vụ" }],
    ...(extra.replaces ? { replaces: extra.replaces } : {}),
  });
  await uploadVersion(deps, a.specialist, {
    outgoingId: draft.id,
    bytes: extra.pdf ?? SAMPLE_PDF,
    fileName: "du-thao.pdf",
    contentType: "application/pdf",
  });
  await submitForReview(deps, a.specialist, { outgoingId: draft.id, reviewerIds: [a.deputy.userId] });
  await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
  await signDocument(deps, a.leader, { outgoingId: draft.id });
  await assignNumber(deps, a.clerk, { outgoingId: draft.id });
  await sealDocument(deps, a.clerk, { outgoingId: draft.id });
  const issued = await issueDocument(deps, a.clerk, { outgoingId: draft.id });
  await flushOutbox(deps);
  return issued;
}

/** Both sides pull and push until nothing moves (receive at B, statuses back to A). */
export async function sync(w: World) {
  for (let i = 0; i < 3; i++) {
    await receiveAll(w.deps);
    await flushOutbox(w.deps);
  }
}

export async function incomingAtB(w: World, documentId: string) {
  const list = await listIncomingByState(w.deps, w.b.clerk, {});
  const doc = list.find((d) => d.documentId === documentId);
  assert.ok(doc, `document ${documentId} arrived at B`);
  return doc;
}
