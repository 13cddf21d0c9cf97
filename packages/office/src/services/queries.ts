/**
 * Read-side use cases (no state change, no audit row): document details with history and
 * timelines, file downloads, search, the overdue and reminder lists. All are tenant-scoped.
 */
import { fromJsonText, type SearchMatch } from "@truc/store";
import { authorise } from "../domain/access.ts";
import { deadlineStatus, reminderFor, vietnamDate } from "../domain/deadlines.ts";
import type { Urgency } from "../domain/document-types.ts";
import type { IncomingState } from "../domain/incoming.ts";
import { OfficeError } from "../errors.ts";
import { listAudit } from "../repositories/audit.ts";
import {
  findVersion,
  listRecipientStatuses,
  listRecipients,
  listReviews,
  listVersions,
} from "../repositories/outgoing.ts";
import { listUnits, listUsers } from "../repositories/people.ts";
import type { Tx } from "../repositories/rows.ts";
import {
  matchOf,
  openIncoming,
  overdueIncoming,
  type SearchFilter,
  searchIncoming,
  searchOutgoing,
} from "../repositories/search.ts";
import type { Actor, OfficeDeps } from "./context.ts";
import { loadIncoming } from "./incoming-support.ts";
import { loadOutgoing } from "./outgoing-support.ts";
import {
  type IncomingAttachment,
  incomingView,
  outgoingView,
  recipientView,
  reviewView,
  versionView,
} from "./views.ts";

const q = (deps: OfficeDeps) => deps.db.kysely as unknown as Tx;

export async function getOutgoing(deps: OfficeDeps, actor: Actor, id: string) {
  authorise(actor.roles, "outgoing.read");
  const tx = q(deps);
  const row = await loadOutgoing(tx, actor.agencyId, id);
  const statuses = await listRecipientStatuses(tx, actor.agencyId, id);
  const recipients = (await listRecipients(tx, actor.agencyId, id)).map((r) => ({
    ...recipientView(r),
    timeline: statuses
      .filter((s) => s.organ_id === r.organ_id)
      .map((s) => ({
        code: s.code,
        description: s.description,
        direction: s.direction,
        at: s.status_at,
        recordedAt: s.recorded_at,
      })),
  }));
  return {
    document: outgoingView(row),
    versions: (await listVersions(tx, actor.agencyId, id)).map(versionView),
    reviews: (await listReviews(tx, actor.agencyId, id)).map(reviewView),
    recipients,
  };
}

export async function getOutgoingFile(deps: OfficeDeps, actor: Actor, id: string, version?: number) {
  authorise(actor.roles, "outgoing.read");
  const tx = q(deps);
  const row = await loadOutgoing(tx, actor.agencyId, id);
  const v = await findVersion(tx, actor.agencyId, id, version ?? row.file_version);
  if (!v) throw new OfficeError("OFFICE_FILE_MISSING");
  return { bytes: await deps.blobs.read(v.file_ref), fileName: v.file_name, contentType: v.content_type };
}

export async function getIncoming(deps: OfficeDeps, actor: Actor, id: string) {
  authorise(actor.roles, "incoming.read");
  const row = await loadIncoming(q(deps), actor.agencyId, id);
  return incomingView(row);
}

export async function getIncomingFile(deps: OfficeDeps, actor: Actor, id: string, index: number) {
  authorise(actor.roles, "incoming.read");
  const row = await loadIncoming(q(deps), actor.agencyId, id);
  const a = (fromJsonText<IncomingAttachment[]>(row.attachments) ?? [])[index];
  if (!a?.ref) throw new OfficeError("OFFICE_FILE_MISSING");
  return { bytes: await deps.blobs.read(a.ref), fileName: a.name, contentType: a.contentType };
}

/** The received package exactly as it came from the axis (kept for audit). */
export async function getIncomingPackage(deps: OfficeDeps, actor: Actor, id: string) {
  authorise(actor.roles, "incoming.read");
  const row = await loadIncoming(q(deps), actor.agencyId, id);
  if (!row.package_ref) throw new OfficeError("OFFICE_FILE_MISSING");
  return {
    bytes: await deps.blobs.read(row.package_ref),
    fileName: `${row.id}.edxml`,
    contentType: "application/xml",
  };
}

export interface SearchHit {
  direction: "incoming" | "outgoing";
  id: string;
  code: string | null;
  typeName: string;
  subject: string;
  issuer: string;
  date: string | null;
  state: string;
  urgency: string;
  /** How the query matched: "exact-phrase" | "phrase" | "exact-words" | "words" (ranked in that order). */
  match: SearchMatch;
  /** The query's words occur with their diacritics as typed ("exact-phrase" or "exact-words"). */
  exactMatch: boolean;
}

/**
 * Search over metadata and full text (package content, OCR): diacritic-insensitive matching
 * (đ → d included), the last word a prefix; exact-diacritic matches first (see `match`), then by
 * document date, newest first. Same results and order on both dialects. Each direction's query
 * applies the agency and filters before its limit, and is ordered like the merge below, so the
 * merged page is exactly the best `limit` hits of both.
 */
export async function searchDocuments(
  deps: OfficeDeps,
  actor: Actor,
  filter: SearchFilter,
): Promise<SearchHit[]> {
  const tx = q(deps);
  const hits: (SearchHit & { tier: number })[] = [];
  const ranked = (row: { search_tier: number }) => {
    const match = matchOf(row);
    return { match, exactMatch: match === "exact-phrase" || match === "exact-words", tier: row.search_tier };
  };
  if (filter.direction !== "outgoing" && actor.roles.some((r) => r !== "quan_tri")) {
    for (const r of await searchIncoming(tx, actor.agencyId, filter, "search"))
      hits.push({
        direction: "incoming",
        id: r.id,
        code: `${r.code_number}/${r.code_notation}`,
        typeName: r.type_name,
        subject: r.subject,
        issuer: r.from_name,
        date: r.promulgation_date,
        state: r.state,
        urgency: r.urgency,
        ...ranked(r),
      });
  }
  if (filter.direction !== "incoming" && !filter.issuer) {
    for (const r of await searchOutgoing(tx, actor.agencyId, filter, "search"))
      hits.push({
        direction: "outgoing",
        id: r.id,
        code: r.code_number ? `${r.code_number}/${r.code_notation}` : null,
        typeName: r.type_name,
        subject: r.subject,
        issuer: actor.agencyCode,
        date: r.promulgation_date,
        state: r.state,
        urgency: r.urgency,
        ...ranked(r),
      });
  }
  // The SQL order of each side (tier, date desc, id desc in binary order), then direction.
  const binary = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return hits
    .sort(
      (a, b) =>
        a.tier - b.tier ||
        binary(b.date ?? "", a.date ?? "") ||
        binary(a.direction, b.direction) ||
        binary(b.id, a.id),
    )
    .slice(0, Math.min(filter.limit ?? 200, 1000))
    .map(({ tier: _, ...hit }) => hit);
}

export async function listOverdue(deps: OfficeDeps, actor: Actor) {
  authorise(actor.roles, "incoming.read");
  const now = deps.clock.now();
  return (await overdueIncoming(q(deps), actor.agencyId, vietnamDate(now))).map((r) => ({
    ...incomingView(r),
    deadlineStatus: deadlineStatus(r.deadline, now, r.urgency as Urgency),
  }));
}

/** Documents needing attention now: urgent and unregistered, or deadline due soon/overdue. */
export async function listReminders(deps: OfficeDeps, actor: Actor) {
  authorise(actor.roles, "incoming.read");
  const now = deps.clock.now();
  return (await openIncoming(q(deps), actor.agencyId)).flatMap((r) => {
    const reason = reminderFor(
      { state: r.state as IncomingState, urgency: r.urgency as Urgency, deadline: r.deadline },
      now,
    );
    return reason ? [{ reason, document: incomingView(r) }] : [];
  });
}

export async function listIncomingByState(deps: OfficeDeps, actor: Actor, filter: SearchFilter) {
  authorise(actor.roles, "incoming.read");
  return (await searchIncoming(q(deps), actor.agencyId, filter)).map(incomingView);
}

export async function listOutgoingByState(deps: OfficeDeps, actor: Actor, filter: SearchFilter) {
  authorise(actor.roles, "outgoing.read");
  return (await searchOutgoing(q(deps), actor.agencyId, filter)).map(outgoingView);
}

export async function listPeople(deps: OfficeDeps, actor: Actor) {
  const tx = q(deps);
  return {
    units: (await listUnits(tx, actor.agencyId)).map((u) => ({
      id: u.id,
      name: u.name,
      abbreviation: u.abbreviation,
    })),
    users: (await listUsers(tx, actor.agencyId)).map((u) => ({
      id: u.id,
      username: u.username,
      fullName: u.full_name,
      position: u.position,
      unitId: u.unit_id,
      roles: u.roles,
      isHead: u.is_head === 1,
    })),
  };
}

/**
 * The history of one document (its audit rows, oldest first, with the actor's name), for
 * anyone who may read the document — not only administrators.
 */
export async function documentHistory(
  deps: OfficeDeps,
  actor: Actor,
  input: { direction: "incoming" | "outgoing"; id: string },
) {
  const tx = q(deps);
  if (input.direction === "outgoing") {
    authorise(actor.roles, "outgoing.read");
    await loadOutgoing(tx, actor.agencyId, input.id);
  } else {
    authorise(actor.roles, "incoming.read");
    await loadIncoming(tx, actor.agencyId, input.id);
  }
  const names = new Map((await listUsers(tx, actor.agencyId)).map((u) => [u.id, u.full_name]));
  return (await listAudit(tx, actor.agencyId, { entityId: input.id, limit: 5000 })).map((r) => ({
    ...r,
    userName: r.userId ? (names.get(r.userId) ?? null) : null,
  }));
}

export async function auditTrail(
  deps: OfficeDeps,
  actor: Actor,
  filter: { entityId?: string; limit?: number },
) {
  authorise(actor.roles, "admin.audit");
  return listAudit(q(deps), actor.agencyId, filter);
}
