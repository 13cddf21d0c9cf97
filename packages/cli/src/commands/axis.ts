/**
 * `truc axis verify-log`: checks a node's tamper-evident evidence log (hash chain and signed
 * seals) straight from its store: exit 0 intact, 1 broken (with the record where it breaks).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AxisDatabase } from "@truc/axis";
import type { Command } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { pemBlocks } from "../support/keys.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, context: CliContext): void {
  const axis = program.command("axis").description("axis node administration / quản trị nút trục");

  axis
    .command("verify-log")
    .description("verify the evidence log of a node / kiểm tra nhật ký chứng cứ của nút")
    .option("--data-dir <dir>", "node data directory (SQLite store axis.sqlite)")
    .option("--database-url <url>", "PostgreSQL URL of the node's store")
    .option("--trusted-cert <pem>", "accept only seals made with these certificates (repeatable)", collect)
    .action(async (o: { dataDir?: string; databaseUrl?: string; trustedCert?: string[] }) => {
      const out = context.output();
      try {
        if (!o.dataDir === !o.databaseUrl)
          throw new CliError("CLI_USAGE", { detail: "give exactly one of --data-dir and --database-url" });
        const trusted = (o.trustedCert ?? []).flatMap((f) =>
          pemBlocks(f, "CERTIFICATE").map(
            (der) =>
              `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE-----\n`,
          ),
        );
        const { AxisError, verifyEvidenceLog } = await import("@truc/axis");
        const { openDatabase } = await import("@truc/store");
        const sqlitePath = o.dataDir ? join(o.dataDir, "axis.sqlite") : undefined;
        // Never create an empty store by accident: a missing one is an input error.
        if (sqlitePath && !existsSync(sqlitePath))
          throw new CliError("CLI_INPUT_UNREADABLE", { path: sqlitePath, reason: "ENOENT" });
        const db = await openDatabase<AxisDatabase>(
          o.databaseUrl ? { kind: "postgres", url: o.databaseUrl } : { kind: "sqlite", path: sqlitePath! },
        );
        try {
          const report = await verifyEvidenceLog(
            db.kysely,
            trusted.length > 0 ? { trustedCertificates: trusted } : {},
          );
          if (report.ok) {
            printResult(out, report, () =>
              out.lang === "vi"
                ? `Nhật ký nguyên vẹn: ${report.records} bản ghi, ${report.seals} dấu niêm phong, ${report.unsealed} bản ghi chưa niêm phong; đầu chuỗi ${report.headHash}`
                : `Log intact: ${report.records} records, ${report.seals} seals, ${report.unsealed} unsealed; head ${report.headHash}`,
            );
            context.setExitCode(EXIT.ok);
          } else {
            const error = new AxisError("AXIS_EVIDENCE_BROKEN", {
              seq: report.problem?.seq ?? "?",
              reason: report.problem?.reason ?? "?",
            });
            printResult(
              out,
              { ...report, error: error.toJSON() },
              () =>
                `${error.code}: ${out.lang === "vi" ? error.messageVi : error.messageEn}\n${
                  out.lang === "vi"
                    ? `Các bản ghi 1–${report.records} vẫn khớp chuỗi; ${report.seals} dấu niêm phong hợp lệ trước đó.`
                    : `Records 1–${report.records} still chain; ${report.seals} valid seals before that.`
                }`,
            );
            context.setExitCode(EXIT.invalid);
          }
        } finally {
          await db.close();
        }
      } catch (error) {
        reportError(out, error);
        context.setExitCode(exitCodeFor(error));
      }
    });
}
