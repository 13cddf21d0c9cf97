/** Page count of a PDF (Phụ lục VI PageAmount / PageTotal); null when the bytes are not a readable PDF. */
import { PDF } from "@libpdf/core";

export async function countPdfPages(bytes: Uint8Array): Promise<number | null> {
  try {
    return (await PDF.load(bytes)).getPageCount();
  } catch {
    return null;
  }
}
