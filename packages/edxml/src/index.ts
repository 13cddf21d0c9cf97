export * from "./dsig/index.ts";
export * from "./errors.ts";
export * from "./xml/scanner.ts";
