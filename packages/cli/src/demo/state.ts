/**
 * Everything the demo must remember between runs, so that a second `truc demo` on the same
 * data directory resumes the same network: generated secrets, certificate serials, what has
 * been seeded. Written atomically with owner-only permissions (it holds demo secrets).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface DemoState {
  version: 1;
  createdAt: string;
  caPassphrase: string;
  /** One 32-byte hex key per node, encrypting its SDKVXP secrets at rest. */
  masterKeys: Record<string, string>;
  /** SDKVXP secret of each office deployment at its node. */
  systemSecrets: Record<string, string>;
  /** Certificate serial per identity name (node:<id>, office:<id>, org:<code>, leader:<code>, …). */
  serials: Record<string, string>;
  /** Password shared by the demo users (printed at start). */
  userPassword: string;
  seeded: { directory: boolean; offices: boolean; documents: boolean };
}

const FILE = "demo-state.json";

export function loadOrCreateState(dataDir: string): { state: DemoState; fresh: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, FILE);
  if (existsSync(path)) return { state: JSON.parse(readFileSync(path, "utf8")) as DemoState, fresh: false };
  const state: DemoState = {
    version: 1,
    createdAt: new Date().toISOString(),
    caPassphrase: randomBytes(18).toString("base64url"),
    masterKeys: {},
    systemSecrets: {},
    serials: {},
    // Readable on purpose: the demo prints it so people can log in. Never a production default.
    userPassword: "TrucDemo@2026",
    seeded: { directory: false, offices: false, documents: false },
  };
  saveState(dataDir, state);
  return { state, fresh: true };
}

export function saveState(dataDir: string, state: DemoState): void {
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function secretFor(bag: Record<string, string>, key: string, bytes = 32): string {
  bag[key] ??= randomBytes(bytes).toString("hex");
  return bag[key];
}
