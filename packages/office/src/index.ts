export * from "./domain/access.ts";
export * from "./domain/deadlines.ts";
export * from "./domain/document-types.ts";
export * from "./domain/incoming.ts";
export * from "./domain/numbering.ts";
export * from "./domain/outgoing.ts";
export * from "./errors.ts";
