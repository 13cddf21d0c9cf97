#!/usr/bin/env node
// `npm run bench`: runs every packages/*/bench/*.bench.ts and the cross-package benchmarks in
// bench/*.bench.ts (network load test), each in its own process (so peak RSS and warm-up do not
// leak between benchmarks). Each benchmark prints its own table and writes JSON under
// bench/results/; at the end one combined table is printed from those JSON files: benchmark,
// figure, value, unit, same-run ceiling, ratio.
// Usage: npm run bench [-- <path-prefix> ...]      TRUC_LONG=1 adds the long cases.
//        npm run bench -- --table-only              only print the table of the stored results.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const tableOnly = args.includes("--table-only");
const filters = args.filter((a) => !a.startsWith("--"));
const resultsDir = join(root, "bench", "results");

const files = [];
const benchDirs = [
  ...readdirSync(join(root, "packages")).map((pkg) => join(root, "packages", pkg, "bench")),
  join(root, "bench"),
];
for (const dir of benchDirs) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".bench.ts")) files.push(relative(root, join(dir, name)));
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)));
mkdirSync(resultsDir, { recursive: true });

const startedAt = new Date();
const outcomes = [];
if (!tableOnly) {
  for (const file of selected) {
    console.log(`\n=== ${file}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, TRUC_BENCH_RESULTS: resultsDir },
    });
    outcomes.push({
      file,
      ok: r.status === 0,
      seconds: (Date.now() - t0) / 1000,
      status: r.status ?? r.signal,
    });
  }
}

// ------------------------------------------------------------------ combined table

const fmt = (n) =>
  typeof n !== "number" || !Number.isFinite(n)
    ? String(n)
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString("en-US")
      : n.toPrecision(3);

const results = [];
for (const name of existsSync(resultsDir) ? readdirSync(resultsDir).sort() : []) {
  if (!name.endsWith(".json")) continue;
  try {
    const data = JSON.parse(readFileSync(join(resultsDir, name), "utf8"));
    if (!data || !Array.isArray(data.rows)) continue;
    results.push({ ...data, file: name, fresh: tableOnly || new Date(data.at) >= startedAt });
  } catch (error) {
    console.error(`bench/results/${name}: ${error.message}`);
  }
}

const header = ["benchmark", "figure", "value", "unit", "same-run ceiling", "ratio"];
const lines = [];
for (const r of results) {
  for (const row of r.rows) {
    lines.push([
      `${r.benchmark}${r.fresh ? "" : ` (earlier run, ${String(r.at).slice(0, 10)})`}`,
      row.figure,
      fmt(row.value),
      row.unit,
      row.ceiling ? `${fmt(row.ceiling.value)} (${row.ceiling.name})` : "",
      row.ceiling?.value ? `${((row.value / row.ceiling.value) * 100).toFixed(1)} %` : "",
    ]);
  }
}
if (lines.length > 0) {
  const max = [48, 78, 12, 8, 60, 8];
  const clip = (s, w) => (s.length > w ? `${s.slice(0, w - 1)}…` : s);
  const widths = header.map((h, i) => Math.min(max[i], Math.max(h.length, ...lines.map((l) => l[i].length))));
  const row = (cells) =>
    cells
      .map((c, i) =>
        i === 2 || i === 5 ? clip(c, widths[i]).padStart(widths[i]) : clip(c, widths[i]).padEnd(widths[i]),
      )
      .join(" | ");
  console.log(
    `\n=== all benchmarks (${results.filter((r) => r.fresh).length} fresh, ${results.filter((r) => !r.fresh).length} from earlier runs)`,
  );
  console.log(row(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const l of lines) console.log(row(l));
}
if (outcomes.length > 0) {
  console.log("");
  for (const o of outcomes)
    console.log(
      `${o.ok ? "ok  " : "FAIL"} ${o.file} (${o.seconds.toFixed(0)} s${o.ok ? "" : `, exit ${o.status}`})`,
    );
}
process.exit(outcomes.some((o) => !o.ok) ? 1 : 0);
