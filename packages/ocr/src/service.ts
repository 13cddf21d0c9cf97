import { randomUUID } from "node:crypto";
import { createOcrEngine } from "./engine.ts";
import { OcrError } from "./errors.ts";
import { checkOptions, type OcrProgress, type OcrResult, ocrDocument } from "./ocr.ts";
import { makeSearchablePdf } from "./searchable-pdf.ts";

export interface OcrJob {
  /** The scan: PDF, PNG, JPEG or TIFF. */
  input: Uint8Array;
  /** Render resolution for PDFs / assumed resolution for images without one. */
  dpi?: number;
  /** Also build the searchable PDF (scan pages + invisible text layer). Default true. */
  searchablePdf?: boolean;
}

export type OcrJobState = "queued" | "running" | "done" | "failed" | "cancelled";

export interface OcrJobStatus {
  id: string;
  state: OcrJobState;
  /** Latest progress (null while queued); fraction is 1 once done. */
  progress: OcrProgress | null;
  /** Jobs ahead of this one while queued. */
  position?: number;
  result?: OcrResult;
  searchablePdf?: Buffer;
  error?: { code: string; message: { vi: string; en: string } };
  submittedAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface OcrService {
  /** Queues a scan and returns its job id at once; throws OCR_QUEUE_FULL or an input error. */
  submit(job: OcrJob): string;
  /** Snapshot for polling (a progress bar); throws OCR_JOB_UNKNOWN. */
  status(jobId: string): OcrJobStatus;
  /** Resolves when the job is done, failed or cancelled. */
  wait(jobId: string): Promise<OcrJobStatus>;
  /** Cancels a queued or running job; false when it had already finished. */
  cancel(jobId: string): boolean;
  /** Cancels everything and terminates the worker threads. */
  close(): Promise<void>;
}

export interface OcrServiceOptions {
  /** Documents processed at the same time. Default 1. */
  maxConcurrent?: number;
  /** tesseract worker threads shared by all documents. Default 2. */
  workers?: number;
  /** Jobs waiting at most (OCR_QUEUE_FULL beyond). Default 100. */
  maxQueued?: number;
  /** How long a finished job stays available to `status`. Default 1 h. */
  retainMs?: number;
  maxBytes?: number;
  maxPages?: number;
  pageTimeoutMs?: number;
  now?: () => number;
}

interface Entry {
  status: OcrJobStatus;
  job: OcrJob;
  controller: AbortController;
  finished: Promise<void>;
  finish(): void;
}

/**
 * Background OCR for the office: scans are queued, processed `maxConcurrent` at a time on
 * one shared pool of tesseract workers (started on first use, so an idle office costs
 * nothing), and polled by id. State lives in memory: a restart loses queued jobs, so the
 * caller keeps the uploaded scan (blob store) and resubmits what has no result yet.
 */
export function createOcrService(options: OcrServiceOptions = {}): OcrService {
  const {
    maxConcurrent = 1,
    workers = 2,
    maxQueued = 100,
    retainMs = 3_600_000,
    now = Date.now,
    maxBytes,
    maxPages,
    pageTimeoutMs,
  } = options;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new OcrError("OCR_OPTIONS_INVALID", { detail: "maxConcurrent must be a positive integer" });
  }
  let engine: ReturnType<typeof createOcrEngine> | undefined;
  const jobs = new Map<string, Entry>();
  const queue: Entry[] = [];
  let running = 0;
  let closed = false;

  const sweep = () => {
    const horizon = now() - retainMs;
    for (const [id, entry] of jobs) {
      if (entry.status.finishedAt !== undefined && entry.status.finishedAt < horizon) jobs.delete(id);
    }
  };

  const settle = (entry: Entry, patch: Partial<OcrJobStatus>) => {
    Object.assign(entry.status, patch, { finishedAt: now() });
    entry.finish();
  };

  function pump(): void {
    while (!closed && running < maxConcurrent && queue.length > 0) {
      const entry = queue.shift()!;
      running++;
      void runJob(entry).finally(() => {
        running--;
        pump();
      });
    }
  }

  async function runJob(entry: Entry): Promise<void> {
    const { status, job, controller } = entry;
    status.state = "running";
    status.startedAt = now();
    try {
      engine ??= createOcrEngine({ workers });
      const result = await ocrDocument(job.input, {
        engine,
        signal: controller.signal,
        onProgress: (progress) => {
          status.progress = progress;
        },
        ...(job.dpi ? { dpi: job.dpi } : {}),
        ...(maxBytes ? { maxBytes } : {}),
        ...(maxPages ? { maxPages } : {}),
        ...(pageTimeoutMs ? { pageTimeoutMs } : {}),
      });
      const searchablePdf =
        job.searchablePdf === false
          ? undefined
          : await makeSearchablePdf(job.input, result, {
              signal: controller.signal,
              ...(maxBytes ? { maxBytes } : {}),
            });
      settle(entry, { state: "done", result, ...(searchablePdf ? { searchablePdf } : {}) });
    } catch (error) {
      if (controller.signal.aborted) {
        settle(entry, { state: "cancelled" });
      } else {
        const failure =
          error instanceof OcrError
            ? error
            : new OcrError("OCR_ENGINE_FAILED", {
                detail: error instanceof Error ? error.message : String(error),
              });
        settle(entry, {
          state: "failed",
          error: { code: failure.code, message: { vi: failure.messageVi, en: failure.messageEn } },
        });
      }
    }
  }

  const entryOf = (jobId: string): Entry => {
    sweep();
    const entry = jobs.get(jobId);
    if (!entry) throw new OcrError("OCR_JOB_UNKNOWN", { jobId });
    return entry;
  };

  const snapshot = (entry: Entry): OcrJobStatus => {
    const position = queue.indexOf(entry);
    return {
      ...entry.status,
      ...(entry.status.progress ? { progress: { ...entry.status.progress } } : {}),
      ...(position >= 0 ? { position } : {}),
    };
  };

  return {
    submit(job) {
      if (closed) throw new OcrError("OCR_ENGINE_CLOSED");
      checkOptions(job.input, { ...(job.dpi ? { dpi: job.dpi } : {}), ...(maxBytes ? { maxBytes } : {}) });
      if (queue.length >= maxQueued) throw new OcrError("OCR_QUEUE_FULL", { max: maxQueued });
      sweep();
      const id = randomUUID();
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const entry: Entry = {
        status: { id, state: "queued", progress: null, submittedAt: now() },
        job,
        controller: new AbortController(),
        finished,
        finish,
      };
      jobs.set(id, entry);
      queue.push(entry);
      pump();
      return id;
    },
    status: (jobId) => snapshot(entryOf(jobId)),
    async wait(jobId) {
      const entry = entryOf(jobId);
      await entry.finished;
      return snapshot(entry);
    },
    cancel(jobId) {
      const entry = entryOf(jobId);
      if (entry.status.finishedAt !== undefined) return false;
      entry.controller.abort();
      const at = queue.indexOf(entry);
      if (at >= 0) {
        queue.splice(at, 1);
        settle(entry, { state: "cancelled" });
      }
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const entry of jobs.values()) entry.controller.abort();
      for (const entry of queue.splice(0)) settle(entry, { state: "cancelled" });
      await engine?.close();
      await Promise.all([...jobs.values()].map((e) => e.finished));
    },
  };
}
