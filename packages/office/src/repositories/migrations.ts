/**
 * Office schema. Every table that holds agency data carries `agency_id`, and every repository
 * query filters on it (tenant isolation). Times are ISO-8601 UTC text; JSON is text.
 */
import { addAutoIdColumn, columnTypes, createSearchIndex, type Migration } from "@truc/store";
import { sql } from "kysely";
import type { Tx } from "./rows.ts";
import { backfillSearchIndex } from "./search.ts";

export const OFFICE_MIGRATIONS: readonly Migration[] = [
  {
    id: "office-0001-people",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("office_agencies")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("code", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("abbreviation", "text", (c) => c.notNull())
        .addColumn("place", "text", (c) => c.notNull())
        .addColumn("parent_name", "text")
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("office_units")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull().references("office_agencies.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("abbreviation", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("office_users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull().references("office_agencies.id"))
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("full_name", "text", (c) => c.notNull())
        .addColumn("position", "text", (c) => c.notNull())
        .addColumn("unit_id", "text")
        .addColumn("is_head", t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("totp_secret", "text")
        .addColumn("active", t.integer, (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("office_user_roles")
        .addColumn("user_id", "text", (c) => c.notNull().references("office_users.id"))
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("office_user_roles_pk", ["user_id", "role"])
        .execute();
      await db.schema
        .createTable("office_delegations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("for_title", "text", (c) => c.notNull())
        .addColumn("valid_from", t.isoTime, (c) => c.notNull())
        .addColumn("valid_to", t.isoTime, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("office_sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("csrf_token", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("expires_at", t.isoTime, (c) => c.notNull())
        .execute();
      let audit = db.schema.createTable("office_audit");
      audit = addAutoIdColumn(audit, "id", dialect);
      await audit
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("entity_id", "text")
        .addColumn("details", t.json)
        .addColumn("at", t.isoTime, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("office_audit_agency")
        .on("office_audit")
        .columns(["agency_id", "at"])
        .execute();
      await db.schema
        .createTable("office_sequences")
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("year", t.integer, (c) => c.notNull())
        .addColumn("sequence_key", "text", (c) => c.notNull())
        .addColumn("last_value", t.integer, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_sequences_pk", ["agency_id", "year", "sequence_key"])
        .execute();
    },
  },
  {
    id: "office-0002-documents",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("office_outgoing")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("type_code", "text", (c) => c.notNull())
        .addColumn("type_name", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("content", "text")
        .addColumn("notation", "text", (c) => c.notNull())
        .addColumn("sequence_key", "text", (c) => c.notNull())
        .addColumn("number", t.integer)
        .addColumn("number_year", t.integer)
        .addColumn("code_number", "text")
        .addColumn("code_notation", "text")
        .addColumn("document_id", "text")
        .addColumn("promulgation_date", "text")
        .addColumn("urgency", "text", (c) => c.notNull())
        .addColumn("due_date", "text")
        .addColumn("page_count", t.integer)
        .addColumn("copies", t.integer)
        .addColumn("appendices", t.json, (c) => c.notNull())
        .addColumn("places", t.json, (c) => c.notNull())
        .addColumn("recipients", t.json, (c) => c.notNull())
        .addColumn("signer_user_id", "text")
        .addColumn("signer_competence", "text")
        .addColumn("signer_position", "text")
        .addColumn("signer_name", "text")
        .addColumn("signed_at", t.isoTime)
        .addColumn("sealed_at", t.isoTime)
        .addColumn("issued_at", t.isoTime)
        .addColumn("revoked_at", t.isoTime)
        .addColumn("revoke_reason", "text")
        .addColumn("replaces", t.json, (c) => c.notNull())
        .addColumn("file_version", t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn("review_round", t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn("package_ref", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("updated_at", t.isoTime, (c) => c.notNull())
        .addColumn("search_text", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("office_outgoing_agency")
        .on("office_outgoing")
        .columns(["agency_id", "state"])
        .execute();
      await db.schema
        .createIndex("office_outgoing_docid")
        .on("office_outgoing")
        .columns(["agency_id", "document_id"])
        .execute();
      await db.schema
        .createTable("office_outgoing_versions")
        .addColumn("outgoing_id", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("version", t.integer, (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("file_ref", "text", (c) => c.notNull())
        .addColumn("file_name", "text", (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("size", t.integer, (c) => c.notNull())
        .addColumn("note", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_outgoing_versions_pk", ["outgoing_id", "version"])
        .execute();
      await db.schema
        .createTable("office_reviews")
        .addColumn("outgoing_id", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("round", t.integer, (c) => c.notNull())
        .addColumn("reviewer_id", "text", (c) => c.notNull())
        .addColumn("decision", "text", (c) => c.notNull())
        .addColumn("comment", "text")
        .addColumn("decided_at", t.isoTime)
        .addPrimaryKeyConstraint("office_reviews_pk", ["outgoing_id", "round", "reviewer_id"])
        .execute();
      await db.schema
        .createTable("office_recipients")
        .addColumn("outgoing_id", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("organ_id", "text", (c) => c.notNull())
        .addColumn("organ_name", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("updated_at", t.isoTime, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_recipients_pk", ["outgoing_id", "organ_id"])
        .execute();
      let statuses = db.schema.createTable("office_recipient_statuses");
      statuses = addAutoIdColumn(statuses, "id", dialect);
      await statuses
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("outgoing_id", "text", (c) => c.notNull())
        .addColumn("organ_id", "text", (c) => c.notNull())
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("status_at", t.isoTime, (c) => c.notNull())
        .addColumn("recorded_at", t.isoTime, (c) => c.notNull())
        .addColumn("dedupe_key", "text", (c) => c.notNull())
        .addUniqueConstraint("office_recipient_statuses_dedupe", ["agency_id", "dedupe_key"])
        .execute();
      await db.schema
        .createTable("office_incoming")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("axis_message_id", "text", (c) => c.notNull())
        .addColumn("package_ref", "text")
        .addColumn("package_sha256", "text", (c) => c.notNull())
        .addColumn("document_id", "text", (c) => c.notNull())
        .addColumn("business_type", t.integer, (c) => c.notNull())
        .addColumn("from_organ_id", "text", (c) => c.notNull())
        .addColumn("from_name", "text", (c) => c.notNull())
        .addColumn("code_number", "text", (c) => c.notNull())
        .addColumn("code_notation", "text", (c) => c.notNull())
        .addColumn("promulgation_date", "text", (c) => c.notNull())
        .addColumn("type_name", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("signer_competence", "text")
        .addColumn("signer_position", "text")
        .addColumn("signer_name", "text")
        .addColumn("urgency", "text", (c) => c.notNull())
        .addColumn("due_date", "text")
        .addColumn("places", t.json, (c) => c.notNull())
        .addColumn("attachments", t.json, (c) => c.notNull())
        .addColumn("validation", t.json, (c) => c.notNull())
        .addColumn("duplicate_flags", t.json, (c) => c.notNull())
        .addColumn("arrival_year", t.integer)
        .addColumn("arrival_number", t.integer)
        .addColumn("received_at", t.isoTime, (c) => c.notNull())
        .addColumn("registered_at", t.isoTime)
        .addColumn("rejected_reason", "text")
        .addColumn("assigned_unit_id", "text")
        .addColumn("assigned_user_id", "text")
        .addColumn("assigned_at", t.isoTime)
        .addColumn("deadline", "text")
        .addColumn("instructions", "text")
        .addColumn("completed_at", t.isoTime)
        .addColumn("result_note", "text")
        .addColumn("reply_outgoing_id", "text")
        .addColumn("pending_request", t.json)
        .addColumn("replaced_by", "text")
        .addColumn("replaces", t.json, (c) => c.notNull())
        .addColumn("revoked_at", t.isoTime)
        .addColumn("revoke_reason", "text")
        .addColumn("updated_at", t.isoTime, (c) => c.notNull())
        .addColumn("search_text", "text", (c) => c.notNull())
        .addUniqueConstraint("office_incoming_message", ["agency_id", "axis_message_id"])
        .execute();
      await db.schema
        .createIndex("office_incoming_agency")
        .on("office_incoming")
        .columns(["agency_id", "state"])
        .execute();
      await db.schema
        .createIndex("office_incoming_docid")
        .on("office_incoming")
        .columns(["agency_id", "document_id"])
        .execute();
      // `seq` keeps the sending order: statuses of one document must leave in the order they happened.
      let outbox = db.schema.createTable("office_outbox");
      outbox = addAutoIdColumn(outbox, "seq", dialect);
      await outbox
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("dedupe_key", "text", (c) => c.notNull())
        .addColumn("to_organ_ids", t.json, (c) => c.notNull())
        .addColumn("package_ref", "text", (c) => c.notNull())
        .addColumn("status_code", "text")
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("sent_at", t.isoTime)
        .addColumn("axis_id", "text")
        .addColumn("attempts", t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn("last_error", "text")
        .addUniqueConstraint("office_outbox_dedupe", ["agency_id", "dedupe_key"])
        .execute();
      await db.schema
        .createTable("office_inbox_seen")
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("axis_message_id", "text", (c) => c.notNull())
        .addColumn("package_ref", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("detail", "text")
        .addColumn("received_at", t.isoTime, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_inbox_seen_pk", ["agency_id", "kind", "axis_message_id"])
        .execute();
    },
  },
  {
    id: "office-0003-verification",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("office_signed_files")
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("entity_id", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_signed_files_pk", ["sha256", "agency_id", "entity_id"])
        .execute();
      await db.schema
        .createTable("office_print_codes")
        .addColumn("code", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("entity_id", "text", (c) => c.notNull())
        .addColumn("file_ref", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .execute();
    },
  },
  {
    // The first screens: newest incoming (all / assigned to me / pending sender requests),
    // newest outgoing, and one document's history — each served by an index in list order.
    id: "office-0004-list-indexes",
    async up(db) {
      await db.schema
        .createIndex("office_incoming_list")
        .on("office_incoming")
        .columns(["agency_id", "received_at", "id"])
        .execute();
      await db.schema
        .createIndex("office_incoming_assignee")
        .on("office_incoming")
        .columns(["agency_id", "assigned_user_id", "received_at", "id"])
        .execute();
      await db.schema
        .createIndex("office_incoming_pending")
        .on("office_incoming")
        .columns(["agency_id", "received_at", "id"])
        .where(sql.ref("pending_request"), "is not", null)
        .execute();
      await db.schema
        .createIndex("office_outgoing_list")
        .on("office_outgoing")
        .columns(["agency_id", "updated_at", "id"])
        .execute();
      await db.schema
        .createIndex("office_audit_entity")
        .on("office_audit")
        .columns(["agency_id", "entity_id", "id"])
        .execute();
    },
  },
  {
    // Case files (hồ sơ, Phụ lục VI) and the documents filed in them; a document is filed once.
    id: "office-0005-case-files",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("office_case_files")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("file_catalog", t.integer, (c) => c.notNull())
        .addColumn("file_notation", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("retention_years", t.integer)
        .addColumn("rights", "text", (c) => c.notNull())
        .addColumn("creator", "text", (c) => c.notNull())
        .addColumn("language", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("closed_at", t.isoTime)
        .addColumn("retention_expires_on", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("updated_at", t.isoTime, (c) => c.notNull())
        .addUniqueConstraint("office_case_files_code", ["agency_id", "file_catalog", "file_notation"])
        .execute();
      await db.schema
        .createIndex("office_case_files_retention")
        .on("office_case_files")
        .columns(["agency_id", "retention_expires_on"])
        .execute();
      await db.schema
        .createTable("office_case_file_items")
        .addColumn("case_file_id", "text", (c) => c.notNull())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("doc_ordinal", t.integer, (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("entity_id", "text", (c) => c.notNull())
        .addColumn("document_date", "text")
        .addColumn("page_count", t.integer, (c) => c.notNull())
        .addColumn("added_by", "text", (c) => c.notNull())
        .addColumn("added_at", t.isoTime, (c) => c.notNull())
        .addPrimaryKeyConstraint("office_case_file_items_pk", ["case_file_id", "doc_ordinal"])
        .addUniqueConstraint("office_case_file_items_once", ["agency_id", "direction", "entity_id"])
        .execute();
    },
  },
  {
    // Scans of paper documents and their OCR (the searchable PDF and the text are kept).
    id: "office-0006-scans",
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable("office_scans")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("file_name", "text", (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("scan_ref", "text", (c) => c.notNull())
        .addColumn("job_id", "text")
        .addColumn("searchable_ref", "text")
        .addColumn("text", "text")
        .addColumn("pages", t.integer)
        .addColumn("confidence", t.integer)
        .addColumn("error_code", "text")
        .addColumn("incoming_id", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", t.isoTime, (c) => c.notNull())
        .addColumn("updated_at", t.isoTime, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("office_scans_agency")
        .on("office_scans")
        .columns(["agency_id", "created_at"])
        .execute();
    },
  },
  {
    // Full-text search (one index per direction, partitioned by agency; see repositories/search.ts),
    // the body text of incoming documents (package content or OCR) kept for re-indexing, and a
    // backfill of the documents already stored.
    id: "office-0007-search-index",
    async up(db) {
      await createSearchIndex(db, "office_incoming");
      await createSearchIndex(db, "office_outgoing");
      await db.schema
        .createTable("office_incoming_text")
        .addColumn("incoming_id", "text", (c) => c.primaryKey())
        .addColumn("agency_id", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .execute();
      await backfillSearchIndex(db as unknown as Tx);
    },
  },
];
