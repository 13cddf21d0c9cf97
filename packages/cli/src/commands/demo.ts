import type { Command } from "commander";
import { startDemo } from "../demo/run-demo.ts";
import type { CliContext } from "../main.ts";
import { EXIT, reportError } from "../output.ts";

export function register(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description(
      "run the demo network on the embedded store (no services needed) / chạy mạng trình diễn trên kho dữ liệu nhúng",
    )
    .option("--data-dir <dir>", "data directory / thư mục dữ liệu", ".data/demo")
    .option("--host <host>", "listen address / địa chỉ lắng nghe", "127.0.0.1")
    .option("--port-base <port>", "first port (nodes +0…, offices +10…, PKI +20)", "7100")
    .option("--traffic <n>", "drive N more documents through the network / tạo thêm N văn bản", "0")
    .option("--once", "start, seed, print, then stop / khởi động rồi dừng", false)
    .action(
      async (opts: { dataDir: string; host: string; portBase: string; traffic: string; once: boolean }) => {
        const output = context.output();
        const err = (line: string) => process.stderr.write(`${line}\n`);
        let demo: Awaited<ReturnType<typeof startDemo>>;
        try {
          demo = await startDemo({
            dataDir: opts.dataDir,
            host: opts.host,
            portBase: Number.parseInt(opts.portBase, 10),
            traffic: Number.parseInt(opts.traffic, 10) || 0,
            lang: output.lang,
            once: opts.once,
            log: output.json ? err : (line) => process.stdout.write(`${line}\n`),
            progress: (line) => err(`… ${line}`),
          });
        } catch (error) {
          context.setExitCode(reportError(output, error));
          return;
        }
        if (output.json)
          process.stdout.write(
            `${JSON.stringify({ offices: demo.officeUrls, nodes: demo.nodeUrls, pki: demo.pkiUrl })}\n`,
          );
        if (opts.once) {
          await demo.close();
          context.setExitCode(EXIT.ok);
          return;
        }
        await new Promise<void>((resolveStop) => {
          let stopping = false;
          const stop = () => {
            if (stopping) {
              err(output.lang === "vi" ? "Dừng ngay." : "Forced stop.");
              process.exit(EXIT.failure);
            }
            stopping = true;
            err(output.lang === "vi" ? "Đang dừng an toàn…" : "Stopping cleanly…");
            demo.close().then(resolveStop, resolveStop);
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
      },
    );
}
