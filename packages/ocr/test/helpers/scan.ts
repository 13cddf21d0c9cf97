import { readFileSync } from "node:fs";
import { PDFiumLibrary } from "@hyzyla/pdfium";
import { PDF } from "@libpdf/core";
import sharp from "sharp";

/** Lines of a typical NĐ 30 decision: the words the OCR tests look for. */
export const HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
export const TITLE = "QUYẾT ĐỊNH";
export const SUBJECT = "Về việc ban hành quy chế công tác văn thư";
export const BASIS = "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;";

const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";
const font = (style: string) => new Uint8Array(readFileSync(`${FONT_DIR}/LiberationSerif-${style}.ttf`));

const A4 = { width: 595.28, height: 841.89 };

/** A born-digital one-page decision (what a scanner would have photographed). */
export async function decisionPdf(): Promise<Uint8Array> {
  const pdf = PDF.create();
  const regular = pdf.embedFont(font("Regular"));
  const bold = pdf.embedFont(font("Bold"));
  const page = pdf.addPage(A4);
  page.drawText(HEADER, { x: 150, y: 780, font: bold, size: 13 });
  page.drawText("Độc lập - Tự do - Hạnh phúc", { x: 210, y: 762, font: bold, size: 13 });
  page.drawText(TITLE, { x: 250, y: 700, font: bold, size: 14 });
  page.drawText(SUBJECT, { x: 160, y: 680, font: bold, size: 13 });
  page.drawText(BASIS, { x: 70, y: 640, font: regular, size: 13 });
  page.drawText("Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư.", {
    x: 70,
    y: 615,
    font: regular,
    size: 13,
  });
  return pdf.save();
}

/**
 * A scan-like colour PNG of the decision at 200 dpi: rendered with PDFium, turned 0.6°,
 * slightly blurred, on cream paper, with deterministic dark specks.
 */
export async function noisyScanPng(dpi = 200): Promise<Buffer> {
  const library = await PDFiumLibrary.init();
  try {
    const document = await library.loadDocument(await decisionPdf());
    const bitmap = await document.getPage(0).render({ scale: dpi / 72, render: "bitmap" });
    document.destroy();
    const { width, height } = bitmap;
    const rgba = Buffer.from(bitmap.data);
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 4000; i++) {
      const at = (Math.floor(random() * height) * width + Math.floor(random() * width)) * 4;
      rgba[at] = rgba[at + 1] = rgba[at + 2] = 40;
    }
    return sharp(rgba, { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .rotate(0.6, { background: "#ffffff" })
      .blur(0.6)
      .linear([0.96, 0.93, 0.86], [0, 0, 0])
      .withDensity(dpi)
      .png()
      .toBuffer();
  } finally {
    library.destroy();
  }
}

/** A two-page PDF: the born-digital decision, then the noisy scan embedded as a 200 dpi image. */
export async function twoPagePdf(): Promise<Uint8Array> {
  const pdf = await PDF.load(await decisionPdf());
  const png = await noisyScanPng();
  const meta = await sharp(png).metadata();
  const page = pdf.addPage(A4);
  const jpeg = await sharp(png).jpeg({ quality: 90 }).toBuffer();
  page.drawImage(pdf.embedJpeg(jpeg), {
    x: 0,
    y: A4.height - (meta.height! * 72) / 200,
    width: (meta.width! * 72) / 200,
    height: (meta.height! * 72) / 200,
  });
  return pdf.save();
}
