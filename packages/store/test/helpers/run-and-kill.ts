/**
 * Runs a test child (`node --import tsx <script> ...args`) that prints one `ack …` line per
 * durable write, kills it with SIGKILL once it has printed `count` of them, and returns the
 * fields of every ack line it printed (after "ack"). For the kill -9 durability tests.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

export async function runAndKill(
  script: string,
  args: readonly string[],
  count: number,
): Promise<string[][]> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acks: string[][] = [];
  let buffered = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdout.on("data", (d) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) acks.push(line.split(" ").slice(1));
    if (acks.length >= count && child.exitCode === null && !child.killed) child.kill("SIGKILL");
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  assert.equal(signal, "SIGKILL", `child exited by itself (code ${code}): ${stderr}`);
  return acks;
}
