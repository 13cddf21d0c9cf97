/**
 * DOCX → PDF with `libreoffice --headless` (or `soffice`), only when installed. Detection is a
 * PATH lookup; conversion runs in a fresh temporary directory with a private user profile and
 * a timeout, and the output is checked to be a PDF.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { OfficeError } from "../errors.ts";
import type { DocumentConverter } from "../ports.ts";

async function findExecutable(names: readonly string[]): Promise<string | null> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) {
      const path = join(dir, name);
      try {
        await access(path, constants.X_OK);
        return path;
      } catch {
        // keep looking
      }
    }
  }
  return null;
}

export function libreofficeConverter(
  options: { timeoutMs?: number; executables?: string[] } = {},
): DocumentConverter {
  const names = options.executables ?? ["libreoffice", "soffice"];
  let found: Promise<string | null> | undefined;
  const locate = () => {
    found ??= findExecutable(names);
    return found;
  };
  return {
    async available() {
      return (await locate()) !== null;
    },
    async toPdf({ bytes }) {
      const exe = await locate();
      if (!exe) throw new OfficeError("OFFICE_CONVERTER_UNAVAILABLE");
      const dir = await mkdtemp(join(tmpdir(), "truc-office-convert-"));
      try {
        const input = join(dir, "input.docx");
        await writeFile(input, bytes);
        await new Promise<void>((resolve, reject) =>
          execFile(
            exe,
            [
              `-env:UserInstallation=file://${join(dir, "profile")}`,
              "--headless",
              "--convert-to",
              "pdf",
              "--outdir",
              dir,
              input,
            ],
            { timeout: options.timeoutMs ?? 120_000 },
            (error) =>
              error
                ? reject(new OfficeError("OFFICE_CONVERSION_FAILED", { reason: error.message.slice(0, 200) }))
                : resolve(),
          ),
        );
        const pdf = await readFile(join(dir, "input.pdf")).catch(() => {
          throw new OfficeError("OFFICE_CONVERSION_FAILED", { reason: "no output" });
        });
        if (!pdf.subarray(0, 5).equals(Buffer.from("%PDF-")))
          throw new OfficeError("OFFICE_CONVERSION_FAILED", { reason: "output is not a PDF" });
        return pdf;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
