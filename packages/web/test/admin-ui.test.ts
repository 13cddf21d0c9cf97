/**
 * The node console and the public statistics in headless Chromium, against three real axis
 * nodes (LGSP A → national → LGSP B, mutual TLS, SQLite) serving a fresh build of the UI.
 * Traffic: documents from H29.12 to H41.05/H41.06 and statuses back, one refused package.
 * The operator signs in on the national node, drills down from the node to a province to an
 * agency, checks the federation links, the refusal explained, verifies the evidence log;
 * then anyone opens the public page (phone width, no horizontal scroll) and downloads CSV.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DialectContext } from "@truc/store/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { call } from "../../axis/test/support/https.ts";
import { edocXml, statusXml } from "../../axis/test/support/packages.ts";
import { startTopology, type Topology } from "../../axis/test/support/topology.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

describe("node console and public statistics in headless Chromium", () => {
  let dir: string;
  let t: Topology;
  let browser: Browser;
  let operator: BrowserContext;
  let page: Page;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-web-admin-"));
    // Own build directory: other browser tests may rebuild packages/web/dist at the same time.
    const dist = join(dir, "dist");
    await build({
      root: new URL("..", import.meta.url).pathname,
      logLevel: "warn",
      build: { outDir: dist, emptyOutDir: true },
    });
    process.env.TRUC_WEB_DIST = dist;
    const ctx = {
      dialect: "sqlite",
      dataDir: () => dir,
      config: () => ({ kind: "sqlite", path: join(dir, "unused.sqlite") }),
    } as unknown as DialectContext;
    t = await startTopology(ctx);

    const send = (node: "a" | "b", body: Buffer, headers: Record<string, string> = {}) =>
      call(
        t[node].url,
        node === "a" ? t.clientA : t.clientB,
        t.pki.caPem,
        "POST",
        "/v1/packages",
        body,
        headers,
      );
    const docs = [
      "H29.12,2025/03/05,21/SNV-VP",
      "H29.12,2025/03/05,22/SNV-VP",
      "H29.12,2025/03/05,23/SNV-VP",
    ];
    for (const [i, documentId] of docs.entries()) {
      const to = i === 0 ? ["H41.05", "000.00.06.H41"] : ["H41.05"];
      const r = await send("a", edocXml({ from: "H29.12", to, documentId, subject: `Công văn số ${i + 1}` }));
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    await t.pump();
    for (const [documentId, codes] of [
      [docs[0]!, ["01", "03", "04", "05", "06"]],
      [docs[1]!, ["01", "03"]],
    ] as const) {
      for (const code of codes) {
        const r = await send("b", statusXml({ from: "H41.05", responseFor: "H29.12", documentId, code }), {
          "x-truc-message-type": "status",
        });
        assert.equal(r.status, 201, JSON.stringify(r.json));
      }
    }
    await t.pump();
    // A refusal at the national node: a system allowed to send only for G22 sends as H29.12.
    await t.national.connectSystem({
      systemId: "qlvb-vpcp",
      certFingerprint: t.clientA.fingerprint,
      agencyCodes: ["G22"],
    });
    const refused = await call(
      t.national.url,
      t.clientA,
      t.pki.caPem,
      "POST",
      "/v1/packages",
      edocXml({ from: "H29.12", to: ["H41.05"], documentId: "H29.12,2025/03/05,24/SNV-VP" }),
    );
    assert.equal(refused.json.code, "AXIS_SENDER_MISMATCH");
    await t.national.sealEvidenceNow();

    browser = await launchBrowser();
    operator = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
    page = await operator.newPage();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("sends an operator without a session to the login page, then signs in", async () => {
    await page.goto(`${t.national.url}/admin/stats`);
    await page.waitForURL(/\/admin\/login\?next=/);
    await page.getByRole("heading", { name: "Đăng nhập quản trị nút liên thông" }).waitFor();
    const [username, password] = (
      await readFile(join(t.national.config.dataDir, "admin-initial-password.txt"), "utf8")
    )
      .trim()
      .split("\n");
    await page.getByLabel("Tên đăng nhập").fill(username!);
    await page.getByLabel("Mật khẩu").fill("sai-mat-khau-0000");
    await page.getByRole("button", { name: "Đăng nhập" }).last().click();
    await page.getByRole("alert").getByText("Tên đăng nhập hoặc mật khẩu không đúng.").waitFor();
    await screenshot(page, "admin-login-failed");
    await page.getByLabel("Mật khẩu").fill(password!);
    // Keyboard only: Enter submits the form.
    await page.getByLabel("Mật khẩu").press("Enter");
    await page.waitForURL(/\/admin\/stats$/);
    await page.getByText("Toàn bộ nút (national)").waitFor();
  });

  it("drills down from the whole node to a province to an agency", async () => {
    const provinces = page.getByTestId("province-table");
    await provinces.getByRole("link", { name: "UBND tỉnh Nghệ An" }).waitFor();
    assert.ok(
      await provinces.getByRole("link", { name: "UBND TP Hồ Chí Minh" }).isVisible(),
      "province A listed",
    );
    // The monthly chart draws bars.
    assert.ok((await page.locator(".recharts-bar-rectangle").count()) > 0, "bars drawn");
    await screenshot(page, "admin-stats-country");

    await provinces.getByRole("link", { name: "UBND tỉnh Nghệ An" }).click();
    await page.waitForURL(/province=H41$/);
    const agencies = page.getByTestId("agency-table");
    await agencies.getByRole("link", { name: "Sở Tư pháp" }).waitFor();
    // Both agencies of H41 (the table may render before every row's data has arrived).
    await agencies.getByRole("link", { name: "Sở Y tế" }).waitFor({ timeout: 15_000 });
    await screenshot(page, "admin-stats-province");

    await agencies.getByRole("link", { name: "Sở Tư pháp" }).click();
    await page.waitForURL(/agency=H41.05$/);
    const row = page.getByTestId("agency-table").locator("tbody tr").first();
    await row.getByText("H41.05").waitFor();
    const cells = await row.locator("td").allInnerTexts();
    // received 3, statuses 01 ×2, 03 ×2, 04, 05, 06 ×1, returns all.
    assert.equal(cells[2], "3", cells.join(" | "));
    assert.deepEqual(cells.slice(4, 9), ["2", "2", "1", "1", "1"], cells.join(" | "));
    assert.equal(cells[12]?.toLowerCase(), "có", cells.join(" | "));
    // Medians come from histograms; the table says how close they are.
    await page
      .getByText(/Trung vị tính từ biểu đồ tần suất thời gian xử lý: sai số tối đa ±12,3 %/)
      .waitFor();
    assert.ok(
      await page.getByRole("link", { name: "UBND tỉnh Nghệ An" }).isVisible(),
      "breadcrumb back to the province",
    );
    await screenshot(page, "admin-stats-agency");
  });

  it("finds agencies without diacritics and shows one agency's details", async () => {
    await page
      .getByRole("navigation", { name: "Các mục quản trị" })
      .getByRole("link", { name: "Danh bạ cơ quan" })
      .click();
    await page.getByLabel("Tìm theo tên hoặc mã định danh").fill("so y te");
    await page.getByText("Tổng số: 1", { exact: true }).waitFor();
    assert.equal(await page.locator("tbody tr").count(), 1);
    await screenshot(page, "admin-agencies");
    await page.getByRole("link", { name: "H41.06" }).click();
    await page.getByRole("heading", { name: "Sở Y tế" }).waitFor();
    await screenshot(page, "admin-agency-detail");
  });

  it("shows federation links with their health, the refusal in plain words, certificates, queues", async () => {
    const nav = page.getByRole("navigation", { name: "Các mục quản trị" });
    await nav.getByRole("link", { name: "Liên kết liên thông" }).click();
    const linkA = page.getByTestId("link-lgsp-a");
    await linkA.waitFor();
    assert.ok(await linkA.getByText("Tốt").isVisible(), "lgsp-a healthy");
    assert.ok(await page.getByTestId("link-lgsp-b").getByText("Tốt").isVisible(), "lgsp-b healthy");
    await screenshot(page, "admin-federation");

    await nav.getByRole("link", { name: "Lỗi và từ chối" }).click();
    const refused = page.getByTestId("refused-table");
    await refused
      .getByText("Đơn vị gửi ghi trong gói tin không thuộc các cơ quan đã đăng ký cho kết nối này.")
      .waitFor();
    await screenshot(page, "admin-failures");

    await nav.getByRole("link", { name: "Chứng thư số" }).click();
    await page.getByText("CA tin cậy").waitFor();
    await screenshot(page, "admin-certificates");

    await nav.getByRole("link", { name: "Tổng quan" }).click();
    await page.getByRole("heading", { name: /Quản trị nút liên thông — national/ }).waitFor();
    await screenshot(page, "admin-overview");
  });

  it("verifies the evidence log", async () => {
    await page
      .getByRole("navigation", { name: "Các mục quản trị" })
      .getByRole("link", { name: "Nhật ký chứng cứ" })
      .click();
    await page.getByRole("button", { name: "Kiểm tra nhật ký chứng cứ" }).click();
    const result = page.getByTestId("evidence-result");
    await result.getByText("Nhật ký chứng cứ toàn vẹn").waitFor();
    // Compared with the seals in the node's anchor file, outside the database.
    await result.getByText(/evidence-anchors\.jsonl/).waitFor();
    await screenshot(page, "admin-evidence");
  });

  it("opens the public statistics without login, on a phone, and downloads the CSV", async () => {
    const visitor = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 390, height: 844 },
      acceptDownloads: true,
    });
    const phone = await visitor.newPage();
    await phone.goto(`${t.national.url}/thong-ke`);
    await phone.getByRole("heading", { name: "Thống kê liên thông văn bản điện tử" }).waitFor();
    await phone.getByTestId("province-table").getByRole("link", { name: "UBND tỉnh Nghệ An" }).waitFor();
    const width = (await phone.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(width <= 390, `no horizontal scroll on a phone (scrollWidth ${width})`);
    // The fixed header is not counted in scrollWidth: its last button must be on screen too.
    const lang = await phone.getByRole("button", { name: "English" }).boundingBox();
    assert.ok(lang && lang.x + lang.width <= 390, `language switch visible (${JSON.stringify(lang)})`);
    await screenshot(phone, "admin-public-phone");

    const [download] = await Promise.all([
      phone.waitForEvent("download"),
      phone.getByRole("link", { name: "Tải về CSV" }).click(),
    ]);
    const csv = await readFile((await download.path())!, "utf8");
    assert.ok(csv.startsWith("\uFEFFma_co_quan,ten_co_quan"), csv.slice(0, 40));
    assert.ok(csv.includes("H41.05,Sở Tư pháp,2,H41,0,3,"), csv);
    assert.ok(!csv.includes("Công văn số"), "no document subject in public data");

    await phone.setViewportSize({ width: 1366, height: 900 });
    await phone.getByTestId("province-table").getByRole("link", { name: "UBND TP Hồ Chí Minh" }).click();
    await phone.waitForURL(/thong-ke\?province=H29$/);
    await phone.getByTestId("agency-table").getByRole("link", { name: "Sở Nội vụ" }).waitFor();
    await phone.goto(`${t.national.url}/thong-ke`);
    await phone.getByTestId("province-table").waitFor();
    await screenshot(phone, "admin-public-desktop");
    await visitor.close();
  });
});
