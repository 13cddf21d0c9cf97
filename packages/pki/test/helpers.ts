import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(prefix = "truc-pki-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs openssl; returns status and combined output (never throws). */
export function openssl(args: string[], input?: Buffer | string): { status: number; out: string } {
  const r = spawnSync("openssl", args, { input, encoding: "utf8", timeout: 30_000 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Same, without blocking the event loop (needed when openssl talks to a server in this process). */
export function opensslAsync(args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("openssl", args, { timeout: 30_000 });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => resolve({ status: code ?? -1, out }));
  });
}

export function write(dir: string, name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

export function opensslAvailable(): boolean {
  try {
    execFileSync("openssl", ["version"]);
    return true;
  } catch {
    return false;
  }
}
