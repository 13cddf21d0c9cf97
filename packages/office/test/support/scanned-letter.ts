/**
 * A scanned Vietnamese letter for the OCR tests (office service and web digitising screen):
 * rendered with PDFium from Liberation Serif, like a paper page photographed at 200 dpi.
 */
import { readFileSync } from "node:fs";
import { PDFiumLibrary } from "@hyzyla/pdfium";
import { PDF } from "@libpdf/core";
import sharp from "sharp";

const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";

/** A paper letter photographed at 200 dpi: rendered with PDFium, slightly turned, on cream paper. */
export async function scannedLetterPng(): Promise<Buffer> {
  const pdf = PDF.create();
  const font = pdf.embedFont(new Uint8Array(readFileSync(`${FONT_DIR}/LiberationSerif-Regular.ttf`)));
  const bold = pdf.embedFont(new Uint8Array(readFileSync(`${FONT_DIR}/LiberationSerif-Bold.ttf`)));
  const page = pdf.addPage({ width: 595.28, height: 841.89 });
  page.drawText("ỦY BAN NHÂN DÂN XÃ TÂN HIỆP", { x: 70, y: 780, font: bold, size: 13 });
  page.drawText("CÔNG VĂN", { x: 250, y: 700, font: bold, size: 14 });
  page.drawText("Về việc đề nghị hỗ trợ kinh phí sửa chữa đường giao thông nông thôn", {
    x: 70,
    y: 670,
    font: bold,
    size: 13,
  });
  page.drawText("Ủy ban nhân dân xã đề nghị Sở Nội vụ xem xét, giải quyết kịp thời.", {
    x: 70,
    y: 630,
    font,
    size: 13,
  });
  const library = await PDFiumLibrary.init();
  try {
    const document = await library.loadDocument(await pdf.save());
    const bitmap = await document.getPage(0).render({ scale: 200 / 72, render: "bitmap" });
    document.destroy();
    return sharp(Buffer.from(bitmap.data), {
      raw: { width: bitmap.width, height: bitmap.height, channels: 4 },
    })
      .removeAlpha()
      .rotate(0.4, { background: "#ffffff" })
      .linear([0.96, 0.94, 0.88], [0, 0, 0])
      .withDensity(200)
      .png()
      .toBuffer();
  } finally {
    library.destroy();
  }
}
