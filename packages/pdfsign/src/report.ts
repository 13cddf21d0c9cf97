import type { Reason, SignatureReport, ValidationReport, Verdict } from "./verify.ts";

export type Lang = "vi" | "en";

const VERDICT: Record<Lang, Record<Verdict, string>> = {
  vi: { valid: "HỢP LỆ", invalid: "KHÔNG HỢP LỆ", indeterminate: "CHƯA XÁC ĐỊNH ĐƯỢC" },
  en: { valid: "VALID", invalid: "INVALID", indeterminate: "INDETERMINATE" },
};

const KIND: Record<Lang, Record<string, string>> = {
  vi: {
    personal: "chữ ký số của người có thẩm quyền",
    organisation: "chữ ký số của cơ quan, tổ chức",
    unknown: "chữ ký số",
  },
  en: {
    personal: "competent person's signature",
    organisation: "organisation's signature",
    unknown: "signature",
  },
};

const TIME_SOURCE: Record<Lang, Record<SignatureReport["timeSource"], string>> = {
  vi: { timestamp: "theo dấu thời gian", claimed: "do người ký tự khai", now: "thời điểm kiểm tra" },
  en: { timestamp: "from the time-stamp", claimed: "claimed by the signer", now: "validation time" },
};

const L = {
  vi: {
    title: "Kết quả kiểm tra chữ ký số",
    file: "Tệp",
    overall: "Kết luận chung",
    signature: "Chữ ký",
    signer: "Người ký",
    issuer: "Tổ chức cấp",
    validity: "Hiệu lực chứng thư",
    level: "Mức PAdES",
    time: "Thời điểm ký",
    tsa: "Dấu thời gian",
    coverage: "Phạm vi ký",
    whole: "toàn bộ tệp",
    partial: "một phiên bản trước; các cập nhật sau",
    none: "(không có)",
    reasons: "Lý do",
    warnings: "Lưu ý",
    revocation: "Dữ liệu thu hồi trong DSS",
    certificate: "Chứng thư số",
    noSignatures: "Tệp không có chữ ký số.",
  },
  en: {
    title: "Digital signature validation report",
    file: "File",
    overall: "Overall verdict",
    signature: "Signature",
    signer: "Signer",
    issuer: "Issuer",
    validity: "Certificate validity",
    level: "PAdES level",
    time: "Signing time",
    tsa: "Time-stamp",
    coverage: "Coverage",
    whole: "the whole file",
    partial: "an earlier revision; later updates",
    none: "(none)",
    reasons: "Reasons",
    warnings: "Notes",
    revocation: "Revocation data in the DSS",
    certificate: "Certificate",
    noSignatures: "The file has no digital signature.",
  },
};

const message = (r: Reason, lang: Lang) => `${r.code}: ${lang === "vi" ? r.vi : r.en}`;

/** The report as readable text, Vietnamese by default (NĐ 30 users), English on request. */
export function formatReport(report: ValidationReport, lang: Lang = "vi"): string {
  const t = L[lang];
  const out: string[] = [];
  out.push(t.title, `${t.file}: ${report.file.size} byte, SHA-256 ${report.file.sha256}`);
  out.push(`${t.overall}: ${VERDICT[lang][report.verdict]}`);
  if (report.signatures.length === 0) out.push(t.noSignatures);
  for (const s of report.signatures) {
    out.push("");
    out.push(
      `${t.signature} ${s.index} — ${s.fieldName} (${KIND[lang][s.kind ?? "unknown"]}): ${VERDICT[lang][s.verdict]}`,
    );
    if (s.signer) {
      out.push(`  ${t.signer}: ${s.signer.commonName ?? s.signer.subject}`);
      out.push(`  ${t.issuer}: ${s.signer.issuer}`);
      out.push(`  ${t.validity}: ${s.signer.notBefore} → ${s.signer.notAfter}`);
    }
    out.push(`  ${t.level}: ${s.level} (${s.subFilter})`);
    out.push(`  ${t.time}: ${s.validationTime} (${TIME_SOURCE[lang][s.timeSource]})`);
    if (s.timestamp)
      out.push(`  ${t.tsa}: ${s.timestamp.time}${s.timestamp.tsa ? ` — ${s.timestamp.tsa}` : ""}`);
    if (s.byteRange)
      out.push(
        `  ${t.coverage}: ${s.coversWholeFile ? t.whole : `${t.partial}: ${s.changesAfter.allowed.length ? s.changesAfter.allowed.join("; ") : t.none}`}`,
      );
    if (s.certificate)
      out.push(
        `  ${t.certificate}: ${s.certificate.status}${s.certificate.reason ? ` (${s.certificate.reason})` : ""}`,
      );
    if (s.revocation?.length)
      out.push(
        `  ${t.revocation}: ${s.revocation.map((r) => `${r.source} ${r.status}${r.at ? ` ${r.at}` : ""}`).join(", ")}`,
      );
    const problems = s.reasons.filter((r) => r.severity !== "warning");
    const notes = s.reasons.filter((r) => r.severity === "warning");
    if (problems.length) out.push(`  ${t.reasons}:`, ...problems.map((r) => `    - ${message(r, lang)}`));
    if (notes.length) out.push(`  ${t.warnings}:`, ...notes.map((r) => `    - ${message(r, lang)}`));
  }
  for (const r of report.reasons) out.push(`- ${message(r, lang)}`);
  return out.join("\n");
}
