/**
 * Business status codes (spec §3.2) and who they concern. A status package always travels
 * to `ResponseFor/OrganId`; what differs is whose timeline it belongs to: for 13 (take-back
 * request) the roles invert, the reporter is the original *sender* and `ResponseFor/OrganId`
 * is the *recipient* (spec §3.1).
 */
import { isStatusCode, STATUS_CODE_ORDER, type StatusCode } from "@truc/edxml";

export { isStatusCode, type StatusCode };
/** Status codes in the standard's order (01–06, 13, 15, 16); labels live in @truc/edxml. */
export const STATUS_CODES = STATUS_CODE_ORDER;

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
