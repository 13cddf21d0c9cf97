#!/usr/bin/env node
// Runs Biome (lint + format) from its platform package. The project depends on the Linux
// binaries directly, not on `@biomejs/biome`: that wrapper lists every platform's binary as
// an optional dependency, and a registry that serves only some of them (as this project's
// does) leaves a lockfile that `npm ci` refuses.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { arch, platform } from "node:process";

const require = createRequire(import.meta.url);
const pkg = `@biomejs/cli-${platform}-${arch}`;
let binary;
try {
  binary = require.resolve(`${pkg}/biome`);
} catch {
  console.error(`Biome binary ${pkg} is not installed (supported here: linux-x64, linux-arm64).`);
  process.exit(2);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
process.exit(result.status ?? 1);
