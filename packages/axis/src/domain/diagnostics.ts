/**
 * Plain-word explanations of why a package was refused or flagged, kept with the package (or
 * the refusal) for the admin UI, as X-Road's diagnostics do: which certificate, which date,
 * which clock. Pure: times and certificate facts come in as parameters.
 */

export interface Diagnostic {
  /** Stable code the UI can branch on. */
  code: string;
  vi: string;
  en: string;
  /** Facts behind the words (dates ISO 8601, subjects, codes). */
  facts?: Record<string, unknown>;
}

export interface CertificateFacts {
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

const vnTime = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;

/** Explains a trust verdict (reason codes from @truc/pki) for the certificate that signed a package. */
export function explainTrust(input: {
  reason: string | undefined;
  status: "invalid" | "indeterminate";
  certificate?: CertificateFacts | undefined;
  /** The node's clock when it judged the certificate. */
  now: Date;
  maxSkewMs: number;
  pkiMessage?: { vi?: string | undefined; en?: string | undefined } | undefined;
}): Diagnostic {
  const c = input.certificate;
  const who = c?.subject ?? "?";
  const facts: Record<string, unknown> = {
    reason: input.reason ?? null,
    status: input.status,
    nodeClock: input.now.toISOString(),
    ...(c
      ? { subject: c.subject, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() }
      : {}),
  };
  switch (input.reason) {
    case "PKI_EXPIRED":
      return {
        code: "DIAG_CERT_EXPIRED",
        vi: `Chứng thư số ký gói tin (${who}) đã hết hạn${c ? ` lúc ${vnTime(c.notAfter)}` : ""}; đồng hồ của nút là ${vnTime(input.now)}. Đơn vị gửi cần gia hạn chứng thư số.`,
        en: `The package signing certificate (${who}) expired${c ? ` on ${vnTime(c.notAfter)}` : ""}; this node's clock reads ${vnTime(input.now)}. The sender must renew its certificate.`,
        facts,
      };
    case "PKI_NOT_YET_VALID": {
      const ahead = c ? c.notBefore.getTime() - input.now.getTime() : Number.NaN;
      const skew = Number.isFinite(ahead) && ahead <= input.maxSkewMs;
      return skew
        ? {
            code: "DIAG_CLOCK_SKEW",
            vi: `Chứng thư số (${who}) chỉ có hiệu lực từ ${vnTime(c!.notBefore)}, sớm hơn đồng hồ của nút ${Math.round(ahead / 1000)} giây: đồng hồ của nút hoặc của CA bị lệch.`,
            en: `The certificate (${who}) is valid only from ${vnTime(c!.notBefore)}, ${Math.round(ahead / 1000)} s ahead of this node's clock: the node's or the CA's clock is off (clock skew).`,
            facts: { ...facts, aheadMs: ahead },
          }
        : {
            code: "DIAG_CERT_NOT_YET_VALID",
            vi: `Chứng thư số (${who}) chưa có hiệu lực${c ? ` (từ ${vnTime(c.notBefore)})` : ""}.`,
            en: `The certificate (${who}) is not valid yet${c ? ` (from ${vnTime(c.notBefore)})` : ""}.`,
            facts,
          };
    }
    case "PKI_REVOKED":
      return {
        code: "DIAG_CERT_REVOKED",
        vi: `Chứng thư số ký gói tin (${who}) đã bị thu hồi.`,
        en: `The package signing certificate (${who}) has been revoked.`,
        facts,
      };
    case "PKI_SUSPENDED":
      return {
        code: "DIAG_CERT_SUSPENDED",
        vi: `Chứng thư số ký gói tin (${who}) đang bị tạm dừng.`,
        en: `The package signing certificate (${who}) is on hold (suspended).`,
        facts,
      };
    case "PKI_REVOCATION_UNAVAILABLE":
      return {
        code: "DIAG_OCSP_NOT_FRESH",
        vi: `Không có thông tin thu hồi còn hiệu lực cho chứng thư số (${who}): máy chủ OCSP không trả lời và không có CRL còn hạn. Kiểm tra kết nối tới OCSP/CRL của CA.`,
        en: `No fresh revocation data for the certificate (${who}): the OCSP responder did not answer and no current CRL is available. Check the node's access to the CA's OCSP/CRL.`,
        facts,
      };
    case "PKI_UNTRUSTED_ROOT":
    case "PKI_CHAIN_INCOMPLETE":
    case "PKI_BAD_SIGNATURE":
      return {
        code: "DIAG_CERT_UNTRUSTED",
        vi: `Chứng thư số (${who}) không dẫn tới một CA gốc được tin cậy trên nút này (${input.reason}).`,
        en: `The certificate (${who}) does not chain to a trust anchor configured on this node (${input.reason}).`,
        facts,
      };
    case "PKI_KEY_USAGE":
      return {
        code: "DIAG_CERT_KEY_USAGE",
        vi: `Chứng thư số (${who}) không được phép dùng để ký gói tin (key usage).`,
        en: `The certificate (${who}) is not allowed to sign packages (key usage).`,
        facts,
      };
    default:
      return {
        code: "DIAG_CERT_OTHER",
        vi: input.pkiMessage?.vi ?? `Chứng thư số (${who}) không hợp lệ: ${input.reason ?? input.status}.`,
        en:
          input.pkiMessage?.en ??
          `The certificate (${who}) was not accepted: ${input.reason ?? input.status}.`,
        facts,
      };
  }
}

/** Sender timestamps that lie in the node's future beyond the tolerance: the sender's clock is off. */
export function detectClockSkew(
  senderTimes: readonly Date[],
  now: Date,
  maxSkewMs: number,
): Diagnostic | undefined {
  const worst = senderTimes
    .filter((t) => !Number.isNaN(t.getTime()))
    .reduce((m, t) => Math.max(m, t.getTime() - now.getTime()), Number.NEGATIVE_INFINITY);
  if (!(worst > maxSkewMs)) return undefined;
  return {
    code: "DIAG_CLOCK_SKEW",
    vi: `Thời điểm ghi trong gói tin sớm hơn đồng hồ của nút ${Math.round(worst / 1000)} giây: đồng hồ của hệ thống gửi bị lệch.`,
    en: `A time written in the package is ${Math.round(worst / 1000)} s ahead of this node's clock: the sending system's clock is off (clock skew).`,
    facts: { aheadMs: worst, nodeClock: now.toISOString() },
  };
}

export function explainSenderMismatch(
  sender: string,
  allowed: readonly string[],
  caller: string,
): Diagnostic {
  return {
    code: "DIAG_WRONG_SENDER",
    vi: `Gói tin ghi đơn vị gửi ${sender}, nhưng kết nối ${caller} chỉ được gửi thay cho: ${allowed.join(", ") || "(không có)"}.`,
    en: `The package names ${sender} as sender, but connection ${caller} may only send for: ${allowed.join(", ") || "(none)"}.`,
    facts: { sender, allowed, caller },
  };
}

export function explainDuplicate(packageId: string, firstAt: Date): Diagnostic {
  return {
    code: "DIAG_DUPLICATE",
    vi: `Gói tin này đã được nhận lúc ${vnTime(firstAt)} (mã ${packageId}); không lưu lại lần nữa.`,
    en: `This package was already accepted on ${vnTime(firstAt)} (id ${packageId}); it was not stored again.`,
    facts: { packageId, firstAt: firstAt.toISOString() },
  };
}
