/** Row shapes of the office tables, as read back from either dialect. */
import type { Generated, Kysely } from "kysely";
export interface AgencyRow {
  id: string;
  code: string;
  name: string;
  abbreviation: string;
  place: string;
  parent_name: string | null;
  created_at: string;
}

export interface UnitRow {
  id: string;
  agency_id: string;
  name: string;
  abbreviation: string;
}

export interface UserRow {
  id: string;
  agency_id: string;
  username: string;
  full_name: string;
  position: string;
  unit_id: string | null;
  is_head: number;
  password_hash: string;
  totp_secret: string | null;
  active: number;
  created_at: string;
}

export interface SessionRow {
  token_hash: string;
  user_id: string;
  agency_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface OutgoingRow {
  id: string;
  agency_id: string;
  state: string;
  type_code: string;
  type_name: string;
  subject: string;
  content: string | null;
  notation: string;
  sequence_key: string;
  number: number | null;
  number_year: number | null;
  code_number: string | null;
  code_notation: string | null;
  document_id: string | null;
  promulgation_date: string | null;
  urgency: string;
  due_date: string | null;
  page_count: number | null;
  copies: number | null;
  appendices: string;
  places: string;
  recipients: string;
  signer_user_id: string | null;
  signer_competence: string | null;
  signer_position: string | null;
  signer_name: string | null;
  signed_at: string | null;
  sealed_at: string | null;
  issued_at: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  replaces: string;
  file_version: number;
  review_round: number;
  package_ref: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  search_text: string;
}

export interface VersionRow {
  outgoing_id: string;
  agency_id: string;
  version: number;
  kind: string;
  file_ref: string;
  file_name: string;
  content_type: string;
  size: number;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface ReviewRow {
  outgoing_id: string;
  agency_id: string;
  round: number;
  reviewer_id: string;
  decision: string;
  comment: string | null;
  decided_at: string | null;
}

export interface RecipientRow {
  outgoing_id: string;
  agency_id: string;
  organ_id: string;
  organ_name: string;
  state: string;
  updated_at: string;
}

export interface RecipientStatusRow {
  id: Generated<number>;
  agency_id: string;
  outgoing_id: string;
  organ_id: string;
  code: string;
  description: string;
  direction: string;
  status_at: string;
  recorded_at: string;
  dedupe_key: string;
}

export interface IncomingRow {
  id: string;
  agency_id: string;
  state: string;
  axis_message_id: string;
  package_ref: string | null;
  package_sha256: string;
  document_id: string;
  business_type: number;
  from_organ_id: string;
  from_name: string;
  code_number: string;
  code_notation: string;
  promulgation_date: string;
  type_name: string;
  subject: string;
  signer_competence: string | null;
  signer_position: string | null;
  signer_name: string | null;
  urgency: string;
  due_date: string | null;
  places: string;
  attachments: string;
  validation: string;
  duplicate_flags: string;
  arrival_year: number | null;
  arrival_number: number | null;
  received_at: string;
  registered_at: string | null;
  rejected_reason: string | null;
  assigned_unit_id: string | null;
  assigned_user_id: string | null;
  assigned_at: string | null;
  deadline: string | null;
  instructions: string | null;
  completed_at: string | null;
  result_note: string | null;
  reply_outgoing_id: string | null;
  pending_request: string | null;
  replaced_by: string | null;
  replaces: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  updated_at: string;
  search_text: string;
}

export interface OutboxRow {
  seq: Generated<number>;
  id: string;
  agency_id: string;
  kind: string;
  dedupe_key: string;
  to_organ_ids: string;
  package_ref: string;
  status_code: string | null;
  created_at: string;
  sent_at: string | null;
  axis_id: string | null;
  attempts: number;
  last_error: string | null;
}

export interface UserRoleRow {
  user_id: string;
  agency_id: string;
  role: string;
}

export interface DelegationRow {
  id: string;
  agency_id: string;
  user_id: string;
  kind: string;
  for_title: string;
  valid_from: string;
  valid_to: string;
}

export interface AuditRow {
  id: Generated<number>;
  agency_id: string;
  user_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  details: string | null;
  at: string;
}

export interface SequenceRow {
  agency_id: string;
  year: number;
  sequence_key: string;
  last_value: number;
}

export interface InboxSeenRow {
  agency_id: string;
  kind: string;
  axis_message_id: string;
  package_ref: string;
  outcome: string;
  detail: string | null;
  received_at: string;
}

/** A signed PDF this office issued or received, by its SHA-256 (public verification). */
export interface SignedFileRow {
  sha256: string;
  agency_id: string;
  direction: "outgoing" | "incoming";
  entity_id: string;
  created_at: string;
}

/** The short code printed on a paper copy, mapped to the original's digest. */
export interface PrintCodeRow {
  code: string;
  agency_id: string;
  sha256: string;
  direction: "outgoing" | "incoming";
  entity_id: string;
  file_ref: string;
  created_by: string;
  created_at: string;
}

/** A case file (hồ sơ); DocTotal, PageTotal, StartDate and EndDate are computed from its items. */
export interface CaseFileRow {
  id: string;
  agency_id: string;
  /** FileCatalog: the year of the file list (danh mục hồ sơ). */
  file_catalog: number;
  file_notation: string;
  title: string;
  /** null: kept permanently (Vĩnh viễn). */
  retention_years: number | null;
  rights: string;
  creator: string;
  language: string;
  description: string | null;
  state: string;
  closed_at: string | null;
  /** Set when closed: first day the file may be appraised for destruction (YYYY-MM-DD). */
  retention_expires_on: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CaseFileItemRow {
  case_file_id: string;
  agency_id: string;
  doc_ordinal: number;
  direction: "incoming" | "outgoing";
  entity_id: string;
  document_date: string | null;
  page_count: number;
  added_by: string;
  added_at: string;
}

/** A scanned paper document and its OCR job; once registered it points at the incoming row. */
export interface ScanRow {
  id: string;
  agency_id: string;
  /** queued | running | done | failed | registered */
  state: string;
  file_name: string;
  content_type: string;
  scan_ref: string;
  /** The in-memory OCR job (lost on restart: the scan is then resubmitted). */
  job_id: string | null;
  searchable_ref: string | null;
  text: string | null;
  pages: number | null;
  confidence: number | null;
  error_code: string | null;
  incoming_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface OfficeTables {
  office_scans: ScanRow;
  office_case_files: CaseFileRow;
  office_case_file_items: CaseFileItemRow;
  office_agencies: AgencyRow;
  office_units: UnitRow;
  office_users: UserRow;
  office_user_roles: UserRoleRow;
  office_delegations: DelegationRow;
  office_sessions: SessionRow;
  office_audit: AuditRow;
  office_sequences: SequenceRow;
  office_outgoing: OutgoingRow;
  office_outgoing_versions: VersionRow;
  office_reviews: ReviewRow;
  office_recipients: RecipientRow;
  office_recipient_statuses: RecipientStatusRow;
  office_incoming: IncomingRow;
  office_outbox: OutboxRow;
  office_inbox_seen: InboxSeenRow;
  office_signed_files: SignedFileRow;
  office_print_codes: PrintCodeRow;
}

/** A Kysely handle (database or transaction) over the office tables. */
export type Tx = Kysely<OfficeTables>;
