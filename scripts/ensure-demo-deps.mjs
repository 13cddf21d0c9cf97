#!/usr/bin/env node
// Run by `npm run demo` before the demo: the documents it signs embed Liberation Serif (metric-
// compatible with Times New Roman, the face NĐ 30/2020 prescribes), which Debian ships in
// `fonts-liberation2`. Installs it when missing and we may (root with apt-get); otherwise says
// what to do. TRUC_FONT_DIR points at another directory holding the fonts.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";
if (existsSync(join(dir, "LiberationSerif-Regular.ttf"))) process.exit(0);

const canInstall = process.getuid?.() === 0 && spawnSync("which", ["apt-get"]).status === 0;
if (canInstall) {
  console.error("… cài phông chữ fonts-liberation2 / installing fonts-liberation2");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const install =
    update.status === 0 &&
    spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "fonts-liberation2"], {
      stdio: "inherit",
      env,
    });
  if (install && install.status === 0) process.exit(0);
}
console.error(
  "Thiếu phông chữ Liberation Serif: cài gói fonts-liberation2 (sudo apt-get install fonts-liberation2) " +
    "hoặc đặt TRUC_FONT_DIR.\nLiberation Serif is missing: install fonts-liberation2 or set TRUC_FONT_DIR.",
);
process.exit(1);
