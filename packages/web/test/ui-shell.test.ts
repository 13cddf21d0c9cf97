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
});
