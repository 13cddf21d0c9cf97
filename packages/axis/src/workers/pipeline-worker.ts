/**
 * A CPU worker of the accept pipeline: parse + validate, then the forwarding pass (TraceHeader,
 * re-signing, verification of the received signature) of one in-memory package per job, with the exact code the main thread would
 * run (`adapters/edxml-codec.ts`). Trust and signing are asked of the main thread.
 */
import { parentPort } from "node:worker_threads";
import type { Signer, TrustCallback } from "@truc/common";
import { forwardedSha256, hashingSink, readAndPrepareForward } from "../adapters/edxml-codec.ts";
import type { FromWorker, PipelineJob, PipelineOutcome, Settled, ToWorker, WireError } from "./protocol.ts";

const port = parentPort!;
let nextCall = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function call(job: number, method: "trust" | "sign", args: Record<string, unknown>): Promise<unknown> {
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    port.postMessage({ type: "call", id, job, method, args } as FromWorker);
  });
}

export function toWire(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; details?: unknown } | null;
  return {
    name: typeof e?.name === "string" ? e.name : "Error",
    message: typeof e?.message === "string" ? e.message : String(error),
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
    ...(e?.details && typeof e.details === "object"
      ? { details: structuredCloneable(e.details as Record<string, unknown>) }
      : {}),
  };
}

function structuredCloneable(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  }
}

async function settle<T>(fn: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: toWire(error) };
  }
}

async function run(id: number, job: PipelineJob): Promise<PipelineOutcome> {
  const raw = Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
  const at = new Date(job.at);
  // Parse errors refuse the package at once; verification and forwarding errors are handed
  // back and raised by the main thread at the same point of the pipeline as before.
  const trust: TrustCallback = async (input) =>
    (await call(id, "trust", {
      certificate: input.certificate,
      candidates: [...input.candidates],
      at: input.at.getTime(),
    })) as Awaited<ReturnType<TrustCallback>>;
  const signer: Signer | undefined = job.signer
    ? {
        algorithm: job.signer.algorithm,
        certificate: job.signer.certificate,
        chain: job.signer.chain,
        sign: async (data) => (await call(id, "sign", { data })) as Uint8Array,
      }
    : undefined;
  const both = await readAndPrepareForward(raw, {
    sink: hashingSink(),
    limits: job.limits,
    organId: job.organId,
    at,
    signer,
  });
  const { parsed } = both;
  const prepared = await settle(() => both.prepare());
  const verification = job.verify
    ? prepared.ok
      ? await settle(() => prepared.value.verify(trust))
      : prepared
    : undefined;
  const forward: PipelineOutcome["forward"] = prepared.ok
    ? {
        ok: true,
        value: { ...prepared.value.forward, sha256: forwardedSha256(raw, prepared.value.forward.splices) },
      }
    : prepared;
  return { parsed, ...(verification ? { verification } : {}), forward };
}

port.on("message", (msg: ToWorker) => {
  if (msg.type === "reply") {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.result.ok) p.resolve(msg.result.value);
    else p.reject(Object.assign(new Error(msg.result.error.message), { name: msg.result.error.name }));
    return;
  }
  void (async () => {
    const result = await settle(() => run(msg.id, msg.job));
    port.postMessage({ type: "done", id: msg.id, result } as FromWorker);
  })();
});
port.postMessage({ type: "ready" } as FromWorker);
