/**
 * The evidence anchor file: one JSON line per seal, appended and fsynced (the file, and its
 * directory when the file is new) before the seal counts as published. It is only ever
 * appended to, so it can live on storage that enforces that (WORM, append-only attribute,
 * another machine's mount); the database cannot rewrite it.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import {
  type AnchorSource,
  type EvidenceAnchor,
  formatAnchor,
  parseAnchorLine,
} from "../domain/evidence-anchor.ts";
import type { AnchorFile } from "../services/ports.ts";

/** Longest line read as an anchor (a real one is about 500 bytes). */
const MAX_LINE = 8192;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

const sameAnchor = (a: EvidenceAnchor, b: EvidenceAnchor) =>
  a.seq === b.seq && a.hash === b.hash && a.signature === b.signature && a.nodeId === b.nodeId;

export function openAnchorFile(path: string): AnchorFile {
  // One append at a time within the process (the node is the file's only writer).
  let queue: Promise<unknown> = Promise.resolve();
  return {
    path,
    record(anchor) {
      const run = queue.then(async () => {
        const last = await lastAnchor(path);
        if (last && sameAnchor(last, anchor)) return false;
        await appendAnchor(path, anchor);
        return true;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    read: () => readAnchorFile(path),
  };
}

/** Appends one anchor line and fsyncs it (and the directory, when the file is new). */
export async function appendAnchor(path: string, anchor: EvidenceAnchor): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let created = false;
  let fh = await open(path, "r+").catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (!fh) {
    fh = await open(path, "a+");
    created = true;
  }
  try {
    let { size } = await fh.stat();
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        // A write cut short by a crash left a line without its newline (never published, as
        // it was not fsynced): drop it, or, where the storage only appends, end it there.
        const end = await endOfLastLine(fh, size);
        try {
          await fh.truncate(end);
          size = end;
        } catch {
          prefix = "\n";
        }
      }
    }
    await fh.write(`${prefix}${formatAnchor(anchor)}\n`, size);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) {
    // The new directory entry must survive a crash too.
    const dir = await open(dirname(path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/** Offset just after the file's last newline (0 when there is none). */
async function endOfLastLine(fh: FileHandle, size: number): Promise<number> {
  let end = size;
  const chunk = Buffer.alloc(4096);
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await fh.read(chunk, 0, end - start, start);
    const i = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}

/** The last complete anchor of the file, if any (reads only the file's end). */
export async function lastAnchor(path: string): Promise<EvidenceAnchor | undefined> {
  const fh = await open(path, "r").catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (!fh) return undefined;
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, 4 * MAX_LINE);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n");
    // The last element is "" after a complete line, or an interrupted write.
    for (let i = lines.length - 2; i >= 0; i--) {
      const anchor = parseAnchorLine(lines[i]!);
      if (anchor) return anchor;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Reads an anchor file line by line. Lines that are not anchors are listed as malformed,
 * except an incomplete last line (no newline: a write interrupted by a crash before its fsync).
 */
export async function readAnchorFile(path: string): Promise<AnchorSource | undefined> {
  const fh = await open(path, "r").catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (!fh) return undefined;
  const { size } = await fh.stat();
  let endsWithNewline = true;
  if (size > 0) {
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    endsWithNewline = last[0] === 0x0a;
  }
  await fh.close();
  const source: AnchorSource = { source: path, anchors: [], malformed: [] };
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  let pending: { line: number; text: string } | undefined;
  const take = (p: { line: number; text: string }) => {
    if (p.text.trim() === "") return;
    const anchor = p.text.length <= MAX_LINE ? parseAnchorLine(p.text) : undefined;
    if (anchor) source.anchors.push({ line: p.line, anchor });
    else source.malformed.push({ line: p.line, reason: "not an anchor line" });
  };
  for await (const text of lines) {
    n++;
    if (pending) take(pending);
    pending = { line: n, text };
  }
  if (pending) {
    const anchor = pending.text.length <= MAX_LINE ? parseAnchorLine(pending.text) : undefined;
    if (anchor) source.anchors.push({ line: pending.line, anchor });
    else if (endsWithNewline) take(pending);
    // else: an interrupted write, never published; ignored.
  }
  return source;
}
