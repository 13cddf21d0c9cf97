/**
 * The office screens end to end in headless Chromium, against a real office server (started
 * here with the office's own test doubles for the axis, the PDF signer and the signature
 * validator) serving a fresh build of the UI. Two agencies on one deployment: a specialist of
 * A drafts and submits, A's leader approves and signs on a phone, A's clerk numbers, seals and
 * issues; at B the clerk registers, the leader assigns, the specialist completes; A sees 06.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { edxmlCodec, provisionAgency, type RunningOffice, startOffice } from "@truc/office";
import { makeSampleDocument } from "@truc/pdfsign";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { InMemoryAxis, markerSigner, markerValidator, noConverter } from "../../office/test/support/fakes.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

const PASSWORD = "mật-khẩu-thử-nghiệm-01";
const A = {
  code: "H29.12",
  name: "Sở Nội vụ Thành phố Hồ Chí Minh",
  abbreviation: "SNV",
  place: "TP. Hồ Chí Minh",
};
const B = { code: "G09", name: "Bộ Nội vụ", abbreviation: "BNV", place: "Hà Nội" };
const SUBJECT = "Về việc báo cáo kết quả cải cách hành chính quý I năm 2025";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** YYYY-MM-DD, `days` from today in Vietnam. */
function isoDay(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
}

/** Creates a unit and the three office roles of an agency through the API, as its administrator. */
async function provisionPeople(url: string, prefix: string) {
  const login = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: `${prefix}.admin`, password: PASSWORD }),
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
  const user = (username: string, fullName: string, position: string, roles: string[], isHead = false) =>
    call("/api/users", {
      username: `${prefix}.${username}`,
      fullName,
      position,
      password: PASSWORD,
      roles,
      unitId: unit.id,
      isHead,
    });
  await user("vanthu", "Trần Thị Văn Thư", "Văn thư", ["van_thu"]);
  await user("giamdoc", "Nguyễn Văn Đức", "Giám đốc", ["lanh_dao"], true);
  await user("chuyenvien", "Phạm Văn Chuyên", "Chuyên viên", ["chuyen_vien"]);
}

describe("office screens in headless Chromium (two agencies, one deployment)", () => {
  let dir: string;
  let office: RunningOffice;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-web-office-"));
    // Own build directory: other browser tests may rebuild packages/web/dist at the same time.
    const dist = join(dir, "dist");
    await build({
      root: new URL("..", import.meta.url).pathname,
      logLevel: "warn",
      build: { outDir: dist, emptyOutDir: true },
    });
    process.env.TRUC_WEB_DIST = dist;
    const axis = new InMemoryAxis();
    axis.directoryEntries.push(
      { organId: A.code, organName: A.name },
      { organId: B.code, organName: B.name },
      { organId: "H29", organName: "Ủy ban nhân dân Thành phố Hồ Chí Minh" },
      { organId: "G09.05", organName: "Cục Văn thư và Lưu trữ nhà nước" },
      { organId: "H29.12.03", organName: "Phòng Nội vụ Quận 3" },
    );
    office = await startOffice({
      database: { kind: "sqlite", path: join(dir, "office.db") },
      dataDir: dir,
      gateway: axis,
      codec: edxmlCodec,
      signer: markerSigner,
      validator: markerValidator,
      converter: noConverter,
      pollMs: 0,
    });
    for (const [agency, prefix] of [
      [A, "snv"],
      [B, "bnv"],
    ] as const) {
      await provisionAgency(office.deps, {
        ...agency,
        admin: { username: `${prefix}.admin`, fullName: "Quản trị", password: PASSWORD },
      });
      await provisionPeople(office.url, prefix);
    }
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await office?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function signIn(username: string, viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: "vi-VN" });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${office.url}/login`);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Đăng nhập", exact: true }).click();
    await page.waitForURL(/\/office\/\w+/);
    return page;
  }

  it("carries a document from drafting at A to completion at B, and A sees 06", async () => {
    // --- A, chuyên viên: draft with a recipient from the directory, a PDF and a reviewer.
    const specialistA = await signIn("snv.chuyenvien");
    assert.match(specialistA.url(), /\/office\/work$/);
    await specialistA.getByRole("link", { name: "Soạn văn bản mới" }).click();
    await specialistA.locator('textarea[name="subject"]').fill(SUBJECT);
    await specialistA.locator('select[name="urgency"]').selectOption("thuong_khan");
    await specialistA.locator('input[name="dueDate"]').fill(isoDay(10));
    // Diacritic-insensitive directory search, grouped by level.
    await specialistA.getByPlaceholder("Tìm cơ quan theo tên hoặc mã").fill("bo noi vu");
    await specialistA.getByRole("group", { name: "Cấp bộ, cấp tỉnh" }).waitFor();
    assert.equal(
      await specialistA.getByText("Phòng Nội vụ Quận 3").count(),
      0,
      "search filters the directory",
    );
    await specialistA.getByLabel(`${B.name} — ${B.code}`).check();
    await specialistA.getByPlaceholder("Tìm cơ quan theo tên hoặc mã").fill("");
    await specialistA.getByRole("group", { name: "Cấp phòng, cấp xã" }).waitFor();
    await specialistA.getByLabel("Nguyễn Văn Đức — Giám đốc").check();
    const pdf = Buffer.from(
      await makeSampleDocument({ competence: "", position: "GIÁM ĐỐC", signerName: "Nguyễn Văn Đức" }),
    );
    await specialistA.setInputFiles('input[name="file"]', {
      name: "du-thao.pdf",
      mimeType: "application/pdf",
      buffer: pdf,
    });
    await screenshot(specialistA, "office-draft");
    await specialistA.getByRole("button", { name: "Lưu và trình duyệt" }).click();
    await specialistA.waitForURL(/\/office\/outgoing\/[0-9a-f-]{36}$/);
    const outgoingUrl = specialistA.url();
    await specialistA.getByText("Chờ duyệt", { exact: true }).first().waitFor();

    // --- A, lãnh đạo on a phone: approve, preview the signature block, sign.
    const leaderA = await signIn("snv.giamdoc", PHONE);
    assert.match(leaderA.url(), /\/office\/approvals$/);
    await leaderA.getByRole("link", { name: new RegExp(SUBJECT) }).click();
    await leaderA.getByRole("button", { name: "Duyệt", exact: true }).click();
    await leaderA.getByText("Chờ ký", { exact: true }).first().waitFor();
    const preview = leaderA.getByTestId("signature-preview");
    await preview.waitFor();
    assert.match((await preview.textContent()) ?? "", /GIÁM ĐỐC[\s\S]*Hình ảnh chữ ký[\s\S]*Nguyễn Văn Đức/);
    const phoneWidth = (await leaderA.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(phoneWidth <= PHONE.width, `no horizontal scroll on a phone (scrollWidth ${phoneWidth})`);
    await leaderA.getByText("Đã thực hiện").first().waitFor({ state: "hidden" });
    await screenshot(leaderA, "office-leader-sign-phone");
    const signButton = leaderA.getByRole("button", { name: "Ký số", exact: true });
    assert.equal(await signButton.isDisabled(), true, "signing waits for the confirmation");
    await leaderA.getByLabel("Tôi đã xem nội dung và đồng ý ký số").check();
    await signButton.click();
    await leaderA.getByText("Đã ký, chờ cấp số", { exact: true }).first().waitFor();

    // --- A, văn thư: number, seal, issue.
    const clerkA = await signIn("snv.vanthu");
    await clerkA.getByRole("link", { name: "Phát hành" }).first().click();
    await clerkA.getByRole("link", { name: SUBJECT }).waitFor();
    await screenshot(clerkA, "office-issue");
    await clerkA.getByRole("button", { name: "Cấp số" }).click();
    await clerkA.getByRole("button", { name: "Đóng dấu (ký số cơ quan)" }).click();
    await clerkA.getByRole("button", { name: "Phát hành", exact: true }).click();
    await clerkA.getByText("Không có văn bản nào.").waitFor();

    // --- The axis carries the package to B (and 01 back to A).
    await office.sync();
    await office.sync();

    // --- B, văn thư: the inbox shows urgency, deadline and signature verdict; register.
    const clerkB = await signIn("bnv.vanthu");
    assert.match(clerkB.url(), /\/office\/inbox$/);
    const row = clerkB.getByRole("row", { name: new RegExp(SUBJECT) });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? "";
    assert.match(rowText, /Thượng khẩn/);
    assert.match(rowText, /Chữ ký hợp lệ/);
    assert.match(rowText, /Còn|Hạn/);
    await screenshot(clerkB, "office-inbox");
    await row.getByRole("button", { name: /^Vào sổ/ }).click();
    await clerkB.getByText("Không có văn bản nào.").waitFor();

    // --- B, lãnh đạo: assign with a deadline and instructions.
    const leaderB = await signIn("bnv.giamdoc");
    await leaderB.getByRole("link", { name: new RegExp(SUBJECT) }).click();
    await leaderB.getByLabel("Người xử lý").selectOption({ label: "Phạm Văn Chuyên — Chuyên viên" });
    await leaderB.getByLabel("Hạn xử lý").fill(isoDay(1));
    await leaderB.getByLabel("Ý kiến chỉ đạo").fill("Đồng chí Chuyên chủ trì, báo cáo trước hạn.");
    await leaderB.getByRole("button", { name: "Phân công", exact: true }).click();
    await leaderB.getByText("Đã phân công", { exact: true }).first().waitFor();
    await leaderB.getByText("Đã thực hiện").first().waitFor({ state: "hidden" });
    await screenshot(leaderB, "office-incoming-assigned");

    // --- B, chuyên viên: process and complete.
    const specialistB = await signIn("bnv.chuyenvien");
    await specialistB.getByRole("link", { name: SUBJECT }).click();
    await specialistB.getByRole("button", { name: "Bắt đầu xử lý (05)" }).click();
    await specialistB.getByText("Đang xử lý", { exact: true }).first().waitFor();
    await specialistB.getByLabel("Kết quả xử lý").fill("Đã tổng hợp và gửi báo cáo.");
    await specialistB.getByRole("button", { name: "Hoàn thành (06)" }).click();
    await specialistB.getByText("Hoàn thành", { exact: true }).first().waitFor();

    // --- Statuses travel back; A sees 06 in B's timeline.
    await office.sync();
    await office.sync();
    await specialistA.goto(outgoingUrl);
    const timeline = specialistA.getByRole("article", { name: B.name });
    await timeline.getByText("06 · Hoàn thành").waitFor();
    const steps = (await timeline.textContent()) ?? "";
    for (const code of ["01", "03", "04", "05", "06"]) assert.match(steps, new RegExp(`${code} · `), code);
    await screenshot(specialistA, "office-outgoing-timeline");

    // --- Search without diacritics finds the document; the outgoing register lists it.
    await clerkA.goto(`${office.url}/office/search`);
    await clerkA.getByLabel("Từ khóa (có dấu hoặc không dấu)").fill("bao cao cai cach hanh chinh");
    await clerkA.getByRole("button", { name: "Tìm", exact: true }).click();
    await clerkA.getByRole("link", { name: SUBJECT }).waitFor();
    await screenshot(clerkA, "office-search");
    await clerkA.goto(`${office.url}/office/registers`);
    await clerkA.locator("label", { hasText: "Sổ văn bản đi" }).click();
    await clerkA.getByRole("cell", { name: new RegExp(SUBJECT) }).waitFor();
    await screenshot(clerkA, "office-register-outgoing");
  });
});
