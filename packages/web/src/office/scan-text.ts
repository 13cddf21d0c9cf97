/**
 * What the digitising form can read from a scan's recognised text. Only the subject (trích yếu)
 * is guessed: OCR misreads digits and slashes too often for the number, notation and date to be
 * trusted without the clerk reading the paper, so those stay for the clerk to type.
 */

/** Lines of the national motto and the document heading, never a subject. */
const HEADING =
  /^(CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐỘC LẬP|Số\s*[:.]|Kính gửi|KÍNH GỬI|[-–_=. ]+$)|ngày\s+\d+\s+tháng\s+\d+\s+năm\s+\d+/i;

const isUpper = (line: string) => line === line.toLocaleUpperCase("vi") && /\p{Lu}/u.test(line);

/** The subject of the document: its "V/v …"/"Về việc …" line, else the first sentence-case line after the heading. */
export function subjectFromText(text: string | null | undefined, max = 500): string {
  if (!text) return "";
  const lines = text
    .normalize("NFC")
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter((l) => l.length > 0);
  const joinWrapped = (i: number) => {
    // A long subject wraps onto a next line that starts in lower case.
    let subject = lines[i]!;
    for (let j = i + 1; j < lines.length && /^\p{Ll}/u.test(lines[j]!) && subject.length < max; j++)
      subject += ` ${lines[j]}`;
    return subject.slice(0, max);
  };
  const vv = lines.findIndex((l) => /^(V\/v|Về việc)\b/i.test(l));
  if (vv >= 0) return joinWrapped(vv);
  // Decisions, plans, reports: the type name in capitals, then the subject in sentence case.
  const afterCaps = lines.findIndex(
    (l, i) => i > 0 && !isUpper(l) && !HEADING.test(l) && l.length >= 12 && isUpper(lines[i - 1]!),
  );
  if (afterCaps >= 0) return joinWrapped(afterCaps);
  const first = lines.findIndex((l) => !HEADING.test(l) && l.length >= 12);
  return first >= 0 ? joinWrapped(first) : "";
}

/** Content type of a scan from its MIME type or, when the browser gives none, its extension. */
export function scanContentType(file: { name: string; type: string }): string | null {
  const byType: Record<string, string> = {
    "application/pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/tiff": "image/tiff",
  };
  if (byType[file.type]) return byType[file.type]!;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  return (
    {
      pdf: "application/pdf",
      png: "image/png",
      jpg: "image/jpeg",
      jpeg: "image/jpeg",
      tif: "image/tiff",
      tiff: "image/tiff",
    }[ext ?? ""] ?? null
  );
}

/** Below this mean word confidence (0–100) the clerk is told to check the text or rescan. */
export const LOW_CONFIDENCE = 60;
