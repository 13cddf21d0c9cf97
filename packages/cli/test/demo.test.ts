import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startDemo } from "../src/demo/run-demo.ts";
import { runCli } from "../src/support/in-process.ts";

// The README's run command, end to end: PKI, four federated axis nodes, three office
// deployments, users, and documents carried through the real APIs. Then a second start on
// the same data directory must resume without seeding again.
describe("truc demo", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "truc-demo-"));
  // Below the ephemeral range (32768+) so that other tests' port-0 servers cannot take ours.
  const portBase = 10_000 + Math.floor(Math.random() * 20_000);
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const options = (log: string[]) => ({
    dataDir,
    host: "127.0.0.1",
    portBase,
    traffic: 0,
    lang: "vi" as const,
    once: true,
    log: (line: string) => log.push(line),
    progress: (line: string) => log.push(`… ${line}`),
  });

  it("starts the network, seeds documents in flight, and resumes from the same directory", async () => {
    const first: string[] = [];
    const demo = await startDemo(options(first));
    try {
      assert.ok(
        first.some((l) => l.includes("Văn bản mẫu 4/4")),
        "seeded documents",
      );
      assert.ok(first.some((l) => l.includes("Mạng trình diễn truc đã sẵn sàng")));

      // The specialist of Sở KH&CN Đà Nẵng sees the document from Hà Nội in processing,
      // and its PAdES signatures were validated against the demo CA (OCSP, TSA).
      const base = demo.officeUrls["office-dn"]!;
      const login = await fetch(`${base}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ username: "vanthu.h17.05", password: "TrucDemo@2026" }),
      });
      assert.equal(login.status, 200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const incoming = (await (
        await fetch(`${base}/api/incoming`, { headers: { cookie } })
      ).json()) as Array<{
        state: string;
        subject: string;
        validation: { signatures: Array<{ status: string; signatures: Array<{ kind: string }> }> };
      }>;
      const doc = incoming.find((d) => d.subject.includes("lưu trữ hồ sơ điện tử"));
      assert.ok(doc, "the seeded document arrived");
      assert.equal(doc.state, "processing");
      assert.equal(doc.validation.signatures[0]?.status, "valid");
      assert.deepEqual(
        doc.validation.signatures[0]?.signatures.map((s) => s.kind),
        ["personal", "organisation"],
      );

      // The conformance suite, run exactly as the demo prints it, passes every scenario, and
      // its report is signed by the runner's certificate.
      const command = first.find((l) => l.includes("conformance.env"))!;
      const args = command.slice(command.indexOf("conformance --")).split(" ");
      const env = Object.fromEntries(
        readFileSync(join(dataDir, "conformance.env"), "utf8")
          .trim()
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      const run = await runCli(["--json", ...args], env);
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(readFileSync(join(dataDir, "conformance", "report.json"), "utf8")) as {
        scenarios: Array<{ outcome: string }>;
      };
      assert.ok(report.scenarios.length >= 15);
      assert.ok(report.scenarios.every((s) => s.outcome === "pass"));
      assert.ok(readFileSync(join(dataDir, "conformance", "report.json.p7s")).length > 0);

      // The node's public statistics reach the office's address and count the traffic.
      const stats = (await (await fetch(`${base}/public/stats`)).json()) as {
        totals: { sent: number; received: number };
      };
      assert.ok(stats.totals.received > 0 && stats.totals.sent > 0, JSON.stringify(stats.totals));

      // The web UI is served by the office.
      const page = await fetch(`${base}/office/inbox`);
      assert.match(await page.text(), /<div id="root">/);
    } finally {
      await demo.close();
    }

    const second: string[] = [];
    const again = await startDemo(options(second));
    await again.close();
    assert.ok(second.some((l) => l.includes("Tiếp tục dữ liệu cũ")));
    assert.ok(!second.some((l) => l.includes("Văn bản mẫu")), "no second seeding");
  });
});
