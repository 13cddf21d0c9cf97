/**
 * `truc receive --out-dir <dir>`: pulls packages waiting for this system, saves each as
 * `<docId>.edxml`, and acknowledges it (`done`) only once it is on disk; `--loop` keeps polling
 * until Ctrl-C. A package that is not edXML is acknowledged `fail` with the reason.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ReceivedEdoc, receiveLoop, type SdkvxpClient } from "@truc/client";
import { TrucError } from "@truc/common";
import { parseEdxml, STATUS_CODES } from "@truc/edxml";
import { type Command, Option } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, type OutputOptions, printResult, reportError } from "../output.ts";
import {
  type ConnectionFlags,
  clientFor,
  connectionOptions,
  resolveConnection,
} from "../support/connection.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { Progress } from "../support/progress.ts";

interface ReceiveFlags extends ConnectionFlags {
  outDir: string;
  type: "edoc" | "status" | "all";
  loop?: boolean;
  interval: string;
  ack: boolean;
}

interface Saved {
  docId: string;
  file: string;
  kind: "document" | "status";
  documentId: string;
  from: string;
  statusCode?: string;
  subject?: string;
}

/** Writes atomically (temp + rename) so a crash never leaves a half package under its final name. */
function saveAtomically(dir: string, docId: string, bytes: Buffer): string {
  const safe = docId.replace(/[^A-Za-z0-9._-]/g, "_");
  const file = join(dir, `${safe}.edxml`);
  const tmp = `${file}.part`;
  writeFileSync(tmp, bytes, { flush: true });
  renameSync(tmp, file);
  return file;
}

async function handlePackage(dir: string, bytes: Buffer, item: ReceivedEdoc): Promise<Saved> {
  // Parse first: a package that is not edXML is refused (acknowledged "fail"), not saved.
  const parsed = await parseEdxml(bytes);
  const file = saveAtomically(dir, item.docId, bytes);
  return parsed.kind === "document"
    ? {
        docId: item.docId,
        file,
        kind: "document",
        documentId: parsed.document.header.documentId,
        from: parsed.document.header.from.organId,
        subject: parsed.document.header.subject,
      }
    : {
        docId: item.docId,
        file,
        kind: "status",
        documentId: parsed.status.responseFor.documentId,
        from: parsed.status.from.organId,
        statusCode: parsed.status.statusCode,
      };
}

function line(out: OutputOptions, s: Saved): string {
  if (s.kind === "status") {
    const label = STATUS_CODES[s.statusCode as keyof typeof STATUS_CODES];
    return `${s.docId}  ${out.lang === "vi" ? "trạng thái" : "status"} ${s.statusCode} ${label ? (out.lang === "vi" ? label.vi : label.en) : ""} — ${s.documentId} (${s.from})`;
  }
  return `${s.docId}  ${out.lang === "vi" ? "văn bản" : "document"} ${s.documentId} ${out.lang === "vi" ? "từ" : "from"} ${s.from}: ${s.subject ?? ""}`;
}

export function register(program: Command, context: CliContext): void {
  connectionOptions(
    program
      .command("receive")
      .description("pull, save and acknowledge packages / nhận văn bản và trạng thái từ trục"),
  )
    .requiredOption("-d, --out-dir <dir>", "where to save the packages (<docId>.edxml)")
    .addOption(
      new Option("--type <type>", "what to receive").choices(["edoc", "status", "all"]).default("all"),
    )
    .option("--loop", "keep polling until Ctrl-C")
    .option("--interval <seconds>", "pause between polls with --loop", "30")
    .option("--no-ack", "save without acknowledging (the axis offers them again)")
    .action(async (o: ReceiveFlags) => {
      const out = context.output();
      try {
        const interval = Number(o.interval);
        if (!Number.isFinite(interval) || interval <= 0)
          throw new CliError("CLI_USAGE", { detail: `--interval ${o.interval}` });
        // Unacknowledged packages are offered again on every poll: a loop would save them forever.
        if (o.loop && !o.ack)
          throw new CliError("CLI_USAGE", { detail: "--no-ack cannot be combined with --loop" });
        const connection = resolveConnection(o);
        mkdirSync(o.outDir, { recursive: true });
        const client = clientFor(connection);
        const types: ("edoc" | "status")[] = o.type === "all" ? ["edoc", "status"] : [o.type];
        const saved: Saved[] = [];
        const failed: { docId: string; code: string }[] = [];
        const report = (s: Saved) => {
          saved.push(s);
          if (!out.json) process.stdout.write(`${line(out, s)}\n`);
        };

        if (!o.loop) {
          for (const messageType of types) await receiveOnce(client, messageType, o, report, failed, out);
        } else {
          const controller = new AbortController();
          const stop = () => controller.abort();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
          if (!out.json)
            process.stderr.write(
              out.lang === "vi"
                ? `Đang nhận từ ${connection.endpoint} (Ctrl-C để dừng)…\n`
                : `Receiving from ${connection.endpoint} (Ctrl-C to stop)…\n`,
            );
          try {
            await Promise.all(
              types.map((messageType) =>
                receiveLoop({
                  client,
                  messageType,
                  signal: controller.signal,
                  intervalMs: interval * 1000,
                  handle: async (pkg, item) => report(await handlePackage(o.outDir, pkg, item)),
                  onError: (error, where) => {
                    if (where.stage === "handle" && where.docId)
                      failed.push({
                        docId: where.docId,
                        code: error instanceof TrucError ? error.code : "ERROR",
                      });
                    if (!out.json) reportError({ ...out, json: false }, error);
                  },
                }),
              ),
            );
          } finally {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
          }
        }
        if (out.json) printResult(out, { received: saved, failed }, () => "");
        else if (!o.loop && saved.length === 0 && failed.length === 0)
          process.stdout.write(out.lang === "vi" ? "Không có gói tin mới.\n" : "Nothing new.\n");
        context.setExitCode(failed.length > 0 ? EXIT.invalid : EXIT.ok);
      } catch (error) {
        reportError(out, error);
        context.setExitCode(exitCodeFor(error));
      }
    });
}

async function receiveOnce(
  client: SdkvxpClient,
  messageType: "edoc" | "status",
  o: ReceiveFlags,
  report: (s: Saved) => void,
  failed: { docId: string; code: string }[],
  out: OutputOptions,
): Promise<void> {
  const items = await client.getReceivedEdocList({ messageType });
  const progress = new Progress(messageType === "edoc" ? "edoc" : "status", items.length, { json: out.json });
  for (const item of items) {
    progress.tick(item.docId);
    const bytes = await client.getEdoc(item.docId);
    let saved: Saved;
    try {
      saved = await handlePackage(o.outDir, bytes, item);
    } catch (error) {
      if (!(error instanceof TrucError) || !error.code.startsWith("EDXML_")) throw error;
      failed.push({ docId: item.docId, code: error.code });
      if (o.ack)
        await client.updateStatus(item.docId, "fail", `${error.code}: ${error.messageVi}`.slice(0, 1000));
      if (!out.json) reportError({ ...out, json: false }, error);
      continue;
    }
    if (o.ack) await client.updateStatus(item.docId, "done");
    report(saved);
  }
  progress.done();
}
