/**
 * The load generator of the axis benchmarks, in a process of its own: agencies' systems that
 * sign their packages and post them over mutual TLS, as vendors' systems would from their own
 * hosts. Kept out of the node's process so that the node's CPU and event loop figures are the
 * node's alone (the two still share this machine's cores, as in limits.md §4).
 *
 * The parent calls `startLoadGenerator`; this same file, forked, is the child.
 */

import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { signEdxml } from "@truc/edxml";
import { Pool } from "undici";
import { createPemSigner } from "../../src/adapters/pem-signer.ts";
import { edocXml } from "../../test/support/packages.ts";

export interface GeneratorSetup {
  /** The node's base URL (native API). */
  url: string;
  caPem: string;
  agencies: { code: string; certPem: string; keyPem: string }[];
  /** Packages per phase. */
  packages: { warmup: number; measure: number };
  concurrency: number;
  /** Bytes of the one attachment (random, like a compressed PDF). */
  attachmentBytes: number;
}

export interface RunResult {
  seconds: number;
  /** Accept latencies in ms, sorted. */
  latencies: number[];
  failures: number;
  /** CPU seconds the generator itself used in the run. */
  cpuSeconds: number;
}

export interface LoadGenerator {
  /** Posts the phase's packages, to the node of the setup or to `url`. */
  run(phase: "warmup" | "measure", url?: string): Promise<RunResult>;
  /** One of the prepared packages, for a ceiling over the same bytes. */
  sample(): Promise<Buffer>;
  close(): Promise<void>;
}

type Request =
  | { type: "setup"; setup: GeneratorSetup }
  | { type: "run"; phase: "warmup" | "measure"; url: string }
  | { type: "sample" };
type Reply =
  | { type: "ready" }
  | { type: "result"; result: RunResult }
  | { type: "sample"; base64: string }
  | { type: "error"; message: string };

export async function startLoadGenerator(setup: GeneratorSetup): Promise<LoadGenerator> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, TRUC_LOAD_GENERATOR: "1" },
  });
  const ask = (message: Request) => replyOf(child, message);
  await ask({ type: "setup", setup });
  return {
    run: async (phase, url = setup.url) =>
      ((await ask({ type: "run", phase, url })) as { result: RunResult }).result,
    sample: async () => Buffer.from(((await ask({ type: "sample" })) as { base64: string }).base64, "base64"),
    close: async () => {
      child.kill();
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

function replyOf(child: ChildProcess, message: Request): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
    child.once("exit", onExit);
    child.once("message", (reply: Reply) => {
      child.off("exit", onExit);
      if (reply.type === "error") reject(new Error(`load generator: ${reply.message}`));
      else resolve(reply);
    });
    child.send(message);
  });
}

// ---- the child ----

interface Job {
  from: number;
  body: Buffer;
}

async function prepare(setup: GeneratorSetup) {
  const n = setup.agencies.length;
  const signers = setup.agencies.map((a) => createPemSigner(a.keyPem, a.certPem));
  const job = async (i: number, phase: string): Promise<Job> => {
    const from = i % n;
    const to = (from + 1 + (i % (n - 1))) % n;
    const raw = edocXml({
      from: setup.agencies[from]!.code,
      to: [setup.agencies[to]!.code],
      documentId: `${setup.agencies[from]!.code},2025/03/05,${i}/${phase}`,
      attachment: randomBytes(setup.attachmentBytes),
    });
    return { from, body: await signEdxml(raw, signers[from]!) };
  };
  const jobs = { warmup: [] as Job[], measure: [] as Job[] };
  for (let i = 0; i < setup.packages.warmup; i++) jobs.warmup.push(await job(i, "WARM"));
  for (let i = 0; i < setup.packages.measure; i++) jobs.measure.push(await job(i, "BENCH"));
  // undici's pools, as autocannon-like generators do: a lean client leaves the cores to the node.
  const pools = new Map<string, Pool[]>();
  const poolsFor = (base: string) => {
    let list = pools.get(base);
    if (!list) {
      list = setup.agencies.map(
        (a) =>
          new Pool(base, {
            connect: {
              cert: a.certPem,
              key: a.keyPem,
              ca: setup.caPem,
              checkServerIdentity: () => undefined,
            },
          }),
      );
      pools.set(base, list);
    }
    return list;
  };
  return { jobs, poolsFor };
}

async function post(pool: Pool, body: Buffer): Promise<number> {
  const res = await pool.request({
    method: "POST",
    path: "/v1/packages",
    headers: { "content-type": "application/xml" },
    body,
  });
  await res.body.dump();
  return res.statusCode;
}

async function run(
  setup: GeneratorSetup,
  prepared: Awaited<ReturnType<typeof prepare>>,
  list: Job[],
  base: string,
): Promise<RunResult> {
  const pools = prepared.poolsFor(base);
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: setup.concurrency }, async () => {
      while (next < list.length) {
        const job = list[next++]!;
        const t0 = performance.now();
        const status = await post(pools[job.from]!, job.body);
        latencies.push(performance.now() - t0);
        if (status !== 201) failures++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds,
    latencies: latencies.sort((a, b) => a - b),
    failures,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (process.env.TRUC_LOAD_GENERATOR === "1" && process.send) {
  let setup: GeneratorSetup | undefined;
  let prepared: Awaited<ReturnType<typeof prepare>> | undefined;
  const reply = (r: Reply) => process.send!(r);
  process.on("message", async (message: Request) => {
    try {
      if (message.type === "setup") {
        setup = message.setup;
        prepared = await prepare(setup);
        reply({ type: "ready" });
      } else if (message.type === "run") {
        reply({
          type: "result",
          result: await run(setup!, prepared!, prepared!.jobs[message.phase], message.url),
        });
      } else {
        reply({ type: "sample", base64: prepared!.jobs.measure[0]!.body.toString("base64") });
      }
    } catch (error) {
      reply({ type: "error", message: (error as Error).message });
    }
  });
}
