import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { webDistDir } from "../src/server-assets.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";
import { serveStatic } from "./support/static-server.ts";

describe("web shell in headless Chromium", () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  before(async () => {
    await build({ root: new URL("..", import.meta.url).pathname, logLevel: "warn" });
    site = await serveStatic(webDistDir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    site?.server.close();
  });

  it("shows the home page in Vietnamese first and switches to English", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(site.url);
    await page.getByRole("heading", { name: "Trục liên thông văn bản", level: 2 }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "vi");
    assert.ok(await page.getByText("Kiểm tra văn bản điện tử").isVisible());
    await screenshot(page, "home-vi");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "E-document interconnection axis", level: 2 }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await page.close();
  });

  it("renders a labelled login form, usable on a phone", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${site.url}/login`);
    for (const label of ["Tên đăng nhập", "Mật khẩu"]) {
      assert.ok(await page.getByLabel(label, { exact: false }).first().isVisible(), label);
    }
    const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(width <= 390, `no horizontal scroll on a phone (scrollWidth ${width})`);
    await screenshot(page, "login-phone-vi");
    await page.close();
  });

  it("folds the navigation into a menu on a phone, keeping the language switch on screen", async () => {
    for (const width of [320, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 700 } });
      await page.goto(`${site.url}/thong-ke`);
      const lang = page.getByRole("button", { name: "English" });
      await lang.waitFor();
      const box = await lang.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `language switch on a ${width} px screen`);
      assert.equal(await page.getByRole("navigation", { name: "Điều hướng chính" }).isVisible(), false);
      const burger = page.getByRole("button", { name: "Mở menu điều hướng" });
      assert.equal(await burger.getAttribute("aria-expanded"), "false");
      await burger.click();
      assert.equal(await burger.getAttribute("aria-expanded"), "true");
      const items = page.getByRole("menuitem");
      await items.first().waitFor();
      assert.deepEqual(await items.allTextContents(), [
        "Trang chủ",
        "Kiểm tra văn bản",
        "Thống kê",
        "Đăng nhập",
      ]);
      // Escape closes the menu and gives the focus back to the burger.
      await page.keyboard.press("Escape");
      await items.first().waitFor({ state: "hidden" });
      assert.equal(
        await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
        "Mở menu điều hướng",
      );
      const scroll = (await page.evaluate("document.documentElement.scrollWidth")) as number;
      assert.ok(scroll <= width, `no horizontal scroll at ${width} px (scrollWidth ${scroll})`);
      await page.close();
    }
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await desktop.goto(`${site.url}/kiem-tra`);
    const nav = desktop.getByRole("navigation", { name: "Điều hướng chính" });
    await nav.waitFor();
    assert.equal(await desktop.getByRole("button", { name: "Mở menu điều hướng" }).isVisible(), false);
    assert.equal(
      await nav.getByRole("link", { name: "Kiểm tra văn bản" }).getAttribute("aria-current"),
      "page",
    );
    // The skip link is the first stop of the keyboard and is drawn on screen when focused.
    await desktop.keyboard.press("Tab");
    const skip = desktop.getByRole("link", { name: "Bỏ qua, đến nội dung chính" });
    assert.equal(await skip.evaluate((el) => el === el.ownerDocument.activeElement), true);
    const skipBox = await skip.boundingBox();
    assert.ok(skipBox && skipBox.y >= 0, "focused skip link is visible");
    await desktop.close();
  });
});
