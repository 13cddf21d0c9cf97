/**
 * Adds a file version to a draft: a PDF as is, or a DOCX converted to PDF by LibreOffice when
 * the server has it (the DOCX is kept in the history as the source). Only drafts take files;
 * signatures add their own versions.
 */
import { OfficeError } from "../errors.ts";
import { updateOutgoing } from "../repositories/outgoing.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";
import {
  addVersion,
  guardUpdated,
  latestVersionNumber,
  loadOutgoing,
  PDF_MAGIC,
  ZIP_MAGIC,
} from "./outgoing-support.ts";
import { type OutgoingView, outgoingView } from "./views.ts";

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export async function uploadVersion(
  deps: OfficeDeps,
  actor: Actor,
  input: { outgoingId: string; bytes: Buffer; fileName: string; contentType: string; note?: string },
): Promise<OutgoingView> {
  if (input.bytes.length === 0 || input.bytes.length > MAX_UPLOAD_BYTES)
    throw new OfficeError("OFFICE_INVALID_INPUT", { problem: "file size" });
  const fileName = safeFileName(input.fileName);
  let pdf: Buffer;
  let source: Buffer | null = null;
  if (input.contentType === "application/pdf") {
    if (!input.bytes.subarray(0, 5).equals(PDF_MAGIC))
      throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: "not a PDF" });
    pdf = input.bytes;
  } else if (input.contentType === DOCX) {
    if (!input.bytes.subarray(0, 4).equals(ZIP_MAGIC))
      throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: "not a DOCX" });
    if (!(await deps.converter.available())) throw new OfficeError("OFFICE_CONVERTER_UNAVAILABLE");
    source = input.bytes;
    pdf = await deps.converter.toPdf({ bytes: input.bytes, fileName });
  } else {
    throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: input.contentType });
  }
  return runCommand(
    deps,
    { actor, action: "outgoing.upload", entity: "outgoing", permission: "outgoing.draft" },
    async (tx, at) => {
      const row = await loadOutgoing(tx, actor.agencyId, input.outgoingId, "upload");
      let version = await latestVersionNumber(tx, actor.agencyId, row.id);
      const common = { userId: actor.userId, at, ...(input.note ? { note: input.note } : {}) };
      if (source) {
        version = await addVersion(
          deps,
          tx,
          row,
          { ...common, bytes: source, fileName, contentType: DOCX, kind: "source" },
          version + 1,
        );
        version = await addVersion(
          deps,
          tx,
          row,
          {
            ...common,
            bytes: pdf,
            fileName: fileName.replace(/\.docx$/i, ".pdf"),
            contentType: "application/pdf",
            kind: "converted",
          },
          version + 1,
        );
      } else {
        version = await addVersion(
          deps,
          tx,
          row,
          { ...common, bytes: pdf, fileName, contentType: "application/pdf", kind: "draft" },
          version + 1,
        );
      }
      const patch = { file_version: version, updated_at: at.toISOString() };
      guardUpdated(await updateOutgoing(tx, actor.agencyId, row.id, "draft", patch), "upload", row.state);
      return {
        result: outgoingView({ ...row, ...patch }),
        note: { entityId: row.id, details: { version, fileName } },
      };
    },
  );
}

/** File names are shown and sent in packages: keep them short and plain. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "file";
  const clean = base
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._ -]/gu, "_")
    .slice(-120);
  return clean.length > 0 ? clean : "file";
}
