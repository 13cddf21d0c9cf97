/** Durable file writes for the CA directory: temp + fsync + rename + directory fsync. */

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** Appends one line and fsyncs it: the operations log is append-only. */
export function appendLineDurable(path: string, line: string): void {
  const fd = openSync(path, "a", 0o644);
  try {
    writeSync(fd, Buffer.from(`${line}\n`, "utf8"));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
