export * from "./dsig/index.ts";
export * from "./errors.ts";
