import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { searchKey } from "@truc/common";
import sharp from "sharp";
import { createOcrService, makeSearchablePdf, type OcrProgress, ocrDocument } from "../src/index.ts";
import { denyNetwork } from "./helpers/network.ts";
import { noisyScanPng, twoPagePdf } from "./helpers/scan.ts";

const dir = mkdtempSync(join(tmpdir(), "truc-ocr-"));
const network = denyNetwork();
after(() => {
  network.restore();
  rmSync(dir, { recursive: true, force: true });
});

function pdftotext(pdf: Uint8Array): string {
  const file = join(dir, `t-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).normalize("NFC");
}

/** The key words of the decision, with their diacritics, and their unaccented search forms. */
function assertDecisionText(text: string): void {
  assert.equal(text, text.normalize("NFC"), "text is NFC");
  for (const expected of ["QUYẾT ĐỊNH", "quy chế công tác văn thư", "Nghị định số 30/2020/NĐ-CP"]) {
    assert.ok(text.includes(expected), `recognised text contains «${expected}»:\n${text}`);
  }
  const folded = searchKey(text);
  assert.ok(folded.includes("quyet dinh"), "a folded query «quyet dinh» matches");
  assert.ok(
    folded.includes("nghi dinh so 30/2020/nd-cp"),
    "a folded query «nghi dinh so 30/2020/nd-cp» matches",
  );
}

describe("OCR of a two-page PDF (born-digital page + embedded noisy scan)", () => {
  let input: Uint8Array;
  const progress: OcrProgress[] = [];
  let result: Awaited<ReturnType<typeof ocrDocument>>;

  before(async () => {
    input = await twoPagePdf();
    result = await ocrDocument(input, { dpi: 200, onProgress: (p) => progress.push(p) });
  });

  test("both pages are recognised with their diacritics, at the requested dpi", () => {
    assert.equal(result.pages.length, 2);
    for (const page of result.pages) {
      assertDecisionText(page.text);
      assert.equal(page.dpi, 200);
      // PDFium floors the page size in points before scaling.
      assert.equal(page.width, Math.floor(595 * (200 / 72)));
      assert.ok(page.words.length > 20);
      for (const word of page.words) {
        assert.ok(word.bbox.x1 > word.bbox.x0 && word.bbox.y1 > word.bbox.y0);
        assert.ok(word.bbox.x1 <= page.width && word.bbox.y1 <= page.height);
        assert.ok(page.lines[word.line], "each word points at its line");
      }
    }
    assert.ok(result.text.includes(result.pages[1]!.text.trim()));
    assert.ok(
      result.meanConfidence > 70 && result.meanConfidence <= 100,
      `confidence ${result.meanConfidence}`,
    );
    const title = result.pages[0]!.words.find((w) => w.text === "QUYẾT");
    assert.ok(title, "the title word is a word with its box");
    // The title is drawn at y = 700 pt from the bottom of an 842 pt page: about 142 pt from the top.
    assert.ok(
      Math.abs((title.bbox.y1 * 72) / 200 - 142) < 8,
      `title baseline near 142 pt (${title.bbox.y1})`,
    );
  });

  test("progress: each page finishes in order, fractions never decrease and end at 1", () => {
    assert.deepEqual(
      progress.filter((p) => p.stage === "page").map((p) => p.page),
      [1, 2],
    );
    assert.deepEqual(
      progress.filter((p) => p.stage === "rasterise").map((p) => p.page),
      [1, 2],
    );
    assert.ok(
      progress.some((p) => p.stage === "recognise"),
      "intra-page progress is reported",
    );
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.fraction >= progress[i - 1]!.fraction);
    assert.ok(progress.every((p) => p.pages === 2 && p.fraction >= 0 && p.fraction <= 1));
    assert.deepEqual(progress.at(-1), { page: 2, pages: 2, fraction: 1, stage: "done" });
  });

  test("the searchable PDF carries the scan with an invisible text layer pdftotext extracts", async () => {
    const pdf = await makeSearchablePdf(input, result);
    assert.match(pdf.subarray(0, 8).toString("latin1"), /^%PDF-1\.[4-7]/);
    const text = pdftotext(pdf);
    assertDecisionText(text);
    const file = join(dir, "searchable.pdf");
    writeFileSync(file, pdf);
    // 100 % scale: page size = pixels / dpi; the page images are colour at 200 ppi.
    const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    assert.ok(Math.abs(Number(w) - (result.pages[0]!.width * 72) / 200) < 0.01);
    assert.ok(Math.abs(Number(h) - (result.pages[0]!.height * 72) / 200) < 0.01);
    const images = execFileSync("pdfimages", ["-list", file], { encoding: "utf8" })
      .trim()
      .split("\n")
      .slice(2);
    assert.equal(images.length, 2);
    for (const row of images) {
      const cols = row.trim().split(/\s+/);
      assert.equal(cols[5], "rgb", "colour page image");
      assert.equal(Math.round(Number(cols[12])), 200, "x-ppi");
    }
    // Each word is laid over its printed image: pdftotext's box for the title word matches
    // the OCR box scaled to points (within a point or two: font metrics vs ink).
    const bbox = execFileSync("pdftotext", ["-bbox", "-f", "1", "-l", "1", file, "-"], { encoding: "utf8" });
    const title = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">QUYẾT<\/word>/.exec(
      bbox.normalize("NFC"),
    );
    assert.ok(title, "the title word is in the text layer");
    const ocrTitle = result.pages[0]!.words.find((w) => w.text === "QUYẾT")!.bbox;
    const k = 72 / 200;
    assert.ok(Math.abs(Number(title[1]) - ocrTitle.x0 * k) < 1, "left edge");
    assert.ok(Math.abs(Number(title[3]) - ocrTitle.x1 * k) < 1, "right edge (horizontal scaling)");
    assert.ok(Math.abs(Number(title[4]) - ocrTitle.y1 * k) < 4, "bottom edge near the baseline");
    // Render mode 3 (invisible) in the content streams.
    const qdf = execFileSync("qpdf", ["--qdf", "--object-streams=disable", file, "-"], {
      maxBuffer: 64 << 20,
    });
    assert.ok(qdf.includes("3 Tr"), "text render mode 3");
  });

  test("no network access was attempted", () => {
    assert.deepEqual(network.attempts, []);
  });
});

describe("OCR service on a noisy 200 dpi PNG scan", () => {
  test("submit → poll → done with text, searchable PDF and progress", async () => {
    const png = await noisyScanPng();
    const service = createOcrService({ maxConcurrent: 1, workers: 1 });
    try {
      const id = service.submit({ input: png });
      const first = service.status(id);
      assert.ok(first.state === "queued" || first.state === "running");
      const seen = new Set<string>([first.state]);
      const timer = setInterval(() => seen.add(service.status(id).state), 50);
      const final = await service.wait(id);
      clearInterval(timer);
      assert.equal(final.state, "done", JSON.stringify(final.error));
      assert.ok(seen.has("running"), "the job was seen running while polled");
      assert.equal(final.progress?.fraction, 1);
      const page = final.result!.pages[0]!;
      assert.equal(page.dpi, 200, "the PNG's own resolution is used");
      assertDecisionText(final.result!.text);
      assertDecisionText(pdftotext(final.searchablePdf!));
      // The page image keeps the scan's colour (the paper tint survives).
      const file = join(dir, "png.pdf");
      writeFileSync(file, final.searchablePdf!);
      execFileSync("pdfimages", ["-j", file, join(dir, "img")]);
      const { dominant } = await sharp(join(dir, "img-000.jpg")).stats();
      assert.ok(dominant.b < dominant.r - 10, `paper tint kept: ${JSON.stringify(dominant)}`);
      assert.deepEqual(network.attempts, []);
    } finally {
      await service.close();
    }
  });
});
