#!/usr/bin/env node
// `npm run bench`: runs every packages/*/bench/*.bench.ts in its own process (so peak RSS
// and warm-up do not leak between benchmarks). Each benchmark prints its own table with the
// same-run ceiling and ratio, and writes JSON under bench/results/.
// Usage: npm run bench [-- <path-prefix> ...]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = [];
for (const pkg of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", pkg, "bench");
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".bench.ts")) files.push(relative(root, join(dir, name)));
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)));
mkdirSync(join(root, "bench", "results"), { recursive: true });
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TRUC_BENCH_RESULTS: join(root, "bench", "results") },
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
