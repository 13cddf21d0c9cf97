#!/usr/bin/env node
// Runs every package's tests in one node:test run, so CI sees one summary. One file at a time:
// on two cores, browser, crash and benchmark-sized tests time out when they run side by side.
// Usage: npm test [-- <path-prefix> ...]   e.g. npm test -- packages/edxml
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2).map((f) => f.replace(/\/$/, ""));

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

// Package tests live in packages/*/test; cross-package suites (resilience, security) in test/.
const packagesDir = join(root, "packages");
const testDirs = [
  ...readdirSync(packagesDir).map((pkg) => join(packagesDir, pkg, "test")),
  join(root, "test"),
];
const files = testDirs
  .flatMap((dir) => {
    try {
      return collect(dir, []);
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)))
  .sort();

if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
    "--test-timeout=300000",
    ...files,
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, TRUC_TEST: "1" } },
);
process.exit(result.status ?? 1);
