/**
 * Shared benchmark helpers. A figure means something on a noisy 2-core machine only next to
 * a ceiling measured in the same run, so every row may carry one and the ratio is printed.
 * Import from "@truc/common/bench" (benchmarks only; never from production code).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Measurement {
  /** Median rate in operations per second over the runs. */
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Runs `op` repeatedly for `seconds` per run, `runs` times, after a warm-up; returns ops/s. */
export async function measureRate(
  op: () => unknown | Promise<unknown>,
  { seconds = 1, runs = 5, warmupSeconds = 0.2 } = {},
): Promise<Measurement> {
  const deadline = (s: number) => performance.now() + s * 1000;
  for (const end = deadline(warmupSeconds); performance.now() < end; ) await op();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      await op();
      n++;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { median: rates[Math.floor(rates.length / 2)]!, min: rates[0]!, max: rates.at(-1)!, runs };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  /** Same-run ceiling for this figure, in the same unit. */
  ceiling?: { name: string; value: number };
  note?: string;
}

const fmt = (n: number) =>
  Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3)) : String(n);

/** Prints the table (figure, unit, ceiling, ratio) and writes it as JSON for later comparison. */
export function report(benchmark: string, rows: readonly BenchRow[]): void {
  const lines = rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.ceiling ? `${fmt(r.ceiling.value)} ${r.unit} (${r.ceiling.name})` : "",
    r.ceiling ? `${((r.value / r.ceiling.value) * 100).toFixed(1)} %` : "",
    r.note ?? "",
  ]);
  const header = ["figure", "value", "same-run ceiling", "ratio", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
  console.log(`\n${benchmark}`);
  console.log(row(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const l of lines) console.log(row(l));
  const dir = process.env.TRUC_BENCH_RESULTS;
  if (dir) {
    const file = join(dir, `${benchmark.replace(/[^\w.-]+/g, "_")}.json`);
    writeFileSync(
      file,
      JSON.stringify({ benchmark, at: new Date().toISOString(), node: process.version, rows }, null, 2),
    );
  }
}

/** Peak resident set size of this process so far, in MiB (Linux: VmHWM). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * A Linux /proc `stat` file (of a process or a thread): its command name, the CPU seconds
 * (user + system) it has used, and those of its children that have exited and been waited
 * for; undefined when it cannot be read (not Linux, or gone).
 */
export function readProcStat(
  path: string,
): { command: string; cpuSeconds: number; exitedChildrenCpuSeconds: number } | undefined {
  try {
    const stat = readFileSync(path, "utf8");
    // The command is in parentheses and may hold spaces; the fields follow it.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    // utime and stime, in clock ticks of 1/100 s (USER_HZ on every architecture Node runs on).
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const exitedChildrenCpuSeconds = (Number(fields[13]) + Number(fields[14])) / 100;
    return { command: stat.slice(stat.indexOf("(") + 1, close), cpuSeconds, exitedChildrenCpuSeconds };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds this process's main thread has used, or undefined off Linux. Unlike the event
 * loop's busy time it does not grow while the thread waits for a core, so on a loaded machine
 * it still says what the main thread costs (10 ms resolution).
 */
export function mainThreadCpuSeconds(): number | undefined {
  return readProcStat(`/proc/self/task/${process.pid}/stat`)?.cpuSeconds;
}

/**
 * With `TRUC_BENCH_CPU_PROFILE=<dir>`, records a V8 CPU profile of this thread while `run`
 * runs (the measured phase only, not set-up or ceilings) into `<dir>/<name>.cpuprofile`, for
 * Chrome DevTools or speedscope. Without it, just runs `run`.
 */
export async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.TRUC_BENCH_CPU_PROFILE;
  if (!dir) return run();
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await run();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
