/**
 * Export of a document or a case file as an archive package (ZIP): for each document, the
 * original signed files, the edXML package byte for byte as sent or received, the signature
 * validation report, the audit trail, the recipients' statuses (outgoing) and its Phụ lục VI
 * metadata; for a case file, its own metadata and audit trail too; and `manifest.json` with
 * the SHA-256 of every file (see `verifyArchive`). The export itself is audited.
 */
import { createHash } from "node:crypto";
import { fromJsonText } from "@truc/store";
import { type ArchiveManifest, buildArchive, safeName } from "../adapters/archive-zip.ts";
import { authorise } from "../domain/access.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { OfficeError } from "../errors.ts";
import { listAudit } from "../repositories/audit.ts";
import { findCaseFile, findFiling, listItems } from "../repositories/case-files.ts";
import {
  findVersion,
  listRecipientStatuses,
  listRecipients,
  listVersions,
} from "../repositories/outgoing.ts";
import type { AgencyRow, CaseFileRow, Tx } from "../repositories/rows.ts";
import { caseFileMetadata, incomingMetadata, outgoingMetadata } from "./archive-metadata.ts";
import { totalsOf } from "./case-file-queries.ts";
import { type Direction, loadCaseFile } from "./case-file-support.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import { loadIncoming } from "./incoming-support.ts";
import { loadAgency, loadOutgoing } from "./outgoing-support.ts";
import type { IncomingAttachment } from "./views.ts";

/** Archives are built in memory: refuse beyond this many bytes of content. */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

class Entries {
  readonly map = new Map<string, Uint8Array>();
  private total = 0;
  add(path: string, bytes: Uint8Array) {
    this.total += bytes.length;
    if (this.total > MAX_ARCHIVE_BYTES) throw new OfficeError("OFFICE_PAYLOAD_TOO_LARGE");
    let unique = path;
    for (let i = 2; this.map.has(unique); i++) unique = path.replace(/(\.[^./]+)?$/, `-${i}$1`);
    this.map.set(unique, bytes);
  }
}

async function collectDocument(
  deps: OfficeDeps,
  tx: Tx,
  entries: Entries,
  input: {
    agency: AgencyRow;
    direction: Direction;
    id: string;
    prefix: string;
    caseFile: CaseFileRow | null;
    docOrdinal: number | null;
    pageCount: number | null;
    at: Date;
  },
): Promise<void> {
  const { agency, prefix } = input;
  const audit = await listAudit(tx, agency.id, { entityId: input.id, limit: 5000 });
  entries.add(`${prefix}audit.json`, json(audit));
  if (input.direction === "outgoing") {
    const row = await loadOutgoing(tx, agency.id, input.id);
    const version =
      row.file_version > 0 ? await findVersion(tx, agency.id, row.id, row.file_version) : undefined;
    const reports = [];
    if (version) {
      const pdf = await deps.blobs.read(version.file_ref);
      const name = safeName(
        row.code_number ? `${row.code_number}-${row.code_notation}.pdf` : version.file_name,
      );
      entries.add(`${prefix}files/${name}`, pdf);
      reports.push({ file: `files/${name}`, ...(await deps.validator.validate(pdf, input.at)) });
    }
    if (row.package_ref) entries.add(`${prefix}package.edxml`, await deps.blobs.read(row.package_ref));
    entries.add(`${prefix}validation.json`, json({ checkedAt: input.at.toISOString(), reports }));
    const statuses = await listRecipientStatuses(tx, agency.id, row.id);
    entries.add(
      `${prefix}statuses.json`,
      json(
        (await listRecipients(tx, agency.id, row.id)).map((r) => ({
          organId: r.organ_id,
          organName: r.organ_name,
          state: r.state,
          timeline: statuses
            .filter((s) => s.organ_id === r.organ_id)
            .map((s) => ({
              code: s.code,
              description: s.description,
              direction: s.direction,
              at: s.status_at,
            })),
        })),
      ),
    );
    entries.add(
      `${prefix}versions.json`,
      json(
        (await listVersions(tx, agency.id, row.id)).map((v) => ({
          version: v.version,
          kind: v.kind,
          fileName: v.file_name,
          sha256: v.file_ref.replace(/^sha256:/, ""),
          createdAt: v.created_at,
        })),
      ),
    );
    entries.add(`${prefix}metadata.json`, json(outgoingMetadata(agency, row, input)));
    return;
  }
  const row = await loadIncoming(tx, agency.id, input.id);
  const attachments = fromJsonText<IncomingAttachment[]>(row.attachments) ?? [];
  for (const [i, a] of attachments.entries()) {
    // A revoked document's files are deleted (spec §3.4); its metadata stays.
    if (a.ref)
      entries.add(
        `${prefix}files/${String(i + 1).padStart(2, "0")}-${safeName(a.name)}`,
        await deps.blobs.read(a.ref),
      );
  }
  if (row.package_ref) entries.add(`${prefix}package.edxml`, await deps.blobs.read(row.package_ref));
  entries.add(`${prefix}validation.json`, json(fromJsonText(row.validation) ?? {}));
  entries.add(
    `${prefix}metadata.json`,
    json(
      incomingMetadata(row, {
        agency,
        caseFile: input.caseFile,
        docOrdinal: input.docOrdinal,
        pageCount: input.pageCount,
        toPlaces: fromJsonText<string[]>(row.places) ?? [],
        trace: {
          state: row.state,
          registeredAt: row.registered_at,
          assignment: {
            unitId: row.assigned_unit_id,
            userId: row.assigned_user_id,
            at: row.assigned_at,
            deadline: row.deadline,
            instructions: row.instructions,
          },
          completedAt: row.completed_at,
          resultNote: row.result_note,
          replyOutgoingId: row.reply_outgoing_id,
          replacedBy: row.replaced_by,
          revokedAt: row.revoked_at,
        },
      }),
    ),
  );
}

export interface ArchiveExport {
  zip: Buffer;
  fileName: string;
  manifest: ArchiveManifest;
}

export async function exportDocumentArchive(
  deps: OfficeDeps,
  actor: Actor,
  input: { direction: Direction; id: string },
): Promise<ArchiveExport> {
  authorise(actor.roles, "archive.export");
  // Collected outside a write transaction (reading files and validating signatures takes time);
  // only the audit row of the export is written.
  const tx = deps.db.kysely as unknown as Tx;
  const at = deps.clock.now();
  const agency = await loadAgency(tx, actor.agencyId);
  const filing = await findFiling(tx, actor.agencyId, input.direction, input.id);
  const caseFile = filing ? ((await findCaseFile(tx, actor.agencyId, filing.case_file_id)) ?? null) : null;
  const entries = new Entries();
  await collectDocument(deps, tx, entries, {
    agency,
    direction: input.direction,
    id: input.id,
    prefix: "",
    caseFile,
    docOrdinal: filing?.doc_ordinal ?? null,
    pageCount: filing?.page_count ?? null,
    at,
  });
  const { zip, manifest } = buildArchive({
    entries: entries.map,
    createdAt: at,
    agency: { code: agency.code, name: agency.name },
    subject: { kind: "document", id: input.id, direction: input.direction },
  });
  await auditExport(deps, actor, { entity: input.direction, id: input.id, manifest, zip });
  return {
    zip,
    manifest,
    fileName: `luu-tru-${input.direction === "incoming" ? "vb-den" : "vb-di"}-${input.id}.zip`,
  };
}

async function auditExport(
  deps: OfficeDeps,
  actor: Actor,
  input: { entity: string; id: string; manifest: ArchiveManifest; zip: Buffer },
) {
  await runCommand(deps, { actor, action: "archive.export", entity: input.entity }, async () => ({
    result: null,
    note: {
      entityId: input.id,
      details: {
        files: input.manifest.files.length,
        bytes: input.zip.length,
        sha256: createHash("sha256").update(input.zip).digest("hex"),
      },
    },
  }));
}

export async function exportCaseFileArchive(
  deps: OfficeDeps,
  actor: Actor,
  input: { caseFileId: string },
): Promise<ArchiveExport> {
  authorise(actor.roles, "archive.export");
  const tx = deps.db.kysely as unknown as Tx;
  const at = deps.clock.now();
  const agency = await loadAgency(tx, actor.agencyId);
  const file = await loadCaseFile(tx, actor.agencyId, input.caseFileId);
  const items = await listItems(tx, actor.agencyId, file.id);
  const entries = new Entries();
  entries.add("metadata.json", json(caseFileMetadata(agency, file, totalsOf(items))));
  entries.add("audit.json", json(await listAudit(tx, actor.agencyId, { entityId: file.id, limit: 5000 })));
  for (const item of items) {
    const prefix = `documents/${String(item.doc_ordinal).padStart(3, "0")}-${item.direction === "incoming" ? "den" : "di"}/`;
    await collectDocument(deps, tx, entries, {
      agency,
      direction: item.direction,
      id: item.entity_id,
      prefix,
      caseFile: file,
      docOrdinal: item.doc_ordinal,
      pageCount: item.page_count,
      at,
    });
  }
  const { zip, manifest } = buildArchive({
    entries: entries.map,
    createdAt: at,
    agency: { code: agency.code, name: agency.name },
    subject: { kind: "case-file", id: file.id },
  });
  const code = `${agency.code}.${file.file_catalog}.${file.file_notation}`;
  await auditExport(deps, actor, { entity: "casefile", id: file.id, manifest, zip });
  return { zip, manifest, fileName: `ho-so-${safeName(code)}-${vietnamDate(at)}.zip` };
}
