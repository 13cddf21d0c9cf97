/**
 * A pool of worker threads for the CPU-bound part of accepting an in-memory package (parse,
 * validate, verify, TraceHeader, re-sign), so the main thread only serves HTTP and SQL. The
 * trust callback and the node signer stay on the main thread and answer the workers' calls.
 *
 * Workers start in the background; until one is ready (and whenever the pool is closed or
 * has no workers) `ready` is false and the pipeline runs on the main thread as before.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Signer, TrustCallback } from "@truc/common";
import { EdxmlError } from "@truc/edxml";
import { AxisError } from "../errors.ts";
import type { FromWorker, PipelineJob, PipelineOutcome, Settled, ToWorker, WireError } from "./protocol.ts";

/** The pool cannot take the job (closed, or no worker could start): run it on the main thread. */
export class PoolUnavailable extends Error {
  constructor() {
    super("pipeline workers unavailable");
    this.name = "PoolUnavailable";
  }
}

export interface JobPorts {
  trust: TrustCallback;
  signer?: Signer | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  inFlight: Set<number>;
}

interface Pending {
  job: PipelineJob;
  ports: JobPorts;
  resolve: (o: PipelineOutcome) => void;
  reject: (e: unknown) => void;
  slot?: Slot;
}

/** Default size: one worker per core when there are at least two cores, else none. */
export function defaultPipelineWorkers(): number {
  const cores = availableParallelism();
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

export class PipelinePool {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Pending>();
  private readonly queue: number[] = [];
  private nextId = 1;
  private closed = false;
  /** Jobs per worker at once: a job waiting for a trust/sign answer lets the next one run. */
  private readonly perWorker: number;

  constructor(size: number, options: { perWorker?: number } = {}) {
    this.perWorker = options.perWorker ?? 2;
    for (let i = 0; i < size; i++) this.spawn();
  }

  /** True when at least one worker has started. */
  get ready(): boolean {
    return !this.closed && this.slots.some((s) => s.ready);
  }

  run(job: PipelineJob, ports: JobPorts): Promise<PipelineOutcome> {
    if (this.closed) return Promise.reject(new PoolUnavailable());
    const id = this.nextId++;
    return new Promise<PipelineOutcome>((resolve, reject) => {
      this.jobs.set(id, { job, ports, resolve, reject });
      this.queue.push(id);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const id of this.queue.splice(0)) this.fail(id, new PoolUnavailable());
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const id of [...this.jobs.keys()]) this.fail(id, new PoolUnavailable());
  }

  private spawn(): void {
    const worker = new Worker(new URL("./pipeline-worker.mjs", import.meta.url));
    const slot: Slot = { worker, ready: false, inFlight: new Set() };
    this.slots.push(slot);
    worker.on("message", (msg: FromWorker) => this.onMessage(slot, msg));
    const lost = (error: unknown) => {
      const at = this.slots.indexOf(slot);
      if (at === -1) return;
      this.slots.splice(at, 1);
      // Its jobs are not lost: the caller runs them again on the main thread.
      void error;
      for (const id of slot.inFlight) this.fail(id, new PoolUnavailable());
      // A worker that dies is replaced (unless it never started: then the main thread does the work).
      if (!this.closed && slot.ready) this.spawn();
      this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`pipeline worker exited with code ${code}`)));
    // An idle worker never keeps the process alive (unref after the listeners: they ref it);
    // it is ref'd while it has jobs, so a pending job is not dropped by an exiting process.
    worker.unref();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots)
        if (s.ready && s.inFlight.size < this.perWorker && (!best || s.inFlight.size < best.inFlight.size))
          best = s;
      if (!best) {
        // No worker at all (none started or all lost): the caller falls back to the main thread.
        if (!this.slots.some((s) => s.ready) && !this.slots.some((s) => !s.ready)) {
          for (const id of this.queue.splice(0)) this.fail(id, new PoolUnavailable());
        }
        return;
      }
      const id = this.queue.shift()!;
      const p = this.jobs.get(id);
      if (!p) continue;
      p.slot = best;
      if (best.inFlight.size === 0) best.worker.ref();
      best.inFlight.add(id);
      best.worker.postMessage({ type: "job", id, job: p.job } as ToWorker);
    }
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === "ready") {
      slot.ready = true;
      this.dispatch();
      return;
    }
    if (msg.type === "done") {
      slot.inFlight.delete(msg.id);
      if (slot.inFlight.size === 0) slot.worker.unref();
      const p = this.jobs.get(msg.id);
      this.jobs.delete(msg.id);
      if (p) {
        if (msg.result.ok) p.resolve(msg.result.value);
        else p.reject(fromWire(msg.result.error));
      }
      this.dispatch();
      return;
    }
    const p = this.jobs.get(msg.job);
    const reply = (result: Settled<unknown>) =>
      slot.worker.postMessage({ type: "reply", id: msg.id, result } as ToWorker);
    void (async () => {
      try {
        if (!p) throw new Error("job is gone");
        if (msg.method === "trust") {
          const verdict = await p.ports.trust({
            certificate: msg.args.certificate,
            candidates: msg.args.candidates,
            at: new Date(msg.args.at),
            purpose: "package-signature",
          });
          reply({ ok: true, value: verdict });
        } else {
          if (!p.ports.signer) throw new Error("no signer");
          reply({ ok: true, value: await p.ports.signer.sign(msg.args.data) });
        }
      } catch (error) {
        reply({ ok: false, error: { name: "Error", message: String((error as Error)?.message ?? error) } });
      }
    })();
  }

  private fail(id: number, error: unknown): void {
    const p = this.jobs.get(id);
    if (!p) return;
    this.jobs.delete(id);
    p.reject(error);
  }
}

/** Rebuilds an error raised in a worker: edXML and axis errors keep their class and code. */
export function fromWire(e: WireError): Error {
  try {
    if (e.name === "EdxmlError" && e.code)
      return new EdxmlError(e.code as ConstructorParameters<typeof EdxmlError>[0], e.details);
    if (e.name === "AxisError" && e.code)
      return new AxisError(e.code as ConstructorParameters<typeof AxisError>[0], e.details);
  } catch {
    // unknown code: fall through to a plain error
  }
  return Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
}

export function settledValue<T>(s: Settled<T>): T {
  if (s.ok) return s.value;
  throw fromWire(s.error);
}

let shared: PipelinePool | null | undefined;

/**
 * The process-wide pool (nodes in one process share the cores). Opt-in for now: its size is
 * `TRUC_PIPELINE_WORKERS` (a number, or "auto" for one worker per core on a machine with at
 * least two); unset or 0 keeps everything on the main thread. On the shared 2-core build
 * machine the pool did not show a throughput gain above the run-to-run noise (see
 * bench/axis.bench.ts), so it is not the default until measured on a quiet host.
 * Created on first use; idle threads never keep the process alive.
 */
export function sharedPipeline(): PipelinePool | null {
  if (shared !== undefined) return shared;
  const env = process.env.TRUC_PIPELINE_WORKERS;
  const size =
    env === "auto" ? defaultPipelineWorkers() : env !== undefined && /^\d+$/.test(env) ? Number(env) : 0;
  shared = size > 0 ? new PipelinePool(size) : null;
  return shared;
}
