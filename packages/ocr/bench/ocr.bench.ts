/**
 * Seconds per A4 page of Vietnamese OCR at 200 dpi (spec §6.4's minimum scan resolution),
 * next to the same-run ceiling of everything but recognition: PDFium rasterising the page and
 * the grey/median/Otsu preprocessing. The gap is tesseract's LSTM (WASM) itself.
 * Pages are full A4 pages of body text (~35 lines), not the sparse test fixture.
 */
import { readFileSync } from "node:fs";
import { PDF } from "@libpdf/core";
import { peakRssMiB, report } from "@truc/common/bench";
import { createOcrEngine, makeSearchablePdf, ocrDocument } from "../src/index.ts";
import { ocrImage, openScan } from "../src/raster.ts";

const DPI = 200;
const PAGES = 4;
const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";

const BODY =
  "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư; " +
  "theo đề nghị của Chánh Văn phòng, cơ quan ban hành quy chế quản lý văn bản đi, văn bản đến, " +
  "lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan; việc gửi, nhận văn bản điện tử " +
  "qua Trục liên thông văn bản quốc gia được thực hiện theo Quyết định số 28/2018/QĐ-TTg. ";

async function fullPagePdf(pages: number): Promise<Uint8Array> {
  const pdf = PDF.create();
  const font = pdf.embedFont(new Uint8Array(readFileSync(`${FONT_DIR}/LiberationSerif-Regular.ttf`)));
  const bold = pdf.embedFont(new Uint8Array(readFileSync(`${FONT_DIR}/LiberationSerif-Bold.ttf`)));
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage({ width: 595.28, height: 841.89 });
    page.drawText("QUYẾT ĐỊNH", { x: 250, y: 780, font: bold, size: 14 });
    page.drawText(`Điều ${p + 1}. ${BODY.repeat(5)}`, {
      x: 70,
      y: 750,
      font,
      size: 13,
      maxWidth: 460,
      lineHeight: 19,
    });
  }
  return pdf.save();
}

const document = await fullPagePdf(PAGES);
const onePage = await fullPagePdf(1);

// Ceiling: rasterise + preprocess every page, no recognition.
async function rasteriseOnly(input: Uint8Array): Promise<number> {
  const scan = await openScan(input, { dpi: DPI, maxPages: 100, maxPagePixels: 64_000_000 });
  try {
    for (let i = 0; i < scan.pageCount; i++) await ocrImage(await scan.render(i));
    return scan.pageCount;
  } finally {
    scan.close();
  }
}
await rasteriseOnly(onePage); // warm PDFium
const rasterRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  const start = performance.now();
  await rasteriseOnly(document);
  rasterRuns.push((performance.now() - start) / 1000 / PAGES);
}
const rasterSecondsPerPage = rasterRuns.sort((a, b) => a - b)[1]!;

// Cold start of one worker (WASM core + Vietnamese model), then warm single-page latency.
const single = createOcrEngine({ workers: 1 });
let start = performance.now();
await ocrDocument(onePage, { dpi: DPI, engine: single });
const coldSeconds = (performance.now() - start) / 1000;
start = performance.now();
const result1 = await ocrDocument(onePage, { dpi: DPI, engine: single });
const warmSingle = (performance.now() - start) / 1000;
await single.close();

// Throughput with the service's default pool of 2 workers on a 4-page document.
const pool = createOcrEngine({ workers: 2 });
await ocrDocument(onePage, { dpi: DPI, engine: pool }); // start both workers' models
await ocrDocument(onePage, { dpi: DPI, engine: pool });
start = performance.now();
const result = await ocrDocument(document, { dpi: DPI, engine: pool });
const pooledPerPage = (performance.now() - start) / 1000 / PAGES;
await pool.close();

start = performance.now();
await makeSearchablePdf(document, result);
const searchablePerPage = (performance.now() - start) / 1000 / PAGES;

const words = result1.pages[0]!.words.length;
report("ocr", [
  {
    figure: `OCR, A4 ${DPI} dpi, 1 worker, warm (${words} words/page)`,
    value: 1 / warmSingle,
    unit: "pages/s",
    ceiling: { name: "rasterise + preprocess only", value: 1 / rasterSecondsPerPage },
    note: `${warmSingle.toFixed(2)} s/page vs ${rasterSecondsPerPage.toFixed(3)} s/page; confidence ${result1.meanConfidence.toFixed(0)}`,
  },
  {
    figure: `OCR, A4 ${DPI} dpi, ${PAGES}-page PDF, 2 workers`,
    value: 1 / pooledPerPage,
    unit: "pages/s",
    ceiling: { name: "rasterise + preprocess only", value: 1 / rasterSecondsPerPage },
    note: `${pooledPerPage.toFixed(2)} s/page`,
  },
  {
    figure: "searchable PDF (re-render, JPEG, text layer)",
    value: 1 / searchablePerPage,
    unit: "pages/s",
    ceiling: { name: "rasterise + preprocess only", value: 1 / rasterSecondsPerPage },
    note: `${searchablePerPage.toFixed(3)} s/page`,
  },
  {
    figure: "cold start: first page incl. worker + model load",
    value: coldSeconds,
    unit: "s",
    note: `peak RSS ${peakRssMiB().toFixed(0)} MiB`,
  },
]);
