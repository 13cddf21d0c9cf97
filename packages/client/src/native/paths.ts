/**
 * Routes of a truc node's native REST API (mutual TLS), in one place so that the client follows
 * the server (packages/axis/src/http/native/routes.ts; the node serves its OpenAPI document at
 * NATIVE_PATHS.openapi).
 */
const segment = (value: string) => encodeURIComponent(value);

export const NATIVE_PATHS = {
  openapi: "/v1/openapi.json",
  /** POST: upload an edXML package (raw body). */
  packages: "/v1/packages",
  /** GET ?type=edoc|status&limit=n: packages waiting for the caller's agencies. */
  inbox: "/v1/inbox",
  /** GET ?type=: number of waiting packages. */
  inboxCount: "/v1/inbox/count",
  /** GET: the package bytes (application/xml, streamed). */
  package: (docId: string) => `/v1/packages/${segment(docId)}`,
  /** POST {status, note?}: transport acknowledgement. */
  ack: (docId: string) => `/v1/packages/${segment(docId)}/ack`,
  /** GET ?type=&docId=: what the caller's agencies sent. */
  sent: "/v1/sent",
  /** GET: business-status timeline of a document (edXML DocumentId). */
  statuses: (documentId: string) => `/v1/documents/${segment(documentId)}/statuses`,
  /** GET ?level=: the agency directory. */
  directory: "/v1/directory",
} as const;

/** Request header declaring the kind of an uploaded package. */
export const NATIVE_MESSAGE_TYPE_HEADER = "x-truc-message-type";
