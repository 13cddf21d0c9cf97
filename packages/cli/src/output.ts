import { TrucError } from "@truc/common";

/** Exit codes by outcome, shared by every command (documented in `truc --help`). */
export const EXIT = {
  ok: 0,
  /** The thing checked is invalid (bad signature, revoked certificate, invalid package). */
  invalid: 1,
  /** Bad usage or input that could not be read. */
  usage: 2,
  /** Could not decide (revocation data unavailable, network down). */
  indeterminate: 3,
  /** Unexpected failure. */
  failure: 4,
} as const;

export type Lang = "vi" | "en";

export interface OutputOptions {
  json: boolean;
  lang: Lang;
}

/** Prints a result as JSON (`--json`) or as human text. */
export function printResult(opts: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Prints an error in the chosen language (or as JSON) and returns the exit code to use. */
export function reportError(opts: OutputOptions, error: unknown): number {
  if (error instanceof TrucError) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    else process.stderr.write(`${error.code}: ${opts.lang === "vi" ? error.messageVi : error.messageEn}\n`);
    return EXIT.invalid;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (opts.json) process.stdout.write(`${JSON.stringify({ error: { code: "UNEXPECTED", message } })}\n`);
  else process.stderr.write(`${opts.lang === "vi" ? "Lỗi" : "Error"}: ${message}\n`);
  return EXIT.failure;
}
