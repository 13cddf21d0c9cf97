/**
 * Public verification and the accessibility of the main screens, in headless Chromium, against
 * a real office server (SQLite) whose documents carry real PAdES signatures: a leader's and the
 * organisation's, from certificates of a @truc/pki test CA that the office's validator trusts.
 * Covers: an uploaded signed PDF is reported valid with both signers named; a tampered copy is
 * invalid; a printed copy's QR URL opens the report of the original; the rate limit is shown
 * politely; keyboard-only use of the login form and the public page; WCAG contrast of visible
 * text on the main screens; the English UI; a 390 px phone. Screenshots: test-output/screenshots.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildOfficeApp, edxmlCodec, type RunningOffice, startOffice } from "@truc/office";
import { makeSampleDocument } from "@truc/pdfsign";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { assignNumber } from "../../office/src/services/assign-number.ts";
import { createDraft } from "../../office/src/services/create-draft.ts";
import { issueDocument } from "../../office/src/services/issue-document.ts";
import { printCopy } from "../../office/src/services/print-copy.ts";
import { getOutgoingFile } from "../../office/src/services/queries.ts";
import { reviewDraft, submitForReview } from "../../office/src/services/review-draft.ts";
import { sealDocument } from "../../office/src/services/seal-document.ts";
import { signDocument } from "../../office/src/services/sign-document.ts";
import { uploadVersion } from "../../office/src/services/upload-version.ts";
import { InMemoryAxis, noConverter } from "../../office/test/support/fakes.ts";
import { makeTestPki } from "../../office/test/support/real.ts";
import { PASSWORD, provisionPeople } from "../../office/test/support/world.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

const ORGAN = "Sở Nội vụ Thành phố Hồ Chí Minh";
const LEADER = "Nguyễn Văn Đức";
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/**
 * WCAG 2 contrast of every visible text node against the background it is drawn on (the
 * nearest ancestor with an opaque background colour, translucent layers composited on white).
 * Evaluated in the page (a string, so the test transpiler adds nothing to it); returns the
 * failures: normal text below 4.5:1, large text (24 px, or 18.66 px bold) below 3:1.
 */
const CONTRAST_SCRIPT = `(() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[,\\s/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p[3] ?? 1];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const lum = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    return layers.reduceRight((acc, layer) => over(layer, acc), [255, 255, 255, 1]);
  };
  const failures = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (style.visibility === "hidden" || rect.width === 0 || rect.height === 0) continue;
    if (el.closest("[aria-hidden='true'], [disabled], [data-disabled]")) continue;
    // Off-screen content (the skip link until it is focused) is not drawn.
    if (rect.bottom < 0 || rect.right < 0) continue;
    checked++;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = Number.parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5))
      failures.push({ text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100, fg: style.color,
        bg: "rgb(" + bg.slice(0, 3).map(Math.round).join(",") + ")" });
  }
  return { checked, failures };
})()`;

async function assertContrast(page: Page, screen: string) {
  const { checked, failures } = (await page.evaluate(CONTRAST_SCRIPT)) as {
    checked: number;
    failures: { text: string; ratio: number; fg: string; bg: string }[];
  };
  assert.ok(checked >= 5, `${screen}: ${checked} text nodes checked`);
  assert.deepEqual(failures, [], `${screen}: text below WCAG AA contrast`);
}

/** The focused control as "tag:label", flagged when it shows no focus ring of at least 2 px. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(body)";
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) >= 2;
  const labelled =
    el.getAttribute("aria-label") ??
    (el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null) ??
    el.getAttribute("name") ??
    el.textContent;
  return el.tagName.toLowerCase() + ":" + (labelled ?? "").trim() + (ring ? "" : " [NO FOCUS RING]");
})()`;

/** Tab `max` times from the top of a freshly loaded page; returns the accessible label of each focused control. */
async function tabWalk(page: Page, max: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    seen.push((await page.evaluate(FOCUSED)) as string);
  }
  return seen;
}

describe("public verification and accessibility in headless Chromium (real signatures)", () => {
  let dir: string;
  let office: RunningOffice;
  let limited: FastifyInstance;
  let limitedUrl: string;
  let browser: Browser;
  let signed: Buffer;
  let printed: { code: string; url: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "truc-web-public-"));
    const dist = join(dir, "dist");
    await build({
      root: new URL("..", import.meta.url).pathname,
      logLevel: "warn",
      build: { outDir: dist, emptyOutDir: true },
    });
    process.env.TRUC_WEB_DIST = dist;
    const pki = await makeTestPki(join(dir, "pki"));
    const keys = await pki.provision({
      agencyCode: "H29.12",
      organName: ORGAN,
      leaders: [{ username: "snv.giamdoc", fullName: LEADER }],
    });
    const axis = new InMemoryAxis();
    axis.directoryEntries.push({ organId: "G09", organName: "Bộ Nội vụ" });
    office = await startOffice({
      database: { kind: "sqlite", path: join(dir, "office.db") },
      dataDir: dir,
      gateway: axis,
      codec: edxmlCodec,
      signer: pki.signer({ "H29.12": keys }),
      validator: pki.validator(),
      converter: noConverter,
      pollMs: 0,
      http: { publicRateLimit: { max: 1000, windowMs: 60_000 } },
    });
    const a = await provisionPeople(office.deps, {
      code: "H29.12",
      name: ORGAN,
      abbreviation: "SNV",
      place: "TP. Hồ Chí Minh",
      prefix: "snv",
    });
    // Draft → review → leader's signature → number → organisation's signature → issue.
    const deps = office.deps;
    const draft = await createDraft(deps, a.specialist, {
      typeCode: "QD",
      subject: "Quyết định về việc công nhận kết quả cải cách hành chính",
      recipients: [{ organId: "G09", organName: "Bộ Nội vụ" }],
    });
    const pdf = await makeSampleDocument({ competence: "", position: "GIÁM ĐỐC", signerName: LEADER });
    await uploadVersion(deps, a.specialist, {
      outgoingId: draft.id,
      bytes: Buffer.from(pdf),
      fileName: "du-thao.pdf",
      contentType: "application/pdf",
    });
    await submitForReview(deps, a.specialist, { outgoingId: draft.id, reviewerIds: [a.deputy.userId] });
    await reviewDraft(deps, a.deputy, { outgoingId: draft.id, decision: "approve" });
    await signDocument(deps, a.leader, { outgoingId: draft.id });
    await assignNumber(deps, a.clerk, { outgoingId: draft.id });
    await sealDocument(deps, a.clerk, { outgoingId: draft.id });
    const issued = await issueDocument(deps, a.clerk, { outgoingId: draft.id });
    signed = Buffer.from((await getOutgoingFile(deps, a.clerk, issued.id)).bytes);
    printed = await printCopy(deps, a.clerk, { direction: "outgoing", id: issued.id, baseUrl: office.url });
    // A second server on the same office with a tiny public quota, for the rate-limit message.
    limited = buildOfficeApp(deps, { publicRateLimit: { max: 1, windowMs: 60_000 } });
    await limited.listen({ host: "127.0.0.1", port: 0 });
    limitedUrl = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await limited?.close();
    await office?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(path: string, viewport = DESKTOP, base = office.url): Promise<Page> {
    const page = await browser.newPage({ viewport, locale: "vi-VN" });
    await page.goto(`${base}${path}`);
    return page;
  }

  /** Polls until the focused element's text is `text` (the answer takes the focus after it renders). */
  async function focusLandsOn(page: Page, text: string) {
    for (let i = 0; i < 100; i++) {
      if ((await page.evaluate("document.activeElement?.textContent")) === text) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`focus never reached "${text}"`);
  }

  async function upload(page: Page, name: string, buffer: Buffer) {
    await page.setInputFiles('input[type="file"][name="file"]', {
      name,
      mimeType: "application/pdf",
      buffer,
    });
    await page.getByTestId("report").waitFor();
  }

  it("reports a signed PDF as authentic, naming the leader and the organisation, on desktop and phone", async () => {
    const page = await open("/");
    await page.getByRole("link", { name: /Kiểm tra văn bản điện tử/ }).click();
    await page.waitForURL(/\/kiem-tra$/);
    await page.getByRole("heading", { name: "Kiểm tra văn bản điện tử", level: 2 }).waitFor();
    await assertContrast(page, "public upload");
    await screenshot(page, "public-upload-desktop");
    await upload(page, "quyet-dinh.pdf", signed);
    const report = page.getByTestId("report");
    assert.equal(await report.getAttribute("data-verdict"), "valid");
    assert.equal(await report.getAttribute("data-registry"), "current");
    await page.getByRole("heading", { name: "Văn bản xác thực" }).waitFor();
    assert.match(
      (await page.getByTestId("chosen-file").textContent()) ?? "",
      /quyet-dinh\.pdf \(\d+(,\d)? KB\)/,
    );
    const signers = page.getByTestId("signature");
    assert.equal(await signers.count(), 2);
    const first = (await signers.nth(0).textContent()) ?? "";
    const second = (await signers.nth(1).textContent()) ?? "";
    assert.match(
      first,
      /Chữ ký cá nhân[\s\S]*Nguyễn Văn Đức[\s\S]*Sở Nội vụ Thành phố Hồ Chí Minh[\s\S]*Hợp lệ/,
    );
    assert.match(second, /Chữ ký của cơ quan, tổ chức[\s\S]*SỞ NỘI VỤ THÀNH PHỐ HỒ CHÍ MINH[\s\S]*Hợp lệ/);
    assert.match(first, /\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}/, "signing time shown");
    // The certificate issuer as a name, not a distinguished name.
    assert.ok(
      first.includes("Cấp bởiTest CA phục vụ các cơ quan Nhà nước (Ban Cơ yếu Chính phủ (thử nghiệm))"),
      first,
    );
    assert.ok(!first.includes("CN="), "no raw DN");
    assert.match((await page.getByTestId("registry").textContent()) ?? "", /Chưa bị thu hồi hay thay thế/);
    // The answer takes the focus, so keyboard and screen-reader users land on it.
    await focusLandsOn(page, "Văn bản xác thực");
    await assertContrast(page, "public report (valid)");
    await screenshot(page, "public-valid-desktop");

    const phone = await open("/kiem-tra", PHONE);
    await upload(phone, "quyet-dinh.pdf", signed);
    const width = (await phone.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(width <= PHONE.width, `no horizontal scroll on a phone (scrollWidth ${width})`);
    await screenshot(phone, "public-valid-phone");
    await page.close();
    await phone.close();
  });

  it("reports a tampered copy as invalid, and refuses a file that is not a PDF before sending it", async () => {
    const tampered = Buffer.from(signed);
    tampered[200] = tampered[200]! ^ 0x01; // inside the first signed range
    const page = await open("/kiem-tra");
    await upload(page, "ban-da-sua.pdf", tampered);
    assert.equal(await page.getByTestId("report").getAttribute("data-verdict"), "invalid");
    await page.getByRole("heading", { name: "Văn bản không hợp lệ" }).waitFor();
    const text = (await page.getByTestId("report").textContent()) ?? "";
    assert.match(text, /Chữ ký không khớp với nội dung văn bản/);
    assert.match(text, /liên hệ cơ quan ban hành/);
    assert.match(text, /Hệ thống này không lưu văn bản này/);
    await assertContrast(page, "public report (invalid)");
    await screenshot(page, "public-invalid-desktop");

    await page.setInputFiles('input[type="file"][name="file"]', {
      name: "anh.png",
      mimeType: "image/png",
      buffer: Buffer.from("not a pdf"),
    });
    assert.match((await page.getByTestId("refused").textContent()) ?? "", /anh\.png không phải là tệp PDF/);
    assert.equal(await page.getByTestId("report").count(), 0);
    await page.close();
  });

  it("opens the report of the signed original from a printed copy's QR URL, with the original to download", async () => {
    assert.equal(printed.url, `${office.url}/kiem-tra/${printed.code}`);
    const page = await browser.newPage({ viewport: PHONE, locale: "vi-VN" });
    await page.goto(printed.url);
    await page.getByTestId("report").waitFor();
    assert.equal(await page.getByTestId("report").getAttribute("data-verdict"), "valid");
    const grouped = printed.code.replace(/(.{4})(?=.)/g, "$1-");
    await page.getByText(`Bản in có mã kiểm tra ${grouped}`).waitFor();
    assert.equal(await page.getByTestId("signature").count(), 2);
    const link = page.getByRole("link", { name: "Tải bản gốc đã ký (PDF)" });
    const href = await link.getAttribute("href");
    assert.equal(href, `/api/public/verify/${printed.code}/file`);
    const original = Buffer.from(await (await fetch(`${office.url}${href}`)).arrayBuffer());
    assert.deepEqual(original, signed, "the download is the signed original");
    const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(width <= PHONE.width, `no horizontal scroll on a phone (scrollWidth ${width})`);
    await assertContrast(page, "printed copy report");
    await screenshot(page, "public-code-phone");
    await page.setViewportSize(DESKTOP);
    await screenshot(page, "public-code-desktop");

    // A mistyped code: explained, nothing else shown.
    await page.goto(`${office.url}/kiem-tra/0000-0000-0000`);
    await page.getByTestId("verify-error").waitFor();
    assert.equal(await page.getByTestId("verify-error").getAttribute("data-code"), "OFFICE_NOT_FOUND");
    assert.match(
      (await page.getByTestId("verify-error").textContent()) ?? "",
      /Không tìm thấy bản in có mã này/,
    );
    await page.close();
  });

  it("asks politely to wait when the public quota is used up (OFFICE_RATE_LIMITED)", async () => {
    const page = await open(`/kiem-tra/${printed.code}`, DESKTOP, limitedUrl);
    await page.getByTestId("report").waitFor(); // the one request of the quota
    await page.reload();
    const error = page.getByTestId("verify-error");
    await error.waitFor();
    assert.equal(await error.getAttribute("data-code"), "OFFICE_RATE_LIMITED");
    assert.match((await error.textContent()) ?? "", /Vui lòng đợi khoảng một phút rồi thử lại/);
    assert.equal(await page.getByTestId("report").count(), 0);
    await assertContrast(page, "rate-limit message");
    await screenshot(page, "public-rate-limited");
    await page.close();
  });

  it("walks the public page by keyboard only: file button, then the printed-copy code with Enter", async () => {
    const page = await open("/kiem-tra");
    await page.getByRole("heading", { name: "Kiểm tra văn bản điện tử", level: 2 }).waitFor();
    const walk = await tabWalk(page, 12);
    const chooseAt = walk.indexOf("button:Chọn tệp PDF");
    const codeAt = walk.indexOf("input:Mã kiểm tra trên bản in");
    const lookupAt = walk.indexOf("button:Tra cứu");
    assert.equal(walk[0], "a:Bỏ qua, đến nội dung chính", "the skip link comes first");
    assert.ok(chooseAt > 0 && codeAt > chooseAt && lookupAt > codeAt, `tab order: ${walk.join(" → ")}`);
    assert.deepEqual(
      walk.filter((s) => s.includes("[NO FOCUS RING]")),
      [],
      "every focused control shows a focus ring",
    );

    // From a fresh page: skip link → main content, whose first control is the file button;
    // Enter on it opens the file chooser.
    await page.reload();
    await page.getByRole("heading", { name: "Kiểm tra văn bản điện tử", level: 2 }).waitFor();
    // Listening turns on Playwright's file-chooser interception, which takes a round trip to the
    // browser: started here, well before the Enter that opens the chooser, so it cannot be late.
    const chooserOpened = page.waitForEvent("filechooser");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate("document.activeElement?.id"), "main-content");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate("document.activeElement?.textContent"), "Chọn tệp PDF");
    await page.keyboard.press("Enter");
    const chooser = await chooserOpened;
    await chooser.setFiles({ name: "quyet-dinh.pdf", mimeType: "application/pdf", buffer: signed });
    await page.getByTestId("report").waitFor();
    assert.equal(await page.getByTestId("report").getAttribute("data-verdict"), "valid");
    await focusLandsOn(page, "Văn bản xác thực");

    await page.getByLabel("Mã kiểm tra trên bản in").focus();
    await page.keyboard.type(printed.code.toLowerCase().replace(/(.{4})(?=.)/g, "$1 "));
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/kiem-tra/${printed.code}$`));
    await page.getByTestId("report").waitFor();
    await page.close();
  });

  it("walks the login form by keyboard only (Tab reaches every control, Enter submits)", async () => {
    const page = await open("/login");
    await page.getByRole("heading", { name: "Đăng nhập hệ thống quản lý văn bản" }).waitFor();
    await assertContrast(page, "login");
    const walk = await tabWalk(page, 12);
    const at = (label: string) => walk.findIndex((s) => s.startsWith(label));
    const order = [
      at("input:Tên đăng nhập"),
      at("input:Mật khẩu"),
      at("input:Mã xác thực"),
      at("button:Đăng nhập"),
    ];
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
      `tab order: ${walk.join(" → ")}`,
    );
    assert.deepEqual(
      walk.filter((s) => s.includes("[NO FOCUS RING]")),
      [],
      "focus ring on every control",
    );
    // From a fresh page, type with the keyboard only; Enter in the password field submits.
    await page.reload();
    await page.getByRole("heading", { name: "Đăng nhập hệ thống quản lý văn bản" }).waitFor();
    for (let i = 0; i <= order[0]!; i++) await page.keyboard.press("Tab");
    await page.keyboard.type("snv.vanthu");
    for (let i = order[0]!; i < order[1]!; i++) await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/office\/inbox$/);
    await page.getByRole("heading", { name: "Văn bản đến" }).first().waitFor();
    await page.getByText("Không có văn bản nào.").first().waitFor();
    await assertContrast(page, "office inbox");
    await page.close();
  });

  it("keeps the home page above WCAG AA contrast, and the phone header shows the language switch and a menu", async () => {
    const page = await open("/", PHONE);
    await page.getByRole("heading", { name: "Trục liên thông văn bản", level: 2 }).waitFor();
    await assertContrast(page, "home");
    // The check itself finds a low-contrast text (#999 on white is 2.8:1).
    await page.evaluate(
      `document.querySelector("main").insertAdjacentHTML("beforeend", '<p id="probe" style="color:#999">thử độ tương phản</p>')`,
    );
    const probe = (await page.evaluate(CONTRAST_SCRIPT)) as { failures: { text: string; ratio: number }[] };
    assert.deepEqual(probe.failures, [
      { text: "thử độ tương phản", ratio: 2.85, fg: "rgb(153, 153, 153)", bg: "rgb(255,255,255)" },
    ]);
    await page.evaluate(`document.getElementById("probe").remove()`);
    const lang = page.getByRole("button", { name: "English" });
    const box = await lang.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, "language switch on screen");
    await page.getByRole("button", { name: "Mở menu điều hướng" }).click();
    const item = page.getByRole("menuitem", { name: "Kiểm tra văn bản" });
    await item.waitFor();
    // Wait for the menu's fade-in before the screenshot.
    await page.waitForFunction(
      (el) => el?.ownerDocument.defaultView?.getComputedStyle(el).opacity === "1",
      await page.getByRole("menu").elementHandle(),
    );
    await screenshot(page, "shell-menu-phone");
    await item.click();
    await page.waitForURL(/\/kiem-tra$/);
    await page.close();
  });

  it("shows the public page and its report in English once the language is switched", async () => {
    const page = await open("/kiem-tra");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Verify an e-document", level: 2 }).waitFor();
    assert.ok(await page.getByRole("button", { name: "Choose a PDF file" }).isVisible());
    assert.ok(await page.getByLabel("Check code on the printed copy").isVisible());
    assert.equal(await page.getAttribute("html", "lang"), "en");
    // Dropped on the drop zone this time, as a file dragged from the desktop.
    const files = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob("${signed.toString("base64")}"), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "decision.pdf", { type: "application/pdf" }));
      return transfer;
    })()`);
    const zone = page.getByTestId("drop-zone");
    await zone.dispatchEvent("dragover", { dataTransfer: files });
    assert.equal(await zone.getAttribute("data-over"), "true");
    await zone.dispatchEvent("drop", { dataTransfer: files });
    await page.getByTestId("report").waitFor();
    assert.match(
      (await page.getByTestId("chosen-file").textContent()) ?? "",
      /File: decision\.pdf \(\d+ KB\)/,
    );
    await page.getByRole("heading", { name: "Authentic document" }).waitFor();
    assert.match(
      (await page.getByTestId("report").textContent()) ?? "",
      /Personal signature[\s\S]*Signature of an agency or organisation/,
    );
    await assertContrast(page, "public report (English)");
    await screenshot(page, "public-valid-en");
    await page.close();
  });
});
