/**
 * Registers in the NĐ 30 column layouts (spec §6.5), as rows and as CSV (UTF-8 with BOM so
 * spreadsheet software shows Vietnamese correctly; cells quoted; formula-looking cells prefixed
 * with an apostrophe so a spreadsheet never evaluates them).
 */
import { fromJsonText } from "@truc/store";
import { authorise } from "../domain/access.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { findUnit, findUser } from "../repositories/people.ts";
import type { Tx } from "../repositories/rows.ts";
import { incomingRegister, outgoingRegister } from "../repositories/search.ts";
import type { Actor, OfficeDeps } from "./context.ts";

export const INCOMING_REGISTER_COLUMNS = [
  "Ngày đến",
  "Số đến",
  "Tác giả",
  "Số, ký hiệu",
  "Ngày tháng văn bản",
  "Tên loại và trích yếu",
  "Đơn vị hoặc người nhận",
  "Ngày chuyển",
  "Ký nhận",
  "Ghi chú",
] as const;

export const OUTGOING_REGISTER_COLUMNS = [
  "Số, ký hiệu",
  "Ngày tháng văn bản",
  "Tên loại và trích yếu",
  "Người ký",
  "Nơi nhận",
  "Đơn vị/người nhận bản lưu",
  "Số lượng bản",
  "Ngày chuyển",
  "Ký nhận",
  "Ghi chú",
] as const;

const ddmmyyyy = (d: string | null) => {
  if (!d) return "";
  const [y, m, day] = d.replaceAll("/", "-").slice(0, 10).split("-");
  return `${day}/${m}/${y}`;
};

export async function registerRows(
  deps: OfficeDeps,
  actor: Actor,
  input: { kind: "incoming" | "outgoing"; year: number },
) {
  authorise(actor.roles, "register.read");
  const tx = deps.db.kysely as unknown as Tx;
  if (input.kind === "incoming") {
    const rows = await incomingRegister(tx, actor.agencyId, input.year);
    const out: string[][] = [];
    for (const r of rows) {
      const unit = r.assigned_unit_id ? await findUnit(tx, actor.agencyId, r.assigned_unit_id) : undefined;
      const user = r.assigned_user_id ? await findUser(tx, actor.agencyId, r.assigned_user_id) : undefined;
      const notes = [
        r.state === "revoked" ? "Đã thu hồi" : "",
        r.state === "taken_back" ? "Đã lấy lại" : "",
        r.replaced_by ? "Bị thay thế" : "",
      ]
        .filter(Boolean)
        .join("; ");
      out.push([
        ddmmyyyy(r.received_at ? vietnamDate(new Date(r.received_at)) : null),
        String(r.arrival_number).padStart(2, "0"),
        r.from_name,
        `${r.code_number}/${r.code_notation}`,
        ddmmyyyy(r.promulgation_date),
        `${r.type_name}: ${r.subject}`,
        [unit?.name, user?.full_name].filter(Boolean).join(" – "),
        r.assigned_at ? ddmmyyyy(vietnamDate(new Date(r.assigned_at))) : "",
        "",
        notes,
      ]);
    }
    return { columns: [...INCOMING_REGISTER_COLUMNS], rows: out };
  }
  const rows = await outgoingRegister(tx, actor.agencyId, input.year);
  return {
    columns: [...OUTGOING_REGISTER_COLUMNS],
    rows: rows.map((r) => [
      `${r.code_number}/${r.code_notation}`,
      ddmmyyyy(r.promulgation_date),
      `${r.type_name}: ${r.subject}`,
      [r.signer_competence, r.signer_name].filter(Boolean).join(" "),
      [
        ...(fromJsonText<{ organName: string }[]>(r.recipients) ?? []).map((x) => x.organName),
        ...(fromJsonText<string[]>(r.places) ?? []),
      ].join("; "),
      "Văn thư (bản lưu điện tử)",
      r.copies === null ? "" : String(r.copies),
      r.issued_at ? ddmmyyyy(vietnamDate(new Date(r.issued_at))) : "",
      "",
      r.state === "revoked" ? `Đã thu hồi: ${r.revoke_reason ?? ""}` : "",
    ]),
  };
}

export function toCsv(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return `"${safe.replaceAll('"', '""')}"`;
  };
  return `\uFEFF${[columns, ...rows].map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}
