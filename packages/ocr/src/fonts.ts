import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Liberation Serif covers Vietnamese (the same face @truc/pdfsign uses, from Debian's
 * `fonts-liberation2`); TRUC_FONT_DIR overrides the directory on other systems. The text
 * layer is invisible, so the face only matters for glyph coverage and widths.
 */
const FONT_DIR = process.env.TRUC_FONT_DIR ?? "/usr/share/fonts/truetype/liberation2";

let regular: Uint8Array | undefined;

export function textLayerFont(): Uint8Array {
  regular ??= new Uint8Array(readFileSync(join(FONT_DIR, "LiberationSerif-Regular.ttf")));
  return regular;
}
