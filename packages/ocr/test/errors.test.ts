import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PDF } from "@libpdf/core";
import sharp from "sharp";
import {
  createOcrEngine,
  createOcrService,
  makeSearchablePdf,
  type OcrErrorCode,
  type OcrResult,
  ocrDocument,
} from "../src/index.ts";
import { denyNetwork } from "./helpers/network.ts";

async function rejectsWith(promise: Promise<unknown> | (() => unknown), code: OcrErrorCode) {
  const run = typeof promise === "function" ? async () => promise() : () => promise;
  await assert.rejects(run, (error: { code?: string }) => {
    assert.equal(error.code, code);
    return true;
  });
}

async function blankPdf(pages: number): Promise<Uint8Array> {
  const pdf = PDF.create();
  for (let i = 0; i < pages; i++) pdf.addPage({ width: 200, height: 100 });
  return pdf.save();
}

const whitePng = (width = 400, height = 200) =>
  sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
    .withDensity(200)
    .png()
    .toBuffer();

describe("input rejections", () => {
  test("empty, too large, unsupported, unreadable", async () => {
    await rejectsWith(ocrDocument(new Uint8Array()), "OCR_INPUT_EMPTY");
    await rejectsWith(ocrDocument(await blankPdf(1), { maxBytes: 10 }), "OCR_INPUT_TOO_LARGE");
    await rejectsWith(ocrDocument(Buffer.from("GIF89a not a scan")), "OCR_INPUT_UNSUPPORTED");
    await rejectsWith(ocrDocument(Buffer.from("%PDF-1.4\nnot really a pdf")), "OCR_INPUT_UNREADABLE");
    const png = await whitePng();
    await rejectsWith(ocrDocument(png.subarray(0, 40)), "OCR_INPUT_UNREADABLE");
  });

  test("page count, page size and dpi limits", async () => {
    await rejectsWith(ocrDocument(await blankPdf(2), { maxPages: 1 }), "OCR_TOO_MANY_PAGES");
    await rejectsWith(ocrDocument(await blankPdf(1), { maxPagePixels: 1000 }), "OCR_PAGE_TOO_LARGE");
    await rejectsWith(ocrDocument(await whitePng(), { maxPagePixels: 1000 }), "OCR_PAGE_TOO_LARGE");
    await rejectsWith(ocrDocument(await blankPdf(1), { dpi: 10 }), "OCR_OPTIONS_INVALID");
    await rejectsWith(() => createOcrEngine({ workers: 0 }), "OCR_OPTIONS_INVALID");
    await rejectsWith(() => createOcrService({ maxConcurrent: 0 }), "OCR_OPTIONS_INVALID");
  });

  test("an aborted signal stops before any work", async () => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(ocrDocument(await blankPdf(1), { signal: controller.signal }), "OCR_ABORTED");
  });

  test("a searchable PDF needs the result of the same scan", async () => {
    const scan = await blankPdf(2);
    const page = {
      number: 1,
      width: 555,
      height: 277,
      dpi: 200,
      text: "",
      confidence: 0,
      words: [],
      lines: [],
    };
    const result = (pages: OcrResult["pages"]): OcrResult => ({ pages, text: "", meanConfidence: 0 });
    await rejectsWith(makeSearchablePdf(scan, result([])), "OCR_RESULT_MISMATCH");
    await rejectsWith(makeSearchablePdf(scan, result([page])), "OCR_RESULT_MISMATCH");
    await rejectsWith(
      makeSearchablePdf(scan, result([page, { ...page, number: 2, width: 999 }])),
      "OCR_RESULT_MISMATCH",
    );
  });
});

describe("engine", () => {
  test("abort and timeout stop the page, the worker is replaced and the engine keeps working", async () => {
    const engine = createOcrEngine({ workers: 1 });
    try {
      const image = await whitePng();
      await rejectsWith(engine.recognise(image, { timeoutMs: 1 }), "OCR_TIMEOUT");
      const controller = new AbortController();
      const pending = engine.recognise(image, { signal: controller.signal });
      const queued = engine.recognise(image, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await rejectsWith(pending, "OCR_ABORTED");
      await rejectsWith(queued, "OCR_ABORTED");
      const page = await engine.recognise(image);
      assert.equal(page.words.length, 0, "a blank page has no words");
    } finally {
      await engine.close();
    }
    await rejectsWith(engine.recognise(await whitePng()), "OCR_ENGINE_CLOSED");
  });

  test("the worker threads cannot reach the network: a CDN langPath fails with OCR_NETWORK_FORBIDDEN", async () => {
    const network = denyNetwork();
    const engine = createOcrEngine({
      workers: 1,
      langPath: "https://cdn.jsdelivr.net/npm/@tesseract.js-data/vie/4.0.0_best_int",
    });
    try {
      await assert.rejects(
        engine.recognise(await whitePng(), { timeoutMs: 60_000 }),
        (error: { code?: string; details?: { detail?: string } }) => {
          assert.equal(error.code, "OCR_ENGINE_FAILED");
          assert.match(String(error.details?.detail), /OCR_NETWORK_FORBIDDEN/);
          return true;
        },
      );
      assert.deepEqual(network.attempts, [], "nothing tried the network on the main thread either");
    } finally {
      network.restore();
      await engine.close();
    }
  });
});

describe("service", () => {
  test("queue limit, cancel, unknown job, closed service", async () => {
    const service = createOcrService({ maxConcurrent: 1, workers: 1, maxQueued: 1 });
    const image = await whitePng();
    const running = service.submit({ input: image, searchablePdf: false });
    const queued = service.submit({ input: image });
    assert.equal(service.status(queued).state, "queued");
    assert.equal(service.status(queued).position, 0);
    await rejectsWith(() => service.submit({ input: image }), "OCR_QUEUE_FULL");
    await rejectsWith(() => service.submit({ input: new Uint8Array() }), "OCR_INPUT_EMPTY");
    assert.equal(service.cancel(queued), true);
    assert.equal(service.status(queued).state, "cancelled");
    const done = await service.wait(running);
    assert.equal(done.state, "done");
    assert.equal(done.result?.pages.length, 1);
    assert.equal(done.searchablePdf, undefined);
    assert.equal(service.cancel(running), false, "a finished job cannot be cancelled");
    await rejectsWith(() => service.status("no-such-job"), "OCR_JOB_UNKNOWN");
    const bad = service.submit({ input: Buffer.from("%PDF-1.4\nbroken") });
    const failed = await service.wait(bad);
    assert.equal(failed.state, "failed");
    assert.equal(failed.error?.code, "OCR_INPUT_UNREADABLE");
    assert.ok(failed.error?.message.vi && failed.error.message.en);
    await service.close();
    await rejectsWith(() => service.submit({ input: image }), "OCR_ENGINE_CLOSED");
  });
});
