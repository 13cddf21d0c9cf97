import { ClientError } from "@truc/client";
import { TrucError } from "@truc/common";
import { EXIT } from "../output.ts";
import { CliError } from "./errors.ts";

/**
 * The exit code an error stands for: bad usage or unreadable input → 2; the network or a
 * dependency could not answer → 3 (indeterminate); a refusal or an invalid input → 1;
 * anything unexpected → 4.
 */
export function exitCodeFor(error: unknown): number {
  if (CliError.is(error)) return EXIT.usage;
  if (error instanceof ClientError) {
    if (error.code === "CLIENT_INVALID_ARGUMENT") return EXIT.usage;
    return error.code === "CLIENT_SERVER_ERROR" || error.code === "CLIENT_PACKAGE_REJECTED"
      ? EXIT.invalid
      : EXIT.indeterminate;
  }
  if (error instanceof TrucError) {
    if (error.code === "AXIS_CONFIG_INVALID" || error.code.endsWith("_OPTIONS_INVALID")) return EXIT.usage;
    return EXIT.invalid;
  }
  return EXIT.failure;
}
