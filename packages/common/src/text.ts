/**
 * Vietnamese text helpers shared by server, client and tests.
 * `foldVietnamese` matches PostgreSQL's `unaccent` on Vietnamese: it strips tone and vowel
 * marks and maps đ/Đ to d/D explicitly (NFD + stripping combining marks leaves đ alone).
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .normalize("NFC");
}

/** Lower-cased, folded, whitespace-collapsed form used for search keys. */
export function searchKey(text: string): string {
  return foldVietnamese(text).toLowerCase().replace(/\s+/g, " ").trim();
}

/** All text stored or emitted by truc is NFC. */
export function nfc(text: string): string {
  return text.normalize("NFC");
}
