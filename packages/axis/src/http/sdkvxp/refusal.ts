/**
 * Plain words for the operator about a request refused before the pipeline: what was wrong,
 * and what to change. Built only from the refusal's code and details and from names the
 * request claimed; never from secrets, signatures or bodies.
 */
import { formatUtcOffset } from "./auth.ts";

export interface RefusalText {
  vi: string;
  en: string;
}

const minutes = (ms: number) => Math.round(Math.abs(ms) / 60_000);

function describeAge(ageMs: number): RefusalText {
  const n = minutes(ageMs);
  const h = Math.round((Math.abs(ageMs) / 3_600_000) * 10) / 10;
  const amountVi = n >= 120 ? `${h} giờ` : `${n} phút`;
  const amountEn = n >= 120 ? `${h} hours` : `${n} minutes`;
  return ageMs >= 0
    ? { vi: `cũ hơn giờ của nút ${amountVi}`, en: `${amountEn} behind the node's clock` }
    : { vi: `đi trước giờ của nút ${amountVi}`, en: `${amountEn} ahead of the node's clock` };
}

export function describeSdkvxpRefusal(
  code: string,
  details: Record<string, unknown>,
  claimed: { systemId: string | null; from: string | null },
  settings: { maxSkewMs: number; offsetMinutes: number; agencyCodes?: readonly string[] },
): RefusalText | undefined {
  const system = claimed.systemId ?? "?";
  switch (code) {
    case "AXIS_AUTH_UNKNOWN_SYSTEM":
      return {
        vi: `Mã hệ thống “${system}” chưa được kết nối với nút này. Kiểm tra systemid trong cấu hình SDK của bên gọi, hoặc kết nối hệ thống trong mục Hệ thống.`,
        en: `System id “${system}” is not connected to this node. Check the systemid in the caller's SDK configuration, or connect the system under Systems.`,
      };
    case "AXIS_AUTH_BAD_SIGNATURE":
      return {
        vi: `Chữ ký HMAC của hệ thống “${system}” không khớp: bên gọi đang dùng khoá bí mật khác với khoá đã cấp (hoặc tiêu đề bị sửa trên đường truyền). Cấp lại khoá nếu cần.`,
        en: `The HMAC of system “${system}” does not verify: the caller uses a secret other than the one issued (or the headers were changed in transit). Issue a new secret if needed.`,
      };
    case "AXIS_AUTH_STALE_TIMESTAMP": {
      const ageMs = typeof details.ageMs === "number" ? details.ageMs : undefined;
      if (ageMs === undefined)
        return {
          vi: `Dấu thời gian của hệ thống “${system}” không đúng định dạng ddMMyyyy'T'HHmmss+SSSS.`,
          en: `The timestamp of system “${system}” is not in the ddMMyyyy'T'HHmmss+SSSS form.`,
        };
      const age = describeAge(ageMs);
      const zone = formatUtcOffset(settings.offsetMinutes);
      const hints: RefusalText[] = [];
      const offByHours = Math.abs(ageMs) / 3_600_000;
      if (
        Math.abs(offByHours - Math.round(offByHours)) * 60 <= settings.maxSkewMs / 60_000 &&
        offByHours >= 1
      )
        hints.push({
          vi: `Lệch gần đúng một số giờ: máy của bên gọi có thể chạy theo múi giờ khác ${zone} (ví dụ UTC) — đặt múi giờ dấu thời gian của hệ thống cho đúng.`,
          en: `Off by about a whole number of hours: the caller's machine may run in a zone other than ${zone} (UTC, say) — set the system's timestamp zone accordingly.`,
        });
      if (ageMs > 0 && details.compatibility !== "legacy-sdk")
        hints.push({
          vi: "Bộ SDK VPCP 2.0.1 dùng lại một dấu thời gian cho mọi lệnh gọi của cùng đối tượng dịch vụ: nếu hệ thống này chạy SDK gốc, đặt chế độ tương thích “legacy-sdk”.",
          en: "The VPCP SDK 2.0.1 reuses one timestamp for every call of a service object: if this system runs the unmodified SDK, set its compatibility to “legacy-sdk”.",
        });
      if (ageMs > 0 && details.compatibility === "legacy-sdk")
        hints.push({
          vi: "Hệ thống đang ở chế độ “legacy-sdk”, nhưng lệnh gọi này làm thay đổi dữ liệu (đăng ký/xóa đơn vị) hoặc dấu thời gian đã quá khoảng cho phép: bên gọi cần tạo đối tượng dịch vụ mới.",
          en: "The system is in “legacy-sdk” mode, but this call changes state (register/delete a unit) or the timestamp is past the allowed age: the caller needs a fresh service object.",
        });
      return {
        vi: `Dấu thời gian của hệ thống “${system}” ${age.vi} (cho phép ${minutes(settings.maxSkewMs)} phút).${hints.map((h) => ` ${h.vi}`).join("")}`,
        en: `The timestamp of system “${system}” is ${age.en} (allowed: ${minutes(settings.maxSkewMs)} minutes).${hints.map((h) => ` ${h.en}`).join("")}`,
      };
    }
    case "AXIS_AUTH_REPLAY":
      return {
        vi: `Hệ thống “${system}” gửi lại đúng một yêu cầu đã nhận (cùng chữ ký). Có thể là tấn công phát lại, hoặc SDK gốc gửi lại/dùng lại dấu thời gian — khi đó đặt chế độ “legacy-sdk”.`,
        en: `System “${system}” sent a request identical to one already received (same signature). Either a replay, or the unmodified SDK resending/reusing its timestamp — then set “legacy-sdk”.`,
      };
    case "AXIS_SENDER_MISMATCH": {
      const bound = settings.agencyCodes?.length ? settings.agencyCodes.join(", ") : "—";
      return {
        vi: `Hệ thống “${system}” gửi với from=${claimed.from ?? "(trống)"}, nhưng chỉ được gửi thay cho: ${bound}.`,
        en: `System “${system}” sent with from=${claimed.from ?? "(none)"}, but may only send for: ${bound}.`,
      };
    }
    case "AXIS_HASH_FILE_MISMATCH":
      return {
        vi: "Giá trị hash-file đã ký không khớp với nội dung gửi kèm: tệp đã bị thay đổi sau khi ký tiêu đề, hoặc thiếu hash-file.",
        en: "The signed hash-file does not match the body sent: the file was changed after the headers were signed, or hash-file is missing.",
      };
    default:
      return undefined;
  }
}

export function describeCertificateRefusal(
  code: string,
  fingerprint: string | null,
): RefusalText | undefined {
  if (code === "AXIS_AUTH_CERT_MISSING")
    return {
      vi: "Bên gọi không xuất trình chứng thư số máy khách (TLS hai chiều).",
      en: "The caller presented no client certificate (mutual TLS).",
    };
  if (code === "AXIS_AUTH_CERT_UNKNOWN" || code === "AXIS_PEER_UNKNOWN")
    return {
      vi: `Chứng thư số máy khách (vân tay SHA-256 ${fingerprint?.slice(0, 16) ?? "?"}…) chưa gắn với hệ thống hay nút kề nào của nút này.`,
      en: `The client certificate (SHA-256 fingerprint ${fingerprint?.slice(0, 16) ?? "?"}…) is not bound to any system or neighbour node of this node.`,
    };
  return undefined;
}
