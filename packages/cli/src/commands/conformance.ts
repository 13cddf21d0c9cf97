/**
 * `truc conformance`: runs the conformance scenarios against any SDKVXP-compatible endpoint
 * and, through it, against an agency system (or the built-in simulated agency when the peer's
 * connection is given). Writes a signed report (Markdown, HTML, JSON + detached CMS).
 * Exit 0 when nothing failed, 1 when a scenario failed.
 */
import { type Command, Option } from "commander";
import { ExternalAgency, type PeerAgency, SimulatedAgency } from "../conformance/agency.ts";
import type { ConformanceReport } from "../conformance/model.ts";
import { writeReport } from "../conformance/report.ts";
import { runConformance } from "../conformance/runner.ts";
import { SCENARIOS, type ScenarioId } from "../conformance/scenarios.ts";
import type { CliContext } from "../main.ts";
import { EXIT, type Lang, printResult, reportError } from "../output.ts";
import {
  type ConnectionFlags,
  clientFor,
  connectionOptions,
  resolveConnection,
} from "../support/connection.ts";
import { CliError } from "../support/errors.ts";
import { exitCodeFor } from "../support/exit.ts";
import { hasSigner, loadSigner, type SignerFlags } from "../support/keys.ts";
import { Progress } from "../support/progress.ts";

interface ConformanceFlags extends ConnectionFlags, SignerFlags {
  peerAgency?: string;
  peerSystemId?: string;
  peerSecret?: string;
  peerSecretEnv: string;
  reportDir?: string;
  signaturePolicy: "require" | "verify-if-present" | "off";
  oversizeMb: string;
  unknownAgency: string;
  timeout?: string;
  only?: string;
}

const MARK = { pass: "✓", fail: "✗", "not-supported": "–" } as const;

export function summaryText(report: ConformanceReport, lang: Lang): string {
  const words = {
    pass: lang === "vi" ? "ĐẠT" : "PASS",
    fail: lang === "vi" ? "KHÔNG ĐẠT" : "FAIL",
    "not-supported": lang === "vi" ? "KHÔNG HỖ TRỢ" : "NOT SUPPORTED",
  };
  const lines = report.scenarios.map((r) => {
    const reason = r.reason ? ` — ${lang === "vi" ? r.reason.vi : r.reason.en}` : "";
    return `${MARK[r.outcome]} ${(lang === "vi" ? r.title.vi : r.title.en).padEnd(44)} ${words[r.outcome]}${reason}`;
  });
  return [...lines, "", lang === "vi" ? report.summary.line.vi : report.summary.line.en].join("\n");
}

export function register(program: Command, context: CliContext): void {
  connectionOptions(
    program
      .command("conformance")
      .description(
        "run the interconnection conformance suite against an axis endpoint / kiểm tra tuân thủ kết nối trục",
      ),
  )
    .option("--peer-agency <code>", "recipient agency (the agency system under test, or the simulated one)")
    .option("--peer-system-id <id>", "the peer's connection: given → the built-in simulated agency answers")
    .option("--peer-secret <secret>", "the peer's HMAC secret (prefer --peer-secret-env)")
    .option("--peer-secret-env <VAR>", "environment variable holding the peer's secret", "TRUC_PEER_SECRET")
    .option("--report-dir <dir>", "write report.md, report.html, report.json (+ .p7s when signed)")
    .option("--key <pem>", "runner's private key (signs the report)")
    .option("--cert <pem>", "runner's certificate and chain (PEM)")
    .option("--key-password-env <VAR>", "environment variable holding the key's passphrase")
    .option("--p12 <file>", "runner's PKCS#12 key and certificates")
    .option("--key-store <dir>", "@truc/pki CA directory holding the runner's key")
    .option("--serial <hex>", "certificate serial in --key-store")
    .option(
      "--password-env <VAR>",
      "environment variable with the PKCS#12 / key-store password",
      "TRUC_KEY_PASSWORD",
    )
    .addOption(
      new Option("--signature-policy <policy>", "what the node does with package signatures")
        .choices(["require", "verify-if-present", "off"])
        .default("verify-if-present"),
    )
    .option("--oversize-mb <n>", "attachment size of the oversized package", "65")
    .option("--unknown-agency <code>", "an agency code that is in no directory", "H99.99.99")
    .option("--timeout <seconds>", "wait for each answer (default 30 simulated, 300 real agency)")
    .option("--only <ids>", `comma-separated scenarios: ${SCENARIOS.map((s) => s.id).join(", ")}`)
    .action(async (o: ConformanceFlags) => {
      const out = context.output();
      try {
        const connection = resolveConnection(o);
        const peerAgency = o.peerAgency ?? process.env.TRUC_PEER_AGENCY;
        if (!peerAgency)
          throw new CliError("CLI_USAGE", { detail: "--peer-agency is required (the recipient)" });
        const peerSecret = o.peerSecret ?? process.env[o.peerSecretEnv];
        if (o.peerSystemId && !peerSecret)
          throw new CliError("CLI_CREDENTIALS_MISSING", { missing: "--peer-secret", env: o.peerSecretEnv });
        const only = o.only
          ?.split(",")
          .map((x) => x.trim())
          .filter(Boolean);
        const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id));
        if (unknown?.length)
          throw new CliError("CLI_USAGE", { detail: `unknown scenario ${unknown.join(", ")}` });
        const oversizeMb = Number(o.oversizeMb);
        if (!(oversizeMb > 0)) throw new CliError("CLI_USAGE", { detail: `--oversize-mb ${o.oversizeMb}` });

        const signer = hasSigner(o) ? await loadSigner(o) : undefined;
        // Few retries: a refusal must show as it is, and a lost answer is evidence too.
        const retry = { retries: 1 };
        const runner = clientFor(connection, { retry });
        const peer: PeerAgency = o.peerSystemId
          ? new SimulatedAgency(
              clientFor(
                { ...connection, systemId: o.peerSystemId, secret: peerSecret!, agency: peerAgency },
                { retry },
              ),
            )
          : new ExternalAgency(peerAgency);
        const timeoutSeconds = o.timeout ? Number(o.timeout) : peer.mode === "simulated" ? 30 : 300;
        if (!(timeoutSeconds > 0)) throw new CliError("CLI_USAGE", { detail: `--timeout ${o.timeout}` });

        const progress = new Progress(
          out.lang === "vi" ? "Kiểm tra" : "Checking",
          only?.length ?? SCENARIOS.length,
          {
            json: out.json,
          },
        );
        const report = await runConformance({
          endpoint: connection.endpoint,
          runner,
          runnerSystemId: connection.systemId,
          runnerAs: (agency) => clientFor({ ...connection, agency }, { retry }),
          peer,
          ...(o.peerSystemId ? { peerSystemId: o.peerSystemId } : {}),
          ...(signer ? { packageSigner: signer } : {}),
          signaturePolicy: o.signaturePolicy,
          oversizeBytes: Math.round(oversizeMb * 1024 * 1024),
          unknownAgency: o.unknownAgency,
          timeoutMs: timeoutSeconds * 1000,
          ...(only ? { only: only as ScenarioId[] } : {}),
          onScenario: (_index, _total, id, result) => {
            if (result) progress.tick(id);
            else progress.note(id);
          },
        });
        progress.done();
        const files = o.reportDir ? await writeReport(o.reportDir, report, signer) : undefined;
        printResult(out, { ...report, ...(files ? { files } : {}) }, () => {
          const text = summaryText(report, out.lang);
          if (!files) return text;
          const signed = files.signature
            ? out.lang === "vi"
              ? `, chữ ký ${files.signature}`
              : `, signature ${files.signature}`
            : out.lang === "vi"
              ? " (chưa ký: thiếu --key/--cert)"
              : " (unsigned: no --key/--cert)";
          return `${text}\n${out.lang === "vi" ? "Báo cáo" : "Report"}: ${files.markdown}, ${files.html}, ${files.json}${signed}`;
        });
        context.setExitCode(report.summary.failed > 0 ? EXIT.invalid : EXIT.ok);
      } catch (error) {
        reportError(out, error);
        context.setExitCode(exitCodeFor(error));
      }
    });
}
