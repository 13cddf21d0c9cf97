/**
 * Runs `truc` inside the current process and captures what it prints: tests use it instead of
 * spawning a child per call (each child pays the whole startup again). Only writes made from
 * within the run (its async context) are captured, so the test runner's own output, which
 * shares process.stdout, passes through untouched. Environment changes are not isolated: one
 * run at a time.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const sink = new AsyncLocalStorage<{ stdout: string[]; stderr: string[] }>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const into = sink.getStore()?.[name];
      if (!into) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((x) => typeof x === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const { main } = await import("../main.ts");
  install();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const status = await sink.run({ stdout, stderr }, () => main(["node", "truc", ...args]));
    return { status, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
