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

/**
 * Command groups by the top-level command names they register. Only the group a command line
 * needs is imported (some pull in heavy libraries, e.g. PDF); help loads them all.
 */
const COMMAND_GROUPS: Array<{ names: readonly string[]; load: () => Promise<{ register: Register }> }> = [
  { names: ["pdf"], load: () => import("./commands/pdf.ts") },
  { names: ["edxml"], load: () => import("./commands/edxml.ts") },
  { names: ["node"], load: () => import("./commands/node.ts") },
  { names: ["axis"], load: () => import("./commands/axis.ts") },
  { names: ["send"], load: () => import("./commands/send.ts") },
  { names: ["receive"], load: () => import("./commands/receive.ts") },
  { names: ["conformance"], load: () => import("./commands/conformance.ts") },
  { names: ["pki"], load: () => import("./commands/pki.ts") },
  { names: ["demo"], load: () => import("./commands/demo.ts") },
];

/** The first argument that is not a global option: the top-level command. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--lang") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

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
  const wanted = commandName(argv);
  const groups = COMMAND_GROUPS.filter((g) => wanted === undefined || g.names.includes(wanted));
  for (const group of groups.length > 0 ? groups : COMMAND_GROUPS)
    (await group.load()).register(program, context);

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
