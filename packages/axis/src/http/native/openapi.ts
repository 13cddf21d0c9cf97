/** OpenAPI 3.1 description of the native API, served at /v1/openapi.json. */
import { MEDIAN_RESOLUTION } from "../../domain/elapsed-histogram.ts";

const error = { $ref: "#/components/schemas/Error" };
const kind = { name: "type", in: "query", schema: { type: "string", enum: ["edoc", "status"] } };
const docId = { name: "docId", in: "path", required: true, schema: { type: "string" } };
const json = (schema: unknown) => ({ "application/json": { schema } });
const errors = {
  "401": { description: "No or unknown client certificate", content: json(error) },
  "403": { description: "Not allowed (e.g. AXIS_SENDER_MISMATCH)", content: json(error) },
};

export const OPENAPI_DOCUMENT = Object.freeze({
  openapi: "3.1.0",
  info: {
    title: "truc axis node — native API",
    version: "1.0.0",
    description:
      "Mutual TLS: the client certificate is bound to a connected system (agencies) or pinned for a neighbour node (federation). Packages are edXML (QCVN 102:2016).",
  },
  components: {
    schemas: {
      Error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "string", examples: ["AXIS_SENDER_MISMATCH"] },
          message: { type: "object", properties: { vi: { type: "string" }, en: { type: "string" } } },
          details: { type: "object" },
        },
      },
      Accepted: {
        type: "object",
        properties: {
          packageId: { type: "string" },
          duplicate: { type: "boolean" },
          recipients: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
  paths: {
    "/v1/packages": {
      post: {
        summary: "Send an edXML package (document or status)",
        parameters: [
          { name: "x-truc-message-type", in: "header", schema: { type: "string", enum: ["edoc", "status"] } },
        ],
        requestBody: {
          required: true,
          content: { "application/xml": { schema: { type: "string", format: "binary" } } },
        },
        responses: {
          "201": { description: "Stored durably", content: json({ $ref: "#/components/schemas/Accepted" }) },
          "200": {
            description: "Duplicate of an earlier package: its id is returned, nothing new stored",
            content: json({ $ref: "#/components/schemas/Accepted" }),
          },
          "400": {
            description: "Invalid package (EDXML_* / AXIS_PACKAGE_INVALID / AXIS_SIGNATURE_*)",
            content: json(error),
          },
          "413": { description: "AXIS_PACKAGE_TOO_LARGE", content: json(error) },
          "422": { description: "AXIS_RECIPIENT_UNKNOWN / AXIS_RECIPIENT_SUSPENDED", content: json(error) },
          ...errors,
        },
      },
    },
    "/v1/inbox": {
      get: {
        summary: "Pending packages for the caller's agencies",
        parameters: [kind],
        responses: { "200": { description: "items" }, ...errors },
      },
    },
    "/v1/inbox/count": {
      get: {
        summary: "Number of pending packages",
        parameters: [kind],
        responses: { "200": { description: "count" }, ...errors },
      },
    },
    "/v1/packages/{docId}": {
      get: {
        summary: "Download a package (streamed); leases it until acknowledged",
        parameters: [docId],
        responses: {
          "200": { description: "edXML", content: { "application/xml": {} } },
          "404": { description: "AXIS_PACKAGE_NOT_FOUND", content: json(error) },
          ...errors,
        },
      },
    },
    "/v1/packages/{docId}/ack": {
      post: {
        summary: "Transport acknowledgement (done | fail | processing)",
        parameters: [docId],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["status"],
            properties: { status: { enum: ["done", "fail", "processing"] }, note: { type: "string" } },
          }),
        },
        responses: {
          "200": { description: "changed" },
          "404": { description: "AXIS_PACKAGE_NOT_FOUND", content: json(error) },
          ...errors,
        },
      },
    },
    "/v1/sent": {
      get: {
        summary: "Packages the caller sent, per recipient",
        parameters: [kind],
        responses: { "200": { description: "items" }, ...errors },
      },
    },
    "/v1/documents/{documentId}/statuses": {
      get: {
        summary: "Business status timeline of a document",
        responses: { "200": { description: "items" }, ...errors },
      },
    },
    "/v1/directory": {
      get: { summary: "Agency directory", responses: { "200": { description: "items" }, ...errors } },
    },
    "/v1/stats/traffic": {
      get: {
        summary:
          "Sent/received counts and signed share by agency, level or parent over [from, to] (YYYY-MM-DD)",
        responses: { "200": { description: "rows" } },
      },
    },
    "/v1/stats/status-compliance": {
      get: {
        summary: `Statuses returned per recipient and median time to each. ${MEDIAN_RESOLUTION.note.en}`,
        responses: { "200": { description: "items, medianResolution" } },
      },
    },
    "/v1/stats/backlog": {
      get: { summary: "Pending mailbox rows per agency", responses: { "200": { description: "items" } } },
    },
    "/v1/federation/packages": {
      post: {
        summary: "Node to node: forward a package (idempotent by x-truc-package-id)",
        responses: { "201": { description: "stored" }, "200": { description: "already had it" } },
      },
    },
    "/v1/federation/directory": {
      get: {
        summary: "Node to node: directory rows changed since a version",
        responses: { "200": { description: "rows, cursor, more" } },
      },
    },
    "/v1/federation/evidence-seal": {
      post: {
        summary:
          "Child to parent: publish the child's latest evidence seal, kept as its external anchor (never moves back)",
        responses: {
          "201": { description: "held, stored" },
          "200": { description: "already held" },
          "409": { description: "AXIS_EVIDENCE_SEAL_REFUSED: older, conflicting or not signed by the child" },
        },
      },
      get: {
        summary: "Child to parent: the latest evidence seal of the calling child held by the parent",
        responses: { "200": { description: "anchor (or null), receivedAt" } },
      },
    },
  },
});
