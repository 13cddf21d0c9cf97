/**
 * Outgoing-document (văn bản đi) workflow:
 *   draft ─submit→ in_review ─(every reviewer approves)→ approved ─sign→ signed ─number→ numbered
 *         ←return── in_review                                     ─seal→ sealed ─issue→ issued ─revoke→ revoked
 * A reviewer returning the draft sends it back to `draft` for a new version and a new round.
 * The leader signs before the number is assigned; the clerk numbers, then seals (organisation
 * signature) only a document already signed by the competent person (NĐ 30 Art. 32(2)(d)).
 */
import { OfficeError } from "../errors.ts";

export const OUTGOING_STATES = [
  "draft",
  "in_review",
  "approved",
  "signed",
  "numbered",
  "sealed",
  "issued",
  "revoked",
] as const;
export type OutgoingState = (typeof OUTGOING_STATES)[number];

export type OutgoingAction =
  | "upload"
  | "submit"
  | "approve"
  | "return"
  | "sign"
  | "number"
  | "seal"
  | "issue"
  | "revoke"
  | "update"
  | "replace";

const FROM: Record<OutgoingAction, readonly OutgoingState[]> = {
  upload: ["draft"],
  submit: ["draft"],
  approve: ["in_review"],
  return: ["in_review"],
  sign: ["approved"],
  number: ["signed"],
  seal: ["numbered"],
  issue: ["sealed"],
  revoke: ["issued"],
  update: ["issued"],
  replace: ["issued"],
};

export function assertOutgoingAction(state: OutgoingState, action: OutgoingAction): void {
  if (!FROM[action].includes(state)) throw new OfficeError("OFFICE_INVALID_TRANSITION", { action, state });
}

export type ReviewDecision = "pending" | "approved" | "returned";
export interface Review {
  reviewerId: string;
  decision: ReviewDecision;
}

/** State after one reviewer's decision in the current round. */
export function afterReview(reviews: readonly Review[]): OutgoingState {
  if (reviews.some((r) => r.decision === "returned")) return "draft";
  if (reviews.length > 0 && reviews.every((r) => r.decision === "approved")) return "approved";
  return "in_review";
}

/** The simple transitions (everything except review, which depends on all reviewers). */
export function nextOutgoingState(
  state: OutgoingState,
  action: Exclude<OutgoingAction, "approve" | "return">,
): OutgoingState {
  assertOutgoingAction(state, action);
  switch (action) {
    case "upload":
      return "draft";
    case "submit":
      return "in_review";
    case "sign":
      return "signed";
    case "number":
      return "numbered";
    case "seal":
      return "sealed";
    case "issue":
      return "issued";
    case "revoke":
      return "revoked";
    case "update":
    case "replace":
      return "issued";
  }
}

/** A file version's role in the history. */
export type VersionKind = "draft" | "converted" | "signed" | "sealed";
