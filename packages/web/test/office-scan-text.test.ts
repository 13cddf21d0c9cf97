/** What the digitising form reads from recognised text: the subject, and a scan's content type. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scanContentType, subjectFromText } from "../src/office/scan-text.ts";

describe("digitising: subject from recognised text", () => {
  it("takes the “Về việc …” line of an official letter, joining a wrapped line", () => {
    const text = [
      "ỦY BAN NHÂN DÂN XÃ TÂN HIỆP   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "Số: 15/UBND        Tân Hiệp, ngày 01 tháng 3 năm 2025",
      "V/v đề nghị hỗ trợ kinh phí sửa chữa",
      "đường giao thông nông thôn",
      "Kính gửi: Sở Nội vụ",
      "Ủy ban nhân dân xã đề nghị Sở Nội vụ xem xét.",
    ].join("\n");
    assert.equal(subjectFromText(text), "V/v đề nghị hỗ trợ kinh phí sửa chữa đường giao thông nông thôn");
  });

  it("takes the sentence-case line after the type name in capitals (decisions, plans)", () => {
    const text =
      "ỦY BAN NHÂN DÂN TỈNH AN GIANG\n\nQUYẾT ĐỊNH\nPhê duyệt kế hoạch chuyển đổi số năm 2025\nCăn cứ Luật…";
    assert.equal(subjectFromText(text), "Phê duyệt kế hoạch chuyển đổi số năm 2025");
  });

  it("falls back to the first real line, and to nothing on empty text", () => {
    assert.equal(
      subjectFromText("Thông báo lịch tiếp công dân tháng 4"),
      "Thông báo lịch tiếp công dân tháng 4",
    );
    assert.equal(subjectFromText(""), "");
    assert.equal(subjectFromText(null), "");
    assert.equal(subjectFromText("Về việc " + "x".repeat(900)).length, 500);
  });

  it("knows a scan's type from its MIME type or its extension, and refuses others", () => {
    assert.equal(scanContentType({ name: "a.bin", type: "application/pdf" }), "application/pdf");
    assert.equal(scanContentType({ name: "QUET.JPG", type: "" }), "image/jpeg");
    assert.equal(scanContentType({ name: "trang-1.tif", type: "" }), "image/tiff");
    assert.equal(scanContentType({ name: "ghi-chu.docx", type: "application/msword" }), null);
  });
});
