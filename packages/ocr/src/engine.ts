import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Tesseract from "tesseract.js";
import { OcrError } from "./errors.ts";

const require = createRequire(import.meta.url);

/** Pixel box, origin at the top-left of the page image. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0–100, as tesseract reports it. */
  confidence: number;
  bbox: Box;
  /** Index into the page's `lines`. */
  line: number;
}

export interface OcrLine {
  bbox: Box;
  /** Baseline as two points in pixels (tesseract's `baseline`). */
  baseline: Box;
}

export interface RecognisedPage {
  text: string;
  confidence: number;
  words: OcrWord[];
  lines: OcrLine[];
}

export interface RecogniseOptions {
  signal?: AbortSignal;
  /** Kills the worker (and respawns it) when one page takes longer. */
  timeoutMs?: number;
  /** 1-based page number, used in error details. */
  page?: number;
  /** Fraction 0–1 of this page recognised so far, from tesseract's own progress. */
  onProgress?: (fraction: number) => void;
}

export interface OcrEngine {
  readonly size: number;
  recognise(image: Buffer, options?: RecogniseOptions): Promise<RecognisedPage>;
  /** Terminates every worker; queued and running pages reject with OCR_ENGINE_CLOSED. */
  close(): Promise<void>;
}

export interface OcrEngineOptions {
  /** Worker threads (tesseract instances, ~100 MB each). Default 2. */
  workers?: number;
  /** Folder holding `vie.traineddata.gz`; defaults to the best_int model of @tesseract.js-data/vie. */
  langPath?: string;
}

/** The Vietnamese LSTM model (integer "best") shipped in @tesseract.js-data/vie; nothing is downloaded. */
export const VIE_LANG_PATH = join(
  dirname(require.resolve("@tesseract.js-data/vie/package.json")),
  "4.0.0_best_int",
);
/** Our worker entry: denies the network, then runs tesseract.js's own worker script. */
const WORKER_PATH = fileURLToPath(new URL("./tesseract-worker.cjs", import.meta.url));
const DEFAULT_TIMEOUT_MS = 180_000;

interface Task {
  image: Buffer;
  options: RecogniseOptions;
  resolve(page: RecognisedPage): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Promise<Tesseract.Worker> | undefined;
  task: Task | undefined;
  /** Stops waiting for the running page with this error. */
  interrupt: ((error: OcrError) => void) | undefined;
}

/**
 * A small pool of tesseract.js workers (worker threads). Unlike tesseract's own scheduler it
 * knows which page each worker is on, so progress is attributed to pages, and a page that is
 * cancelled or runs past its timeout is stopped by terminating its worker (tesseract cannot
 * interrupt a recognition otherwise); the slot starts a fresh worker for the next page.
 */
export function createOcrEngine({ workers = 2, langPath = VIE_LANG_PATH }: OcrEngineOptions = {}): OcrEngine {
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
    throw new OcrError("OCR_OPTIONS_INVALID", { detail: "workers must be an integer from 1 to 16" });
  }
  const slots: Slot[] = Array.from({ length: workers }, () => ({
    worker: undefined,
    task: undefined,
    interrupt: undefined,
  }));
  const queue: Task[] = [];
  let closed = false;

  function startWorker(slot: Slot): Promise<Tesseract.Worker> {
    if (slot.worker) return slot.worker;
    // tesseract.js never settles createWorker when the language cannot be loaded; it only
    // calls errorHandler. Until the worker is ready, that call fails the start instead.
    let ready = false;
    let failStart: (error: Error) => void = () => {};
    const startFailed = new Promise<never>((_, reject) => {
      failStart = reject;
    });
    const created = Tesseract.createWorker("vie", Tesseract.OEM.LSTM_ONLY, {
      langPath,
      workerPath: WORKER_PATH,
      // "none": never read or write a traineddata cache in the working directory.
      cacheMethod: "none",
      gzip: true,
      logger: (message) => {
        if (message.status === "recognizing text") slot.task?.options.onProgress?.(message.progress);
      },
      // Failed jobs after start also reject their own promise; only start failures matter here.
      errorHandler: (data: unknown) => {
        if (!ready) failStart(new Error(String(data)));
      },
    });
    slot.worker = Promise.race([created, startFailed]).then((worker) => {
      ready = true;
      return worker;
    });
    return slot.worker;
  }

  function stopWorker(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = undefined;
    // After the microtasks of a recognize() that is just posting its job, so that tesseract
    // never posts to a terminated thread.
    worker?.then((w) => setImmediate(() => void w.terminate())).catch(() => {});
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (slot.task) continue;
      let task = queue.shift();
      while (task?.options.signal?.aborted) {
        task.reject(new OcrError("OCR_ABORTED"));
        task = queue.shift();
      }
      if (!task) return;
      slot.task = task;
      void run(slot, task);
    }
  }

  async function run(slot: Slot, task: Task): Promise<void> {
    const { signal, timeoutMs = DEFAULT_TIMEOUT_MS, page = 1 } = task.options;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let stopped = false;
    const interrupted = new Promise<never>((_, reject) => {
      slot.interrupt = (error) => {
        stopped = true;
        reject(error);
      };
      timer = setTimeout(
        () => slot.interrupt?.(new OcrError("OCR_TIMEOUT", { page, seconds: timeoutMs / 1000 })),
        timeoutMs,
      );
      onAbort = () => slot.interrupt?.(new OcrError("OCR_ABORTED"));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const recognised = (async () => {
        const worker = await startWorker(slot);
        if (stopped) throw new OcrError("OCR_ABORTED");
        const { data } = await worker.recognize(task.image, {}, { text: true, blocks: true });
        return toPage(data);
      })();
      recognised.catch(() => {}); // may settle after an interruption won the race
      task.resolve(await Promise.race([recognised, interrupted]));
    } catch (error) {
      // A stopped recognition leaves the worker busy or broken: replace it.
      stopWorker(slot);
      task.reject(error instanceof OcrError ? error : engineFailed(error));
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      slot.task = undefined;
      slot.interrupt = undefined;
      if (!closed) dispatch();
    }
  }

  return {
    size: workers,
    recognise(image, options = {}) {
      if (closed) return Promise.reject(new OcrError("OCR_ENGINE_CLOSED"));
      if (options.signal?.aborted) return Promise.reject(new OcrError("OCR_ABORTED"));
      const { signal } = options;
      return new Promise<RecognisedPage>((resolve, reject) => {
        // A page still waiting in the queue is dropped at once when its signal aborts.
        const onAbort = () => {
          const at = queue.indexOf(task);
          if (at >= 0) {
            queue.splice(at, 1);
            task.reject(new OcrError("OCR_ABORTED"));
          }
        };
        const settle = () => signal?.removeEventListener("abort", onAbort);
        const task: Task = {
          image,
          options,
          resolve: (page) => {
            settle();
            resolve(page);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(task);
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const task of queue.splice(0)) task.reject(new OcrError("OCR_ENGINE_CLOSED"));
      const running = slots.map((slot) => slot.worker);
      for (const slot of slots) {
        slot.worker = undefined;
        slot.interrupt?.(new OcrError("OCR_ENGINE_CLOSED"));
      }
      await Promise.all(running.map((w) => w?.then((x) => x.terminate()).catch(() => {})));
    },
  };
}

function engineFailed(error: unknown): OcrError {
  const detail = error instanceof Error ? error.message : String(error);
  return new OcrError("OCR_ENGINE_FAILED", { detail }, { cause: error });
}

const box = (b: Tesseract.Bbox): Box => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

function toPage(data: Tesseract.Page): RecognisedPage {
  const words: OcrWord[] = [];
  const lines: OcrLine[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const index = lines.length;
        lines.push({ bbox: box(line.bbox), baseline: box(line.baseline) });
        for (const word of line.words) {
          const text = word.text.normalize("NFC").trim();
          if (text) words.push({ text, confidence: word.confidence, bbox: box(word.bbox), line: index });
        }
      }
    }
  }
  return { text: data.text.normalize("NFC"), confidence: data.confidence, words, lines };
}
