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
