/**
 * Paper and archive screens in headless Chromium against a real office (the office's test
 * doubles for the axis, signer and validator; OCR is the real @truc/ocr, so recognising the
 * page takes seconds). A clerk drops a scanned Vietnamese letter, watches the OCR progress to
 * 100 %, registers it from the pre-filled form, finds it by an unaccented query that only the
 * recognised text contains, opens a case file, files the document from its page, exports the
 * case file's ZIP (checked with the office's own verifyArchive) and the registers as XLSX.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { edxmlCodec, provisionAgency, type RunningOffice, startOffice, verifyArchive } from "@truc/office";
import { makeSampleDocument } from "@truc/pdfsign";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { InMemoryAxis, markerSigner, markerValidator, noConverter } from "../../office/test/support/fakes.ts";
import { scannedLetterPng } from "../../office/test/support/scanned-letter.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

const PASSWORD = "mật-khẩu-thử-nghiệm-01";
const AGENCY = {
  code: "H29.12",
  name: "Sở Nội vụ Thành phố Hồ Chí Minh",
  abbreviation: "SNV",
  place: "TP. Hồ Chí Minh",
};
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** The subject the clerk types: it shares no words with the query below, so only the OCR text can match. */
const SUBJECT = "Công văn giấy của xã Tân Hiệp";

/** Lower case without tone marks, đ → d (as the office's search folds). */
const fold = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();

/** Logs in as the agency's administrator and creates a unit and a văn thư. */
async function provisionClerk(url: string) {
  const login = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "snv.admin", password: PASSWORD }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const cookie = String(login.headers.get("set-cookie")).split(";")[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { id: string };
  };
  const unit = await call("/api/units", { name: "Văn phòng", abbreviation: "VP" });
  await call("/api/users", {
    username: "snv.vanthu",
    fullName: "Trần Thị Văn Thư",
    position: "Văn thư",
    password: PASSWORD,
    roles: ["van_thu"],
    unitId: unit.id,
  });
}

describe("office paper and archive screens in headless Chromium", () => {
  let dir: string;
  let office: RunningOffice;
  let browser: Browser;
  let png: Buffer;
  const contexts: BrowserContext[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-web-digitise-"));
    const dist = join(dir, "dist");
    const [scan] = await Promise.all([
      scannedLetterPng(),
      build({
        root: new URL("..", import.meta.url).pathname,
        logLevel: "warn",
        build: { outDir: dist, emptyOutDir: true },
      }),
    ]);
    png = scan;
    process.env.TRUC_WEB_DIST = dist;
    office = await startOffice({
      database: { kind: "sqlite", path: join(dir, "office.db") },
      dataDir: dir,
      gateway: new InMemoryAxis(),
      codec: edxmlCodec,
      signer: markerSigner,
      validator: markerValidator,
      converter: noConverter,
      pollMs: 0,
    });
    await provisionAgency(office.deps, {
      ...AGENCY,
      admin: { username: "snv.admin", fullName: "Quản trị", password: PASSWORD },
    });
    await provisionClerk(office.url);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await office?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function signIn(username: string, viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: "vi-VN", acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${office.url}/login`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập", exact: true }).click();
    await page.waitForURL(/\/office\/\w+/);
    return page;
  }

  it("digitises a scan with live OCR progress, registers it, finds it unaccented, files and exports it", async () => {
    const clerk = await signIn("snv.vanthu");
    await clerk.getByRole("link", { name: "Số hóa văn bản giấy" }).first().click();
    await clerk.getByRole("heading", { name: "Số hóa văn bản giấy" }).waitFor();

    // A file that is not a scan is refused in the browser, before any upload.
    await clerk.setInputFiles('input[name="scan"]', {
      name: "ghi-chu.docx",
      mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      buffer: Buffer.from("PK"),
    });
    await clerk
      .getByRole("alert")
      .getByText("Tệp ghi-chu.docx không phải PDF, PNG, JPEG hoặc TIFF.")
      .waitFor();

    // Dropped on the drop zone, as a file dragged from the desktop.
    const files = await clerk.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob("${png.toString("base64")}"), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "cong-van-xa-tan-hiep.png", { type: "image/png" }));
      return transfer;
    })()`);
    const zone = clerk.getByTestId("scan-drop-zone");
    await zone.dispatchEvent("dragover", { dataTransfer: files });
    await zone.dispatchEvent("drop", { dataTransfer: files });
    await clerk.waitForURL(/\/office\/digitise\?scan=[0-9a-f-]{36}$/);

    // Watch the bar: percentages never go back and end at 100 %; page x/y is shown on the way.
    const percent = clerk.getByTestId("scan-percent");
    const stage = clerk.getByTestId("scan-stage");
    const seen: number[] = [];
    const stages = new Set<string>();
    let shotMidway = false;
    for (;;) {
      const text = (await percent.textContent({ timeout: 30_000 })) ?? "";
      const value = Number(/(\d+) %/.exec(text)?.[1]);
      if (seen.at(-1) !== value) seen.push(value);
      stages.add((await stage.textContent()) ?? "");
      if (value === 100) break;
      if (!shotMidway && value > 0) {
        await screenshot(clerk, "office-digitise-progress");
        shotMidway = true;
      }
      await clerk.waitForTimeout(150);
      assert.ok(seen.length < 2000, "OCR finishes");
    }
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      `progress never goes back: ${seen.join(", ")}`,
    );
    assert.ok(seen[0]! < 100, `the bar started below 100 % (${seen.join(", ")})`);
    const progressText = [...stages].join(" | ");
    assert.match(progressText, /Đã nhận dạng xong 1 trang/);
    const bar = clerk.getByRole("progressbar", { name: "Tiến độ nhận dạng chữ" });
    assert.equal(await bar.getAttribute("aria-valuenow"), "100");

    // The form: subject pre-filled from the recognised "Về việc …" line (tone marks may differ).
    const subject = clerk.getByLabel("Trích yếu nội dung");
    await subject.waitFor();
    const prefilled = await subject.inputValue();
    assert.match(
      fold(prefilled),
      /^ve viec de nghi ho tro kinh phi sua chua duong giao thong nong thon/,
      prefilled,
    );
    assert.match((await clerk.getByTestId("scan-text").textContent()) ?? "", /TÂN HIỆP/);
    await clerk.getByText(/^Độ tin cậy nhận dạng/).waitFor();
    await clerk.locator('object[type="application/pdf"]').waitFor();
    await screenshot(clerk, "office-digitise-form");

    await subject.fill(SUBJECT);
    await clerk.getByLabel("Loại văn bản").selectOption("Công văn");
    await clerk.locator('input[name="codeNumber"]').fill("15");
    await clerk.getByLabel("Ký hiệu").fill("UBND");
    await clerk.getByLabel("Cơ quan ban hành").fill("Ủy ban nhân dân xã Tân Hiệp");
    await clerk.getByLabel("Ngày ban hành").fill("2025-03-01");
    await clerk.getByRole("button", { name: "Vào sổ văn bản đến" }).click();
    await clerk.waitForURL(/\/office\/incoming\/[0-9a-f-]{36}$/);
    const incomingUrl = clerk.url();
    await clerk.getByRole("heading", { name: "Công văn 15/UBND" }).waitFor();
    // History from the server's audit trail, with the clerk's name.
    const history = clerk.getByTestId("document-history");
    await history.getByText("Số hóa và vào sổ văn bản giấy").waitFor();
    assert.match((await history.textContent()) ?? "", /Trần Thị Văn Thư[\s\S]*Số đến 1\/\d{4}/);
    await screenshot(clerk, "office-digitise-registered");

    // Search without accents, for words only the recognised text holds.
    await clerk.goto(`${office.url}/office/search`);
    await clerk.getByLabel("Từ khóa (có dấu hoặc không dấu)").fill("sua chua duong giao thong");
    await clerk.getByRole("button", { name: "Tìm", exact: true }).click();
    await clerk.getByRole("link", { name: SUBJECT }).waitFor();
    await screenshot(clerk, "office-digitise-search");

    // Open a case file (Phụ lục VI fields).
    await clerk.getByRole("link", { name: "Hồ sơ" }).first().click();
    await clerk.getByRole("button", { name: "Lập hồ sơ mới" }).click();
    const dialog = clerk.getByRole("dialog", { name: "Lập hồ sơ mới" });
    await dialog.getByLabel("Số và ký hiệu hồ sơ").fill("07-GTNT");
    await dialog.getByLabel("Tiêu đề hồ sơ").fill("Hồ sơ hỗ trợ giao thông nông thôn năm 2025");
    await dialog.getByLabel("Thời hạn bảo quản").selectOption("20");
    await screenshot(clerk, "office-case-file-new");
    await dialog.getByRole("button", { name: "Lập hồ sơ", exact: true }).click();
    await clerk.waitForURL(/\/office\/case-files\/[0-9a-f-]{36}$/);
    const caseFileUrl = clerk.url();
    await clerk.getByText("Hồ sơ chưa có văn bản nào.").waitFor();

    // File the document from its own page.
    await clerk.goto(incomingUrl);
    const archive = clerk.getByRole("region", { name: "Lưu trữ" });
    await archive.getByLabel("Hồ sơ đang mở").selectOption({
      label: `${AGENCY.code}.${new Date().getFullYear()}.07-GTNT — Hồ sơ hỗ trợ giao thông nông thôn năm 2025`,
    });
    await archive.getByRole("button", { name: "Đưa vào hồ sơ" }).click();
    await archive
      .getByRole("status")
      .getByRole("link", { name: /07-GTNT/ })
      .click();
    await clerk.waitForURL(caseFileUrl);
    const row = clerk.getByRole("row", { name: new RegExp(SUBJECT) });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /^1\s*Công văn 15\/UBND/);
    const facts =
      (await clerk.getByRole("region", { name: "Thông tin hồ sơ (Phụ lục VI)" }).textContent()) ?? "";
    assert.match(facts, /Tổng số văn bản\s*1/);
    assert.match(facts, /Thời hạn bảo quản\s*20 năm/);
    await screenshot(clerk, "office-case-file");

    // Export the case file: a ZIP whose manifest matches every file in it.
    const [zipDownload] = await Promise.all([
      clerk.waitForEvent("download"),
      clerk.getByRole("button", { name: "Xuất gói lưu trữ" }).click(),
    ]);
    assert.match(zipDownload.suggestedFilename(), /\.zip$/);
    const zip = await readFile((await zipDownload.path())!);
    const check = verifyArchive(zip);
    assert.equal(check.ok, true, JSON.stringify(check));
    const paths = check.manifest!.files.map((f) => f.path);
    assert.ok(
      paths.some((p) => /^documents\/001-den\/files\/.*-ocr\.pdf$/.test(p)),
      `the searchable PDF is in the package: ${paths.join(", ")}`,
    );

    // Close it: no more adding or removing, the retention date appears.
    await clerk.getByRole("button", { name: "Đóng hồ sơ" }).click();
    await clerk
      .getByRole("dialog", { name: "Đóng hồ sơ" })
      .getByRole("button", { name: "Đóng hồ sơ" })
      .click();
    await clerk.getByText("Đã đóng", { exact: true }).first().waitFor();
    assert.equal(await clerk.getByRole("button", { name: /^Rút khỏi hồ sơ/ }).count(), 0);
    await clerk.getByText("Hết hạn ngày").first().waitFor();

    // Registers: the incoming register lists the paper document with its số đến; the follow-up
    // register (only assigned documents, none yet) is one click away and downloads as XLSX.
    await clerk.goto(`${office.url}/office/registers`);
    const entry = clerk.getByRole("row", { name: new RegExp(SUBJECT) });
    await entry.waitFor();
    assert.match((await entry.textContent()) ?? "", /01[\s\S]*Ủy ban nhân dân xã Tân Hiệp[\s\S]*15\/UBND/);
    await clerk.locator("label", { hasText: "Sổ theo dõi giải quyết văn bản đến" }).click();
    await clerk.getByRole("heading", { name: /^SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN \d{4}$/ }).waitFor();
    const [xlsx] = await Promise.all([
      clerk.waitForEvent("download"),
      clerk.getByRole("button", { name: "Xuất Excel (XLSX)" }).click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^so-theo-doi-giai-quyet-\d{4}\.xlsx$/);
    const sheet = await readFile((await xlsx.path())!);
    assert.equal(sheet.subarray(0, 2).toString("latin1"), "PK");
    await screenshot(clerk, "office-register-follow-up");

    // On a phone: the case file page and the upload screen fit the width.
    const phone = await signIn("snv.vanthu", PHONE);
    for (const url of [caseFileUrl, `${office.url}/office/digitise`]) {
      await phone.goto(url);
      await phone.getByRole("heading", { level: 2 }).first().waitFor();
      const width = (await phone.evaluate("document.documentElement.scrollWidth")) as number;
      assert.ok(width <= PHONE.width, `no horizontal scroll on a phone at ${url} (scrollWidth ${width})`);
    }
    await screenshot(phone, "office-digitise-phone");
  });

  it("shows an outgoing draft's history from the server and its validation report", async () => {
    const clerk = await signIn("snv.vanthu");
    const draft = await clerk.evaluate(
      async (pdfBase64) => {
        const session = (await (await fetch("/api/session")).json()) as { csrfToken: string };
        const headers = { "content-type": "application/json", "x-csrf-token": session.csrfToken };
        const created = (await (
          await fetch("/api/outgoing", {
            method: "POST",
            headers,
            body: JSON.stringify({ typeCode: "CV", subject: "Về việc thử lịch sử văn bản", recipients: [] }),
          })
        ).json()) as { id: string };
        const bytes = Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0));
        const put = await fetch(`/api/outgoing/${created.id}/file?fileName=du-thao.pdf`, {
          method: "PUT",
          headers: { "content-type": "application/pdf", "x-csrf-token": session.csrfToken },
          body: bytes,
        });
        return { id: created.id as string, status: put.status };
      },
      Buffer.from(
        await makeSampleDocument({ competence: "", position: "GIÁM ĐỐC", signerName: "Nguyễn Văn Đức" }),
      ).toString("base64"),
    );
    assert.equal(draft.status, 200);
    await clerk.goto(`${office.url}/office/outgoing/${draft.id}`);
    const report = clerk.getByTestId("validation-report");
    await report.getByText("Không có chữ ký số").first().waitFor();
    assert.match((await report.textContent()) ?? "", /du-thao\.pdf[\s\S]*Phiên bản tệp\s*1/);
    const history = clerk.getByTestId("document-history");
    await history.getByText("Tải lên phiên bản tệp").waitFor();
    assert.match(
      (await history.textContent()) ?? "",
      /Tạo dự thảo[\s\S]*Trần Thị Văn Thư[\s\S]*Tải lên phiên bản tệp/,
    );
  });
});
