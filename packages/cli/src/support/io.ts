/** Reading inputs (a file or stdin as "-") and writing outputs (a file or stdout as "-"). */
import { readFileSync, writeFileSync } from "node:fs";
import { CliError } from "./errors.ts";

/** Largest input read into memory from stdin (files are read by path). */
const MAX_STDIN_BYTES = 512 * 1024 * 1024;

export async function readInput(path: string): Promise<Buffer> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buf.length;
      if (size > MAX_STDIN_BYTES)
        throw new CliError("CLI_INPUT_UNREADABLE", {
          path: "stdin",
          reason: `more than ${MAX_STDIN_BYTES} bytes`,
        });
      chunks.push(buf);
    }
    return Buffer.concat(chunks);
  }
  return readFileOrThrow(path);
}

export function readFileOrThrow(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(
      "CLI_INPUT_UNREADABLE",
      { path, reason: (error as NodeJS.ErrnoException).code ?? String(error) },
      { cause: error },
    );
  }
}

export function writeOutput(path: string, data: Uint8Array | string): void {
  if (path === "-") process.stdout.write(data);
  else writeFileSync(path, data);
}
