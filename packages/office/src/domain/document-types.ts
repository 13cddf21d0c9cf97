/**
 * Document types of NĐ 30/2020 (Art. 7, Phụ lục III) and the legal normative documents
 * (VBQPPL) that keep their own numbering sequence per type. `edxmlType` follows list B of
 * QCVN 102:2016 SĐ1 where known (spec §6.1.2: treat as configurable, receivers trust TypeName).
 */
export interface DocumentTypeInfo {
  code: string;
  name: string;
  /** Abbreviation used in the notation; empty for công văn and thư công. */
  abbreviation: string;
  legalNormative: boolean;
  edxmlType: number;
}

const admin = (code: string, name: string, abbreviation: string, edxmlType: number): DocumentTypeInfo => ({
  code,
  name,
  abbreviation,
  legalNormative: false,
  edxmlType,
});
const legal = (code: string, name: string, abbreviation: string, edxmlType: number): DocumentTypeInfo => ({
  code,
  name,
  abbreviation,
  legalNormative: true,
  edxmlType,
});

export const DOCUMENT_TYPES: readonly DocumentTypeInfo[] = [
  admin("NQ", "Nghị quyết", "NQ", 1),
  admin("QD", "Quyết định", "QĐ", 2),
  admin("CT", "Chỉ thị", "CT", 3),
  admin("QC", "Quy chế", "QC", 4),
  admin("QYD", "Quy định", "QyĐ", 5),
  admin("TC", "Thông cáo", "TC", 6),
  admin("TB", "Thông báo", "TB", 7),
  admin("HD", "Hướng dẫn", "HD", 8),
  admin("CTR", "Chương trình", "CTr", 9),
  admin("KH", "Kế hoạch", "KH", 10),
  admin("PA", "Phương án", "PA", 11),
  admin("DEA", "Đề án", "ĐA", 12),
  admin("DA", "Dự án", "DA", 13),
  admin("BC", "Báo cáo", "BC", 14),
  admin("BB", "Biên bản", "BB", 15),
  admin("TTR", "Tờ trình", "TTr", 16),
  admin("HDO", "Hợp đồng", "HĐ", 17),
  admin("CV", "Công văn", "", 18),
  admin("CD", "Công điện", "CĐ", 19),
  admin("BGN", "Bản ghi nhớ", "BGN", 20),
  admin("BTT", "Bản thỏa thuận", "BTT", 22),
  admin("GUQ", "Giấy ủy quyền", "GUQ", 24),
  admin("GM", "Giấy mời", "GM", 25),
  admin("GGT", "Giấy giới thiệu", "GGT", 26),
  admin("GNP", "Giấy nghỉ phép", "GNP", 27),
  admin("PG", "Phiếu gửi", "PG", 28),
  admin("PC", "Phiếu chuyển", "PC", 29),
  admin("PB", "Phiếu báo", "PB", 30),
  admin("THC", "Thư công", "", 31),
  legal("L", "Luật", "L", 2),
  legal("ND", "Nghị định", "NĐ", 7),
  legal("TT", "Thông tư", "TT", 9),
  legal("QDPL", "Quyết định (quy phạm pháp luật)", "QĐ", 8),
  legal("NQPL", "Nghị quyết (quy phạm pháp luật)", "NQ", 5),
];

export function documentType(code: string): DocumentTypeInfo | undefined {
  return DOCUMENT_TYPES.find((t) => t.code === code);
}

/** Urgency (độ khẩn, NĐ 30 box 10b) and its edXML `OtherInfo/Priority` value (spec §6.3). */
export const URGENCIES = ["thuong", "khan", "thuong_khan", "hoa_toc"] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_PRIORITY: Record<Urgency, number> = { thuong: 0, khan: 1, thuong_khan: 2, hoa_toc: 3 };
export const URGENCY_NAMES: Record<Urgency, string> = {
  thuong: "Thường",
  khan: "Khẩn",
  thuong_khan: "Thượng khẩn",
  hoa_toc: "Hỏa tốc",
};
export function urgencyFromPriority(priority: number): Urgency {
  // 4 = "Hỏa tốc hẹn giờ" (TT 01/2011), still sent by some systems: treat as Hỏa tốc.
  if (priority >= 3) return "hoa_toc";
  return URGENCIES[Math.max(0, priority)] ?? "thuong";
}
export function isUrgent(u: Urgency): boolean {
  return u !== "thuong";
}
