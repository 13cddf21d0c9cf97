import { PDF, rgb } from "@libpdf/core";
import { serifFont } from "./fonts.ts";

export interface SampleDocumentOptions {
  /** Number and notation, e.g. "123/QĐ-UBND". */
  notation?: string;
  /** Authority line of the signature block (box 7a). */
  competence?: string;
  /** Position line (box 7b). */
  position?: string;
  /** Full name of the signer (box 7c). */
  signerName?: string;
  /** Extra body paragraphs, to make larger documents (benchmarks). */
  extraParagraphs?: number;
}

const A4 = { width: 595.28, height: 841.89 };
const MM = 72 / 25.4;

/**
 * A small administrative document (a "Quyết định") laid out after NĐ 30/2020 Phụ lục I, with
 * Vietnamese text in an embedded, subsetted Liberation Serif. Used by tests, benchmarks and
 * demos; the signature block has an empty gap between the position line and the name, where
 * the competent person's signature image goes.
 */
export async function makeSampleDocument(options: SampleDocumentOptions = {}): Promise<Uint8Array> {
  const notation = options.notation ?? "123/QĐ-UBND";
  const competence = options.competence ?? "KT. CHỦ TỊCH";
  const position = options.position ?? "PHÓ CHỦ TỊCH";
  const signerName = options.signerName ?? "Nguyễn Văn An";
  const pdf = PDF.create();
  pdf.setTitle("Quyết định phê duyệt kế hoạch chuyển đổi số");
  pdf.setLanguage("vi-VN");
  const regular = pdf.embedFont(serifFont("Regular"));
  const bold = pdf.embedFont(serifFont("Bold"));
  const italic = pdf.embedFont(serifFont("Italic"));
  const black = rgb(0, 0, 0);
  let page = pdf.addPage({ width: A4.width, height: A4.height });
  const left = 30 * MM;
  const right = A4.width - 15 * MM;
  const centreAt = (x: number, text: string, font: typeof regular, size: number) =>
    x - font.getTextWidth(text, size) / 2;
  const line = (text: string, x: number, y: number, font = regular, size = 13) =>
    page.drawText(text, { x, y, font, size, color: black });
  const centred = (text: string, cx: number, y: number, font = regular, size = 13) =>
    line(text, centreAt(cx, text, font, size), y, font, size);

  const headerLeftX = left + 38 * MM;
  const headerRightX = right - 52 * MM;
  let y = A4.height - 20 * MM;
  centred("ỦY BAN NHÂN DÂN", headerLeftX, y, regular, 13);
  centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", headerRightX, y, bold, 12);
  y -= 16;
  centred("TỈNH THỬ NGHIỆM", headerLeftX, y, bold, 13);
  centred("Độc lập - Tự do - Hạnh phúc", headerRightX, y, bold, 13);
  y -= 26;
  centred(`Số: ${notation}`, headerLeftX, y, regular, 13);
  centred("Thử Nghiệm, ngày 05 tháng 3 năm 2025", headerRightX, y, italic, 13);
  y -= 40;
  centred("QUYẾT ĐỊNH", A4.width / 2, y, bold, 14);
  y -= 18;
  centred("Phê duyệt Kế hoạch chuyển đổi số năm 2025", A4.width / 2, y, bold, 14);
  y -= 30;
  centred("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM", A4.width / 2, y, bold, 14);
  y -= 28;
  const body = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.",
    "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2025 kèm theo Quyết định này.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 3. Chánh Văn phòng, Giám đốc các sở, ngành chịu trách nhiệm thi hành Quyết định này.",
  ];
  for (let i = 0; i < (options.extraParagraphs ?? 0); i++)
    body.push(
      `Đoạn bổ sung ${i + 1}: nội dung chi tiết của kế hoạch, tiến độ, kinh phí và trách nhiệm thực hiện.`,
    );
  for (const paragraph of body) {
    if (y < 90 * MM) {
      page = pdf.addPage({ width: A4.width, height: A4.height });
      y = A4.height - 20 * MM;
    }
    const lines = wrap(paragraph, (t) => regular.getTextWidth(t, 14), right - left - 10 * MM);
    for (const [i, l] of lines.entries()) {
      line(l, i === 0 ? left + 10 * MM : left, y, regular, 14);
      y -= 20;
    }
  }
  // Signature block (boxes 7a–7c) on the right, "Nơi nhận" on the left, both on the last page.
  y -= 14;
  const blockX = right - 45 * MM;
  line("Nơi nhận:", left, y, italic, 12);
  line("- Như Điều 3;", left, y - 15, regular, 11);
  line("- Lưu: VT.", left, y - 29, regular, 11);
  centred(competence, blockX, y, bold, 14);
  centred(position, blockX, y - 17, bold, 14);
  centred(signerName, blockX, y - 17 - 32 * MM, bold, 14);
  return pdf.save({ subsetFonts: true });
}

function wrap(text: string, width: (t: string) => number, max: number): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (width(candidate) > max && current) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  if (current) lines.push(current);
  return lines;
}
