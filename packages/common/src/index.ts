export * from "./errors.ts";
export * from "./signing.ts";
export * from "./text.ts";
export * from "./time.ts";
