export * from "./append-log.ts";
export * from "./blobs.ts";
export * from "./columns.ts";
export * from "./database.ts";
export * from "./errors.ts";
export * from "./migrate.ts";
export * from "./queue.ts";
export * from "./search.ts";
