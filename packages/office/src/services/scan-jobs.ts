/**
 * Paper scans: upload (PDF or image) → OCR in the background (@truc/ocr, Vietnamese, offline)
 * → the searchable PDF and the text are kept with the scan. The OCR queue lives in memory, so
 * the scan itself is stored first; a job lost to a restart is resubmitted when polled.
 */
import { randomUUID } from "node:crypto";
import { detectKind, type OcrJobStatus, type OcrProgress } from "@truc/ocr";
import { authorise } from "../domain/access.ts";
import { OfficeError } from "../errors.ts";
import type { ScanRow, Tx } from "../repositories/rows.ts";
import { type Actor, type OfficeDeps, runCommand } from "./context.ts";

/** Largest scan accepted (the upload limit of the API). */
export const MAX_SCAN_BYTES = 50 * 1024 * 1024;

const CONTENT_TYPES = {
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
  tiff: "image/tiff",
} as const;

const q = (deps: OfficeDeps) => deps.db.kysely as unknown as Tx;

function ocrOf(deps: OfficeDeps) {
  if (!deps.ocr) throw new OfficeError("OFFICE_OCR_UNAVAILABLE");
  return deps.ocr;
}

export interface ScanView {
  id: string;
  state: string;
  fileName: string;
  contentType: string;
  progress: { stage: string; page: number; pages: number; fraction: number } | null;
  pages: number | null;
  confidence: number | null;
  text: string | null;
  errorCode: string | null;
  incomingId: string | null;
  createdAt: string;
  updatedAt: string;
}

function scanView(row: ScanRow, progress: OcrProgress | null = null): ScanView {
  return {
    id: row.id,
    state: row.state,
    fileName: row.file_name,
    contentType: row.content_type,
    progress: progress
      ? { stage: progress.stage, page: progress.page, pages: progress.pages, fraction: progress.fraction }
      : row.state === "done" || row.state === "registered"
        ? { stage: "done", page: row.pages ?? 0, pages: row.pages ?? 0, fraction: 1 }
        : null,
    pages: row.pages,
    confidence: row.confidence,
    text: row.text,
    errorCode: row.error_code,
    incomingId: row.incoming_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function findScan(tx: Tx, agencyId: string, id: string): Promise<ScanRow> {
  const row = await tx
    .selectFrom("office_scans")
    .selectAll()
    .where("agency_id", "=", agencyId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new OfficeError("OFFICE_NOT_FOUND", { entity: "scan" });
  return row;
}

export { findScan as loadScan };

/** Keeps the outcome of a finished job (idempotent: only a queued/running scan changes). */
async function settleScan(deps: OfficeDeps, scan: ScanRow, status: OcrJobStatus): Promise<void> {
  const at = deps.clock.now().toISOString();
  let patch: Partial<ScanRow>;
  if (status.state === "done" && status.result) {
    const searchable = status.searchablePdf ? await deps.blobs.put(status.searchablePdf) : null;
    patch = {
      state: "done",
      searchable_ref: searchable?.ref ?? null,
      text: status.result.text,
      pages: status.result.pages.length,
      confidence: Math.round(status.result.meanConfidence),
      updated_at: at,
    };
  } else {
    patch = {
      state: "failed",
      error_code: status.error?.code ?? `OCR_${status.state.toUpperCase()}`,
      updated_at: at,
    };
  }
  await deps.db.transaction(async (trx) => {
    const tx = trx as unknown as Tx;
    const r = await tx
      .updateTable("office_scans")
      .set(patch)
      .where("agency_id", "=", scan.agency_id)
      .where("id", "=", scan.id)
      .where("job_id", "=", status.id)
      .where("state", "in", ["queued", "running"])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1)
      await tx
        .insertInto("office_audit")
        .values({
          agency_id: scan.agency_id,
          user_id: null,
          action: `scan.ocr-${patch.state}`,
          entity: "scan",
          entity_id: scan.id,
          details: JSON.stringify({ pages: patch.pages ?? null, errorCode: patch.error_code ?? null }),
          at,
        })
        .execute();
  });
}

/** Submits the scan to the OCR queue and settles it in the background when the job ends. */
async function startJob(deps: OfficeDeps, scan: ScanRow): Promise<string> {
  const ocr = ocrOf(deps);
  const input = await deps.blobs.read(scan.scan_ref);
  const jobId = ocr.submit({ input });
  await q(deps)
    .updateTable("office_scans")
    .set({ job_id: jobId, state: "queued", updated_at: deps.clock.now().toISOString() })
    .where("agency_id", "=", scan.agency_id)
    .where("id", "=", scan.id)
    .execute();
  void ocr
    .wait(jobId)
    .then((status) => settleScan(deps, { ...scan, job_id: jobId }, status))
    .catch(() => undefined);
  return jobId;
}

export async function uploadScan(
  deps: OfficeDeps,
  actor: Actor,
  input: { bytes: Buffer; fileName: string },
): Promise<ScanView> {
  authorise(actor.roles, "incoming.register");
  ocrOf(deps);
  if (input.bytes.length === 0 || input.bytes.length > MAX_SCAN_BYTES)
    throw new OfficeError("OFFICE_PAYLOAD_TOO_LARGE");
  let kind: keyof typeof CONTENT_TYPES;
  try {
    kind = detectKind(input.bytes);
  } catch {
    throw new OfficeError("OFFICE_FILE_TYPE_UNSUPPORTED", { contentType: "not PDF, PNG, JPEG or TIFF" });
  }
  const blob = await deps.blobs.put(input.bytes);
  const row = await runCommand(
    deps,
    { actor, action: "scan.upload", entity: "scan", permission: "incoming.register" },
    async (tx, at) => {
      const scan: ScanRow = {
        id: randomUUID(),
        agency_id: actor.agencyId,
        state: "queued",
        file_name: input.fileName,
        content_type: CONTENT_TYPES[kind],
        scan_ref: blob.ref,
        job_id: null,
        searchable_ref: null,
        text: null,
        pages: null,
        confidence: null,
        error_code: null,
        incoming_id: null,
        created_by: actor.userId,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      };
      await tx.insertInto("office_scans").values(scan).execute();
      return { result: scan, note: { entityId: scan.id, details: { sha256: blob.sha256, kind } } };
    },
  );
  const jobId = await startJob(deps, row);
  return scanView({ ...row, job_id: jobId });
}

/** The scan with its live OCR progress (for a progress bar); resubmits a job lost to a restart. */
export async function getScan(deps: OfficeDeps, actor: Actor, id: string): Promise<ScanView> {
  authorise(actor.roles, "incoming.register");
  let row = await findScan(q(deps), actor.agencyId, id);
  if (row.state !== "queued" && row.state !== "running") return scanView(row);
  const ocr = ocrOf(deps);
  let status: OcrJobStatus | null = null;
  try {
    status = row.job_id ? ocr.status(row.job_id) : null;
  } catch {
    status = null;
  }
  if (!status) {
    await startJob(deps, row);
    return scanView(await findScan(q(deps), actor.agencyId, id));
  }
  if (status.state === "done" || status.state === "failed" || status.state === "cancelled") {
    await settleScan(deps, row, status);
    row = await findScan(q(deps), actor.agencyId, id);
    return scanView(row);
  }
  return scanView({ ...row, state: status.state }, status.progress);
}

/** The searchable PDF (page images + invisible text layer) once OCR is done. */
export async function getScanFile(
  deps: OfficeDeps,
  actor: Actor,
  id: string,
  which: "searchable" | "original",
) {
  authorise(actor.roles, "incoming.register");
  const row = await findScan(q(deps), actor.agencyId, id);
  const ref = which === "original" ? row.scan_ref : row.searchable_ref;
  if (!ref) throw new OfficeError("OFFICE_FILE_MISSING");
  const base = row.file_name.replace(/\.[^.]+$/, "");
  return which === "original"
    ? { bytes: await deps.blobs.read(ref), fileName: row.file_name, contentType: row.content_type }
    : { bytes: await deps.blobs.read(ref), fileName: `${base}-ocr.pdf`, contentType: "application/pdf" };
}
