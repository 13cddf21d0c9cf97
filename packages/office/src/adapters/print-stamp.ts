/**
 * Stamps a printed copy: a QR code (the verification URL) and the short code on the first page
 * of the signed PDF, drawn as vectors (sharp at any printer resolution) with @libpdf/core, as an
 * incremental update — the signed original stays a byte-for-byte prefix of the copy, so the
 * copy's file is still recognised by public verification (and reported as changed after
 * signing, which a copy is).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PDF, rgb } from "@libpdf/core";
import QRCode from "qrcode";

const MM = 72 / 25.4;
/** Same face as the signature appearances (Liberation Serif ≈ Times New Roman, NĐ 30). */
const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";

export interface StampInput {
  pdf: Uint8Array;
  /** What the QR code carries: the verification page of this copy. */
  url: string;
  /** The short code, printed as typed by people (groups of four). */
  code: string;
  /** Lines printed next to the QR code. */
  lines?: readonly string[];
}

/** The dark modules of the QR code of `text`, row by row (error correction M, as scanners expect on paper). */
export function qrModules(text: string): { size: number; dark(x: number, y: number): boolean } {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  return { size, dark: (x, y) => Boolean(qr.modules.get(y, x)) };
}

export async function stampPrintedCopy(input: StampInput): Promise<Uint8Array> {
  const pdf = await PDF.load(input.pdf);
  const page = pdf.getPage(0);
  if (!page) throw new Error("the document has no page");
  const font = pdf.embedFont(new Uint8Array(readFileSync(join(FONT_DIR, "LiberationSerif-Regular.ttf"))));
  const qr = qrModules(input.url);
  const quiet = 4; // modules of white border the QR specification asks for
  const side = 22 * MM;
  const cell = side / (qr.size + 2 * quiet);
  const box = page.getCropBox();
  const x0 = box.x + 10 * MM;
  const y0 = box.y + 8 * MM;
  const white = rgb(1, 1, 1);
  const black = rgb(0, 0, 0);
  page.drawRectangle({ x: x0, y: y0, width: side, height: side, color: white });
  // One rectangle per horizontal run of dark modules (row 0 is the top).
  for (let row = 0; row < qr.size; row++) {
    let col = 0;
    while (col < qr.size) {
      if (!qr.dark(col, row)) {
        col++;
        continue;
      }
      const start = col;
      while (col < qr.size && qr.dark(col, row)) col++;
      page.drawRectangle({
        x: x0 + (quiet + start) * cell,
        y: y0 + side - (quiet + row + 1) * cell,
        width: (col - start) * cell,
        height: cell,
        color: black,
      });
    }
  }
  const lines = input.lines ?? [
    "BẢN IN TỪ VĂN BẢN ĐIỆN TỬ",
    `Mã kiểm tra: ${input.code.replace(/(.{4})(?=.)/g, "$1-")}`,
    `Kiểm tra tại: ${input.url}`,
  ];
  const size = 8;
  lines.forEach((text, i) => {
    page.drawText(text.normalize("NFC"), {
      x: x0 + side + 3 * MM,
      y: y0 + side - 4 * MM - i * (size + 3),
      font,
      size,
      color: black,
    });
  });
  return pdf.save({ incremental: true, subsetFonts: true });
}
