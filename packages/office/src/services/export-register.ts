/**
 * Registers in the NĐ 30 column layouts (spec §6.5), as rows and as CSV (UTF-8 with BOM so
 * spreadsheet software shows Vietnamese correctly; cells quoted; formula-looking cells prefixed
 * with an apostrophe so a spreadsheet never evaluates them).
 */
import { fromJsonText } from "@truc/store";
import { authorise } from "../domain/access.ts";
import { vietnamDate } from "../domain/deadlines.ts";
import { findOutgoing } from "../repositories/outgoing.ts";
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

/**
 * Sổ theo dõi giải quyết văn bản đến (7 columns, the layout of the Cục Văn thư và Lưu trữ Nhà
 * nước guidance kept by NĐ 30): the registered documents of the year given to someone to handle.
 */
export const FOLLOW_UP_REGISTER_COLUMNS = [
  "Số đến",
  "Trích yếu nội dung",
  "Đơn vị hoặc người nhận",
  "Thời hạn giải quyết",
  "Tiến độ giải quyết",
  "Số, ký hiệu văn bản trả lời",
  "Ghi chú",
] as const;

export type RegisterKind = "incoming" | "outgoing" | "follow-up";

export const REGISTER_TITLES: Record<RegisterKind, string> = {
  incoming: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
  outgoing: "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
  "follow-up": "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
};

/** Column widths (characters) for the printable layouts. */
export const REGISTER_WIDTHS: Record<RegisterKind, readonly number[]> = {
  incoming: [11, 8, 22, 14, 11, 40, 20, 11, 10, 16],
  outgoing: [14, 11, 40, 20, 28, 16, 8, 11, 10, 16],
  "follow-up": [8, 44, 24, 12, 22, 16, 16],
};

const ddmmyyyy = (d: string | null) => {
  if (!d) return "";
  const [y, m, day] = d.replaceAll("/", "-").slice(0, 10).split("-");
  return `${day}/${m}/${y}`;
};

export async function registerRows(
  deps: OfficeDeps,
  actor: Actor,
  input: { kind: RegisterKind; year: number },
) {
  authorise(actor.roles, "register.read");
  const tx = deps.db.kysely as unknown as Tx;
  if (input.kind === "follow-up") return followUpRows(deps, tx, actor, input.year);
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

const PROGRESS: Record<string, string> = {
  registered: "Chưa giao xử lý",
  assigned: "Đã giao xử lý",
  processing: "Đang giải quyết",
  done: "Đã giải quyết",
  revoked: "Đã thu hồi",
  taken_back: "Đã lấy lại",
};

async function followUpRows(deps: OfficeDeps, tx: Tx, actor: Actor, year: number) {
  const today = vietnamDate(deps.clock.now());
  const out: string[][] = [];
  for (const r of await incomingRegister(tx, actor.agencyId, year)) {
    if (!r.assigned_at && !r.deadline) continue;
    const unit = r.assigned_unit_id ? await findUnit(tx, actor.agencyId, r.assigned_unit_id) : undefined;
    const user = r.assigned_user_id ? await findUser(tx, actor.agencyId, r.assigned_user_id) : undefined;
    const reply = r.reply_outgoing_id
      ? await findOutgoing(tx, actor.agencyId, r.reply_outgoing_id)
      : undefined;
    let progress = PROGRESS[r.state] ?? r.state;
    if (r.state === "done" && r.completed_at)
      progress += ` ngày ${ddmmyyyy(vietnamDate(new Date(r.completed_at)))}`;
    else if (r.deadline && r.deadline < today && ["assigned", "processing", "registered"].includes(r.state))
      progress += " (quá hạn)";
    out.push([
      String(r.arrival_number).padStart(2, "0"),
      `${r.type_name} số ${r.code_number}/${r.code_notation} của ${r.from_name}: ${r.subject}`,
      [unit?.name, user?.full_name].filter(Boolean).join(" – "),
      ddmmyyyy(r.deadline),
      progress,
      reply?.code_number ? `${reply.code_number}/${reply.code_notation}` : "",
      r.instructions ?? "",
    ]);
  }
  return { columns: [...FOLLOW_UP_REGISTER_COLUMNS], rows: out };
}
