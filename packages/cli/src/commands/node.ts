/**
 * `truc node --config <file.json>`: runs one axis node (national or LGSP) until SIGINT/SIGTERM,
 * then closes it gracefully (stops taking requests, finishes in-flight work, seals the evidence
 * log). The node logs through its own logger (config `logLevel`). Systems declared in the
 * file (`systems`: systemId, secretEnv — the name of the environment variable holding the
 * SDKVXP secret, never the secret —, certFingerprint, agencyCodes, sdkCompatibility,
 * timestampUtcOffset) are connected at start.
 */
import type { Command } from "commander";
import type { CliContext } from "../main.ts";
import { EXIT, printResult, reportError } from "../output.ts";
import { exitCodeFor } from "../support/exit.ts";

export function register(program: Command, context: CliContext): void {
  program
    .command("node")
    .description("run an axis node from a configuration file / chạy một nút trục liên thông")
    .requiredOption("-c, --config <file.json>", "node configuration (see packages/axis/src/config.ts)")
    .option("--port <n>", "override listen.port")
    .option("--host <addr>", "override listen.host")
    .action(async (o: { config: string; port?: string; host?: string }) => {
      const out = context.output();
      try {
        // Loaded on use: the node's server stack is heavy and no other command needs it.
        const { loadNodeConfig, startNode } = await import("@truc/axis");
        let config = loadNodeConfig(o.config);
        if (o.port !== undefined || o.host !== undefined) {
          const raw = JSON.parse(JSON.stringify(config)) as Record<string, unknown> & {
            listen: { host: string; port: number };
          };
          raw.listen = {
            host: o.host ?? raw.listen.host,
            port: o.port === undefined ? raw.listen.port : Number(o.port),
          };
          config = loadNodeConfig(raw);
        }
        const node = await startNode(config);
        printResult(
          out,
          {
            event: "started",
            nodeId: config.nodeId,
            role: config.role,
            organId: config.organId,
            url: node.url,
            systems: config.systems.map((s) => ({
              systemId: s.systemId,
              sdkCompatibility: s.sdkCompatibility,
            })),
          },
          () =>
            out.lang === "vi"
              ? `Nút ${config.nodeId} (${config.role === "national" ? "trục quốc gia" : "LGSP"}, ${config.organId}) đang chạy tại ${node.url}${config.systems.length ? `, ${config.systems.length} hệ thống khai báo trong tệp đã kết nối` : ""} — Ctrl-C để dừng`
              : `Node ${config.nodeId} (${config.role}, ${config.organId}) listening on ${node.url}${config.systems.length ? `, ${config.systems.length} declared systems connected` : ""} — Ctrl-C to stop`,
        );
        await new Promise<void>((resolve) => {
          const stop = (signal: NodeJS.Signals) => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            process.stderr.write(
              out.lang === "vi"
                ? `Nhận ${signal}, đang dừng nút…\n`
                : `${signal} received, stopping the node…\n`,
            );
            resolve();
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
        await node.close();
        printResult(out, { event: "stopped", nodeId: config.nodeId }, () =>
          out.lang === "vi" ? `Đã dừng nút ${config.nodeId}.` : `Node ${config.nodeId} stopped.`,
        );
        context.setExitCode(EXIT.ok);
      } catch (error) {
        reportError(out, error);
        context.setExitCode(exitCodeFor(error));
      }
    });
}
