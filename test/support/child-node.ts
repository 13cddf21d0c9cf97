/**
 * An axis node in a child process (test/support/node-runner.ts), so a test can kill -9 it and
 * start it again on the same data directory. `startChildProcess` does the same for any runner
 * that prints one `<READY> <url>` line once it serves (the office runner uses it too).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("./node-runner.ts", import.meta.url));

export interface ChildNode {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean close); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Everything the process wrote on stderr (for failure messages). */
  stderr(): string;
}

export function startChildNode(runFile: string, run: object, timeoutMs = 120_000): Promise<ChildNode> {
  return startChildProcess(RUNNER, "TRUC_NODE_URL", runFile, run, timeoutMs);
}

/** Starts `runner` (a .ts file) on `runFile` (written from `run`); resolves once it printed `<ready> <url>`. */
export async function startChildProcess(
  runner: string,
  ready: string,
  runFile: string,
  run: object,
  timeoutMs = 120_000,
): Promise<ChildNode> {
  writeFileSync(runFile, JSON.stringify(run, null, 2));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", runner, runFile], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TRUC_TEST: "1" },
  });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    err = (err + c.toString("utf8")).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`${runner} did not start in ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const m = new RegExp(`${ready} (\\S+)`).exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${runner} exited (${code}) before listening: ${err}`));
    });
  });
  child.stdout!.resume();
  return {
    url,
    pid: child.pid!,
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    stderr: () => err,
  };
}
