/** Review steps: submit to one or several reviewers; each approves or returns with a comment. */
import { can } from "../domain/access.ts";
import { afterReview, type ReviewDecision } from "../domain/outgoing.ts";
import { OfficeError } from "../errors.ts";
import { decideReview, insertReviews, listReviews, updateOutgoing } from "../repositories/outgoing.ts";
import { findUser, rolesOf } from "../repositories/people.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { cleanText, guardUpdated, loadOutgoing } from "./outgoing-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export async function submitForReview(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; reviewerIds: string[] },
): Promise<OutgoingView> {
  const reviewers = [...new Set(input.reviewerIds)];
  if (reviewers.length === 0 || reviewers.length > 20)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "reviewers (1–20)" });
  return runCommand(
    deps,
    { actor, action: "outgoing.submit", entity: "outgoing", permission: "outgoing.draft" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "submit");
      if (row.file_version === 0) throw new OfficeError("OFFICE_FILE_MISSING");
      for (const id of reviewers) {
        // findUser is tenant-scoped: a reviewer from another agency is "not found".
        if (!(await findUser(tx, actor.agencyId, id)))
          throw new OfficeError("OFFICE_NOT_FOUND", { entity: "reviewer" });
        if (!can(await rolesOf(tx, actor.agencyId, id), "outgoing.review"))
          throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "reviewer without review permission" });
      }
      const round = row.review_round + 1;
      await insertReviews(
        tx,
        reviewers.map((reviewerId) => ({
          outgoing_id: row.id,
          agency_id: actor.agencyId,
          round,
          reviewer_id: reviewerId,
          decision: "pending",
          comment: null,
          decided_at: null,
        })),
      );
      const patch = { state: "in_review", review_round: round, updated_at: at.toISOString() };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "draft", patch), "submit", row.state);
      return {
        result: outgoingView({ ...row, ...patch }),
        note: { entityId: row.id, details: { round, reviewers } },
      };
    },
  );
}

export async function reviewDraft(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; decision: "approve" | "return"; comment?: string },
): Promise<OutgoingView> {
  const comment = input.comment?.trim() ? cleanText(input.comment, 2000, "comment") : null;
  if (input.decision === "return" && !comment) throw new OfficeError("OFFICE_REASON_REQUIRED");
  return runCommand(
    deps,
    { actor, action: `outgoing.review.${input.decision}`, entity: "outgoing", permission: "outgoing.review" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, input.decision);
      const decision: ReviewDecision = input.decision === "approve" ? "approved" : "returned";
      const ok = await decideReview(
        tx,
        actor.agencyId,
        { outgoingId: row.id, round: row.review_round, reviewerId: actor.userId },
        { decision, comment, at: at.toISOString() },
      );
      if (!ok) throw new OfficeError("OFFICE_NOT_A_REVIEWER");
      const reviews = await listReviews(tx, actor.agencyId, row.id, row.review_round);
      const next = afterReview(
        reviews.map((r) => ({ reviewerId: r.reviewer_id, decision: r.decision as ReviewDecision })),
      );
      const patch = { state: next, updated_at: at.toISOString() };
      guardUpdated(
        await updateOutgoing(tx, actor.agencyId, row.id, "in_review", patch),
        input.decision,
        row.state,
      );
      return {
        result: outgoingView({ ...row, ...patch }),
        note: { entityId: row.id, details: { decision, comment, round: row.review_round, state: next } },
      };
    },
  );
}
