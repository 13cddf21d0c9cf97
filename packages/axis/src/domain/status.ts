/**
 * Business status codes (spec §3.2) and who they concern. A status package always travels
 * to `ResponseFor/OrganId`; what differs is whose timeline it belongs to: for 13 (take-back
 * request) the roles invert, the reporter is the original *sender* and `ResponseFor/OrganId`
 * is the *recipient* (spec §3.1).
 */
export const STATUS_CODES = ["01", "02", "03", "04", "05", "06", "13", "15", "16"] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export const STATUS_MEANING: Readonly<Record<StatusCode, { vi: string; en: string }>> = {
  "01": { vi: "Đã đến", en: "Arrived" },
  "02": { vi: "Từ chối tiếp nhận", en: "Refused" },
  "03": { vi: "Đã tiếp nhận", en: "Registered" },
  "04": { vi: "Phân công", en: "Assigned" },
  "05": { vi: "Đang xử lý", en: "Processing" },
  "06": { vi: "Hoàn thành", en: "Done" },
  "13": { vi: "Yêu cầu lấy lại", en: "Take-back requested" },
  "15": { vi: "Đồng ý", en: "Agreed" },
  "16": { vi: "Từ chối", en: "Refused (take-back/update)" },
};

export function isStatusCode(code: string): code is StatusCode {
  return (STATUS_CODES as readonly string[]).includes(code);
}

export interface StatusRouting {
  /** Where the status package goes. */
  destination: string;
  /** The agency that issued the document the status is about. */
  documentIssuer: string;
  /** The recipient whose (document, recipient) timeline this status belongs to. */
  recipient: string;
}

export function routeStatus(input: {
  statusCode: StatusCode;
  from: string;
  responseForOrganId: string;
}): StatusRouting {
  if (input.statusCode === "13") {
    return {
      destination: input.responseForOrganId,
      documentIssuer: input.from,
      recipient: input.responseForOrganId,
    };
  }
  return {
    destination: input.responseForOrganId,
    documentIssuer: input.responseForOrganId,
    recipient: input.from,
  };
}
