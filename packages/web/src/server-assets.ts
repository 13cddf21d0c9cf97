/**
 * Where the built UI lives, for the office and axis servers that serve it as static files.
 * Built by `npm run build -w @truc/web` (the demo command builds it when missing).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const webDistDir = fileURLToPath(new URL("../dist", import.meta.url));

export function isWebBuilt(): boolean {
  return existsSync(`${webDistDir}/index.html`);
}

/** Content types of the files in the built UI, for the servers that serve them. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

export function webContentType(file: string): string {
  const dot = file.lastIndexOf(".");
  return (dot >= 0 && CONTENT_TYPES[file.slice(dot)]) || "application/octet-stream";
}
