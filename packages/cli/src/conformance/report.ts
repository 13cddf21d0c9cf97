/**
 * The conformance report in three renderings (Markdown, HTML, JSON). The JSON carries the
 * SHA-256 of the other two and is signed with a detached CMS signature by the runner's
 * certificate, so one signature vouches for all three files:
 *   openssl cms -verify -binary -inform DER -in report.json.p7s -content report.json -CAfile ca.pem
 */
import { X509Certificate } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Signer } from "@truc/common";
import { signDetached } from "../support/cms.ts";
import type { ConformanceReport, Outcome, PackageEvidence, ScenarioResult, ServerAnswer } from "./model.ts";
import { sha256Hex } from "./packages.ts";

const OUTCOME: Record<Outcome, { vi: string; en: string; mark: string }> = {
  pass: { vi: "ĐẠT", en: "PASS", mark: "✅" },
  fail: { vi: "KHÔNG ĐẠT", en: "FAIL", mark: "❌" },
  "not-supported": { vi: "KHÔNG HỖ TRỢ", en: "NOT SUPPORTED", mark: "➖" },
};

function packageLine(p: PackageEvidence): string {
  const who = p.party === "runner" ? "bên gửi / sender" : "bên nhận / recipient";
  const what =
    p.kind === "status"
      ? `status ${p.statusCode}${p.description ? ` “${p.description}”` : ""}`
      : p.kind === "edoc"
        ? `edoc${p.businessType !== undefined ? ` BussinessDocType ${p.businessType}` : ""}`
        : "raw bytes";
  return `${p.at} — ${who} ${p.action}: ${what}${p.label ? ` [${p.label}]` : ""}${p.documentId ? `, DocumentId ${p.documentId}` : ""}${p.docId ? `, DocId ${p.docId}` : ""}, ${p.size} B, sha256 ${p.sha256}`;
}

function answerLine(a: ServerAnswer): string {
  const who = a.party === "runner" ? "bên gửi / sender" : "bên nhận / recipient";
  return a.ok
    ? `${a.at} — ${who} ${a.operation}: OK${a.docId ? `, DocId ${a.docId}` : ""}`
    : `${a.at} — ${who} ${a.operation}: FAIL, ErrorCode ${a.errorCode}${a.httpStatus ? `, HTTP ${a.httpStatus}` : ""}${a.errorDesc ? `, ErrorDesc “${a.errorDesc}”` : ""}`;
}

export function renderMarkdown(report: ConformanceReport): string {
  const s = report.summary;
  const lines = [
    "# Báo cáo kiểm tra tuân thủ liên thông văn bản / Interconnection conformance report",
    "",
    `**${s.line.vi}**  `,
    `**${s.line.en}**`,
    "",
    `| | |`,
    `|---|---|`,
    `| Điểm kết nối / Endpoint | ${report.endpoint} |`,
    `| Bên gửi / Sender | ${report.runner.agency} (system ${report.runner.systemId}) |`,
    `| Bên nhận / Recipient | ${report.peer.agency} (${report.peer.mode === "simulated" ? "cơ quan mô phỏng / simulated agency" : "hệ thống của cơ quan / agency system"}) |`,
    `| Phản hồi trạng thái / Status feedbacks | ${s.statusFeedbacks.count}/6 — ${s.statusFeedbacks.received.join(", ") || "—"}${s.statusFeedbacks.missing.length ? ` (thiếu / missing ${s.statusFeedbacks.missing.join(", ")})` : ""} |`,
    `| Thời gian / Time | ${report.startedAt} → ${report.finishedAt} |`,
    `| Mã lần chạy / Run id | ${report.runId} |`,
    ...(report.signer
      ? [
          `| Người ký báo cáo / Signed by | ${report.signer.subject} (SHA-256 ${report.signer.fingerprint256}) |`,
        ]
      : []),
    "",
    "| Kịch bản / Scenario | Kết quả / Outcome | Ghi chú / Note |",
    "|---|---|---|",
    ...report.scenarios.map(
      (r) =>
        `| ${r.title.vi} / ${r.title.en} | ${OUTCOME[r.outcome].mark} ${OUTCOME[r.outcome].vi} / ${OUTCOME[r.outcome].en} | ${r.reason ? `${r.reason.vi} / ${r.reason.en}`.replace(/\|/g, "\\|") : ""} |`,
    ),
    "",
  ];
  for (const r of report.scenarios) lines.push(...scenarioMarkdown(r));
  return `${lines.join("\n")}\n`;
}

function scenarioMarkdown(r: ScenarioResult): string[] {
  return [
    `## ${OUTCOME[r.outcome].mark} ${r.title.vi} / ${r.title.en} — ${OUTCOME[r.outcome].vi} / ${OUTCOME[r.outcome].en}`,
    "",
    `- Chuẩn yêu cầu: ${r.expectation.vi}`,
    `- The standard expects: ${r.expectation.en}`,
    `- Căn cứ / Reference: ${r.reference}`,
    ...(r.reason ? [`- Kết luận: ${r.reason.vi}`, `- Finding: ${r.reason.en}`] : []),
    `- ${r.startedAt} → ${r.finishedAt} (${r.durationMs} ms)`,
    "",
    "Gói tin trao đổi / Packages exchanged:",
    "",
    ...(r.packages.length ? r.packages.map((p) => `- ${packageLine(p)}`) : ["- —"]),
    "",
    "Trả lời của trục / Server answers:",
    "",
    ...(r.answers.length ? r.answers.map((a) => `- ${answerLine(a)}`) : ["- —"]),
    "",
  ];
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderHtml(report: ConformanceReport): string {
  const s = report.summary;
  const color: Record<Outcome, string> = { pass: "#1b7f3b", fail: "#b3261e", "not-supported": "#6b6b6b" };
  const rows = report.scenarios
    .map(
      (r) =>
        `<tr><td><a href="#${esc(r.id)}">${esc(r.title.vi)}<br><small>${esc(r.title.en)}</small></a></td><td style="color:${color[r.outcome]};font-weight:bold">${OUTCOME[r.outcome].vi}<br><small>${OUTCOME[r.outcome].en}</small></td><td>${r.reason ? `${esc(r.reason.vi)}<br><small>${esc(r.reason.en)}</small>` : ""}</td></tr>`,
    )
    .join("\n");
  const details = report.scenarios
    .map(
      (
        r,
      ) => `<section id="${esc(r.id)}"><h2 style="color:${color[r.outcome]}">${esc(r.title.vi)} / ${esc(r.title.en)} — ${OUTCOME[r.outcome].vi} / ${OUTCOME[r.outcome].en}</h2>
<p><b>Chuẩn yêu cầu:</b> ${esc(r.expectation.vi)}<br><b>The standard expects:</b> ${esc(r.expectation.en)}<br><b>Căn cứ / Reference:</b> ${esc(r.reference)}</p>
${r.reason ? `<p><b>Kết luận:</b> ${esc(r.reason.vi)}<br><b>Finding:</b> ${esc(r.reason.en)}</p>` : ""}
<p><small>${esc(r.startedAt)} → ${esc(r.finishedAt)} (${r.durationMs} ms)</small></p>
<h3>Gói tin trao đổi / Packages exchanged</h3><ul>${r.packages.map((p) => `<li><code>${esc(packageLine(p))}</code></li>`).join("")}</ul>
<h3>Trả lời của trục / Server answers</h3><ul>${r.answers.map((a) => `<li><code>${esc(answerLine(a))}</code></li>`).join("")}</ul></section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo kiểm tra tuân thủ / Conformance report — ${esc(report.endpoint)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}code{font-size:.8em;word-break:break-all}</style></head>
<body><h1>Báo cáo kiểm tra tuân thủ liên thông văn bản<br><small>Interconnection conformance report</small></h1>
<p style="font-size:1.2em"><b>${esc(s.line.vi)}</b><br><b>${esc(s.line.en)}</b></p>
<table><tr><th>Điểm kết nối / Endpoint</th><td>${esc(report.endpoint)}</td></tr>
<tr><th>Bên gửi / Sender</th><td>${esc(report.runner.agency)} (system ${esc(report.runner.systemId)})</td></tr>
<tr><th>Bên nhận / Recipient</th><td>${esc(report.peer.agency)} (${report.peer.mode === "simulated" ? "cơ quan mô phỏng / simulated agency" : "hệ thống của cơ quan / agency system"})</td></tr>
<tr><th>Phản hồi trạng thái / Status feedbacks</th><td>${s.statusFeedbacks.count}/6 — ${esc(s.statusFeedbacks.received.join(", ") || "—")}${s.statusFeedbacks.missing.length ? ` (thiếu / missing ${esc(s.statusFeedbacks.missing.join(", "))})` : ""}</td></tr>
<tr><th>Thời gian / Time</th><td>${esc(report.startedAt)} → ${esc(report.finishedAt)}</td></tr>
<tr><th>Mã lần chạy / Run id</th><td>${esc(report.runId)}</td></tr>
${report.signer ? `<tr><th>Người ký báo cáo / Signed by</th><td>${esc(report.signer.subject)}<br><small>SHA-256 ${esc(report.signer.fingerprint256)}</small></td></tr>` : ""}
</table>
<h2>Kết quả / Results</h2><table><tr><th>Kịch bản / Scenario</th><th>Kết quả / Outcome</th><th>Ghi chú / Note</th></tr>
${rows}</table>
${details}
<p><small>report.json là bản gốc được ký (report.json.p7s, CMS tách rời); tệp này và report.md được ràng buộc bằng SHA-256 ghi trong report.json. / report.json is the signed original (report.json.p7s, detached CMS); this file and report.md are bound by the SHA-256 recorded in report.json.</small></p>
</body></html>
`;
}

export interface WrittenReport {
  json: string;
  markdown: string;
  html: string;
  signature?: string;
}

/** Writes report.md, report.html, report.json (+ report.json.p7s when a signer is given). */
export async function writeReport(
  dir: string,
  report: ConformanceReport,
  signer?: Signer,
): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const withSigner: ConformanceReport = signer
    ? { ...report, signer: describeCertificate(signer.certificate) }
    : report;
  const markdown = renderMarkdown(withSigner);
  const html = renderHtml(withSigner);
  const final: ConformanceReport = {
    ...withSigner,
    renderings: { markdown: sha256Hex(Buffer.from(markdown)), html: sha256Hex(Buffer.from(html)) },
  };
  const json = Buffer.from(`${JSON.stringify(final, null, 2)}\n`, "utf8");
  const files: WrittenReport = {
    json: join(dir, "report.json"),
    markdown: join(dir, "report.md"),
    html: join(dir, "report.html"),
  };
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.html, html);
  writeFileSync(files.json, json);
  if (signer) {
    files.signature = join(dir, "report.json.p7s");
    writeFileSync(files.signature, await signDetached(json, signer));
  }
  return files;
}

function describeCertificate(der: Uint8Array): NonNullable<ConformanceReport["signer"]> {
  const c = new X509Certificate(der);
  return {
    subject: c.subject.split("\n").join(", "),
    issuer: c.issuer.split("\n").join(", "),
    serial: c.serialNumber,
    fingerprint256: c.fingerprint256.replace(/:/g, "").toLowerCase(),
  };
}
