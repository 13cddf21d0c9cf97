import { Command, Option } from "commander";
import { EXIT, type Lang, type OutputOptions } from "./output.ts";

/**
 * Each command group lives in its own file under ./commands and exports
 * `register(program, context)`. Add new groups to COMMAND_GROUPS.
 */
export interface CliContext {
  /** Global options, resolved when a command runs. */
  output(): OutputOptions;
  /** Set by a command to choose the process exit code. */
  setExitCode(code: number): void;
}

type Register = (program: Command, context: CliContext) => void;

const COMMAND_GROUPS: Array<() => Promise<{ register: Register }>> = [
  () => import("./commands/pdf.ts"),
  () => import("./commands/edxml.ts"),
  () => import("./commands/node.ts"),
  () => import("./commands/axis.ts"),
  () => import("./commands/send.ts"),
  () => import("./commands/receive.ts"),
  () => import("./commands/conformance.ts"),
  () => import("./commands/pki.ts"),
];

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("truc")
    .description("truc — trục liên thông văn bản (QĐ 28/2018/QĐ-TTg) / e-document interconnection")
    .addOption(new Option("--json", "machine-readable output / kết quả dạng JSON").default(false))
    .addOption(
      new Option("--lang <lang>", "message language / ngôn ngữ thông báo")
        .choices(["vi", "en"])
        .default("vi"),
    )
    .showHelpAfterError()
    .exitOverride();

  const context: CliContext = {
    output: () => {
      const o = program.opts<{ json: boolean; lang: Lang }>();
      return { json: o.json, lang: o.lang };
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  for (const load of COMMAND_GROUPS) (await load()).register(program, context);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return EXIT.ok;
    if (typeof code === "string" && code.startsWith("commander.")) return EXIT.usage;
    throw error;
  }
  return exitCode;
}
