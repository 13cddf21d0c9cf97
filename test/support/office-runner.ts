/**
 * Runs one office deployment (QLVB&ĐH) in its own process, for crash tests: its receive/send
 * loop pulls from an axis node over the SDKVXP API every `pollMs`. Usage:
 *
 *   node --import tsx test/support/office-runner.ts <run.json>
 *
 * run.json: { "database": <DatabaseConfig>, "dataDir", "endpoint" (the node's SDKVXP URL),
 * "system": {systemId, secret, agencyCodes}, "pollMs", "agencies": [{code, name}] }. Agencies
 * are provisioned at start when missing. Signatures are test markers (the crash test is about
 * the loop, not PAdES). When the office listens, one line `TRUC_OFFICE_URL <url>` is printed on
 * stdout. SIGTERM/SIGINT close the office cleanly.
 */
import { readFileSync } from "node:fs";
import type { DatabaseConfig } from "@truc/store";
import {
  edxmlCodec,
  OfficeError,
  provisionAgency,
  type SdkvxpSystemConfig,
  sdkvxpGateway,
  startOffice,
} from "../../packages/office/src/index.ts";
import { markerSigner, markerValidator, noConverter } from "../../packages/office/test/support/fakes.ts";

interface RunFile {
  database: DatabaseConfig;
  dataDir: string;
  endpoint: string;
  system: SdkvxpSystemConfig;
  pollMs: number;
  agencies: { code: string; name: string }[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: office-runner.ts <run.json>");
  process.exit(2);
}
const run = JSON.parse(readFileSync(file, "utf8")) as RunFile;
const office = await startOffice({
  database: run.database,
  dataDir: run.dataDir,
  // A crash test wants every failure to surface as the next tick's retry, not as a long wait.
  gateway: sdkvxpGateway({
    endpoint: run.endpoint,
    systems: [run.system],
    retry: { retries: 0 },
    timeoutMs: 10_000,
  }),
  codec: edxmlCodec,
  signer: markerSigner,
  validator: markerValidator,
  converter: noConverter,
  ocr: null,
  pollMs: run.pollMs,
});
for (const a of run.agencies) {
  try {
    await provisionAgency(office.deps, {
      code: a.code,
      name: a.name,
      abbreviation: a.code,
      place: "Hà Nội",
      admin: {
        username: `admin.${a.code.toLowerCase()}`,
        fullName: "Quản trị",
        password: "mật-khẩu-thử-nghiệm-1",
      },
    });
  } catch (error) {
    if (!(error instanceof OfficeError && error.code === "OFFICE_DUPLICATE")) throw error;
  }
}
process.stdout.write(`TRUC_OFFICE_URL ${office.url}\n`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await office.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
