export * from "./errors.ts";
export * from "./sdkvxp/sign.ts";
