export * from "./errors.ts";
export { type HttpRequestOptions, type HttpResponse, readBody, sendHttpRequest } from "./http.ts";
export * from "./native/client.ts";
export * from "./native/paths.ts";
export * from "./receive-loop.ts";
export * from "./retry.ts";
export * from "./sdkvxp/client.ts";
export * from "./sdkvxp/sign.ts";
