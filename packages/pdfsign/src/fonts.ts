import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Liberation Serif is metric-compatible with Times New Roman, the face NĐ 30/2020 prescribes,
 * and covers Vietnamese. Debian ships it in `fonts-liberation2`; the directory can be
 * overridden with TRUC_FONT_DIR for other systems.
 */
const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";

const cache = new Map<string, Uint8Array>();

export type SerifStyle = "Regular" | "Bold" | "Italic" | "BoldItalic";

export function serifFont(style: SerifStyle = "Regular"): Uint8Array {
  let bytes = cache.get(style);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(FONT_DIR, `LiberationSerif-${style}.ttf`)));
    cache.set(style, bytes);
  }
  return bytes;
}
