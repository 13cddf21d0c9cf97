/**
 * `truc axis verify-log`: checks a node's tamper-evident evidence log (hash chain and signed
 * seals) straight from its store, and against the seals anchored outside it (the node's anchor
 * file, copies passed with --anchors): exit 0 intact, 1 broken (with the record where it
 * breaks) or cut off (AXIS_EVIDENCE_TRUNCATED).
 * `truc axis operator add`: creates (or resets) an operator account of the node console, with
 * the password from an environment variable or generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AdminDb, AxisDatabase } from "@truc/axis";
import type { Command } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { pemBlocks } from "../support/keys.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Opens an existing node store (never creates an empty one by accident). */
async function openNodeStore(o: { dataDir?: string; databaseUrl?: string }) {
  if (!o.dataDir === !o.databaseUrl)
    throw new CliError("CLI_USAGE", { detail: "give exactly one of --data-dir and --database-url" });
  const { openDatabase } = await import("@truc/store");
  const sqlitePath = o.dataDir ? join(o.dataDir, "axis.sqlite") : undefined;
  if (sqlitePath && !existsSync(sqlitePath))
    throw new CliError("CLI_INPUT_UNREADABLE", { path: sqlitePath, reason: "ENOENT" });
  return openDatabase<AxisDatabase>(
    o.databaseUrl ? { kind: "postgres", url: o.databaseUrl } : { kind: "sqlite", path: sqlitePath! },
  );
}

export function register(program: Command, context: CliContext): void {
  const axis = program.command("axis").description("axis node administration / quản trị nút trục");

  const operator = axis.command("operator").description("node console operators / người quản trị nút");
  operator
    .command("add")
    .description("create or reset an operator account / tạo hoặc đặt lại tài khoản quản trị")
    .option("--data-dir <dir>", "node data directory (SQLite store axis.sqlite)")
    .option("--database-url <url>", "PostgreSQL URL of the node's store")
    .requiredOption("--username <name>", "login name (a-z 0-9 . _ -)")
    .option("--display-name <text>", "name shown in the console")
    .option(
      "--password-env <NAME>",
      "environment variable holding the password (otherwise one is generated and printed once)",
    )
    .action(
      async (o: {
        dataDir?: string;
        databaseUrl?: string;
        username: string;
        displayName?: string;
        passwordEnv?: string;
      }) => {
        const out = context.output();
        try {
          let password: string;
          const generated = o.passwordEnv === undefined;
          if (o.passwordEnv !== undefined) {
            const value = process.env[o.passwordEnv];
            if (!value)
              throw new CliError("CLI_CREDENTIALS_MISSING", { missing: "password", env: o.passwordEnv });
            password = value;
          } else {
            password = randomBytes(18).toString("base64url");
          }
          const { ADMIN_MIGRATIONS, createOperator } = await import("@truc/axis");
          const { migrate } = await import("@truc/store");
          const db = await openNodeStore(o);
          try {
            // The console's tables are created by the node on its first start; make sure they exist.
            await migrate(db, ADMIN_MIGRATIONS);
            await createOperator(db.kysely as unknown as AdminDb, {
              username: o.username,
              password,
              ...(o.displayName ? { displayName: o.displayName } : {}),
            });
          } finally {
            await db.close();
          }
          const username = o.username.trim().toLowerCase();
          printResult(out, { username, ...(generated ? { password } : {}) }, () =>
            generated
              ? out.lang === "vi"
                ? `Đã tạo tài khoản ${username}. Mật khẩu (chỉ hiện một lần): ${password}`
                : `Operator ${username} created. Password (shown once): ${password}`
              : out.lang === "vi"
                ? `Đã tạo tài khoản ${username} với mật khẩu từ ${o.passwordEnv}.`
                : `Operator ${username} created with the password from ${o.passwordEnv}.`,
          );
          context.setExitCode(EXIT.ok);
        } catch (error) {
          reportError(out, error);
          context.setExitCode(exitCodeFor(error));
        }
      },
    );

  axis
    .command("verify-log")
    .description("verify the evidence log of a node / kiểm tra nhật ký chứng cứ của nút")
    .option("--data-dir <dir>", "node data directory (SQLite store axis.sqlite)")
    .option("--database-url <url>", "PostgreSQL URL of the node's store")
    .option("--trusted-cert <pem>", "accept only seals made with these certificates (repeatable)", collect)
    .option(
      "--anchors <file>",
      "anchor file (one seal per line) the chain must still reach; default <data-dir>/evidence-anchors.jsonl when present (repeatable)",
      collect,
    )
    .action(
      async (o: { dataDir?: string; databaseUrl?: string; trustedCert?: string[]; anchors?: string[] }) => {
        const out = context.output();
        try {
          const trusted = (o.trustedCert ?? []).flatMap((f) =>
            pemBlocks(f, "CERTIFICATE").map(
              (der) =>
                `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE-----\n`,
            ),
          );
          const { evidenceReportError, readAnchorFile, verifyEvidenceLog } = await import("@truc/axis");
          // The node's own anchor file, when there is one, and every file named.
          const files = [...(o.anchors ?? []).map((f) => resolve(f))];
          const own = o.dataDir ? resolve(o.dataDir, "evidence-anchors.jsonl") : undefined;
          if (own && existsSync(own) && !files.includes(own)) files.unshift(own);
          const anchors = [];
          for (const file of files) {
            const source = await readAnchorFile(file).catch((error: NodeJS.ErrnoException) => {
              throw new CliError("CLI_INPUT_UNREADABLE", { path: file, reason: error.code ?? error.message });
            });
            if (!source) throw new CliError("CLI_INPUT_UNREADABLE", { path: file, reason: "ENOENT" });
            anchors.push(source);
          }
          // Never create an empty store by accident: a missing one is an input error.
          const db = await openNodeStore(o);
          try {
            const report = await verifyEvidenceLog(db.kysely, {
              ...(trusted.length > 0 ? { trustedCertificates: trusted } : {}),
              ...(anchors.length > 0 ? { anchors } : {}),
            });
            const accepted = (report.anchors ?? []).reduce((n, a) => n + a.accepted, 0);
            const latest = (report.anchors ?? []).reduce((m, a) => Math.max(m, a.latestSeq ?? 0), 0);
            const error = evidenceReportError(report);
            if (!error) {
              printResult(out, report, () => {
                const intact =
                  out.lang === "vi"
                    ? `Nhật ký nguyên vẹn: ${report.records} bản ghi, ${report.seals} dấu niêm phong, ${report.unsealed} bản ghi chưa niêm phong; đầu chuỗi ${report.headHash}`
                    : `Log intact: ${report.records} records, ${report.seals} seals, ${report.unsealed} unsealed; head ${report.headHash}`;
                if (!report.anchors)
                  return `${intact}\n${
                    out.lang === "vi"
                      ? "Không có tệp neo: không kiểm tra được việc mất phần cuối nhật ký (--anchors)."
                      : "No anchor file: a cut-off tail cannot be detected (--anchors)."
                  }`;
                return `${intact}\n${
                  out.lang === "vi"
                    ? `Đã đối chiếu ${accepted} dấu niêm phong neo bên ngoài (${files.join(", ")}), mới nhất ở bản ghi ${latest}: chuỗi không bị cắt.`
                    : `Checked against ${accepted} seals anchored outside the database (${files.join(", ")}), latest at record ${latest}: the chain was not cut.`
                }`;
              });
              context.setExitCode(EXIT.ok);
            } else {
              const p = report.problem;
              printResult(
                out,
                { ...report, error: error.toJSON() },
                () =>
                  `${error.code}: ${out.lang === "vi" ? error.messageVi : error.messageEn}\n${
                    p?.reason === "anchor-invalid"
                      ? out.lang === "vi"
                        ? `Chuỗi trong cơ sở dữ liệu vẫn khớp (${report.records} bản ghi); dòng neo này không được dùng.`
                        : `The chain in the database still holds (${report.records} records); this anchor line was not used.`
                      : out.lang === "vi"
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
      },
    );
}
