export * from "./attachments.ts";
export * from "./build.ts";
export * from "./dsig/index.ts";
export * from "./errors.ts";
export * from "./model.ts";
export * from "./parse.ts";
export * from "./xml/scanner.ts";
