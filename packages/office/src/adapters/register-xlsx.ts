/**
 * Registers as XLSX (write-excel-file): A4 landscape, a title block (agency, register name,
 * year), the NĐ 30 column headings on row 4 (bold, wrapped, frozen) and one row per entry.
 * Every value is written as text, so a cell such as "=1+1" is never evaluated as a formula.
 */
import writeExcelFile from "write-excel-file/node";

/** Row (1-based) of the column headings; data starts on the next row. */
export const XLSX_HEADER_ROW = 4;

export async function registerXlsx(input: {
  agencyName: string;
  title: string;
  year: number;
  columns: readonly string[];
  widths: readonly number[];
  rows: readonly (readonly string[])[];
}): Promise<Buffer> {
  const n = input.columns.length;
  const pad = (cell: object) => [cell, ...Array.from({ length: n - 1 }, () => null)];
  const data = [
    pad({ value: input.agencyName.toUpperCase(), fontWeight: "bold", span: n }),
    pad({
      value: `${input.title} — NĂM ${input.year}`,
      fontWeight: "bold",
      fontSize: 14,
      align: "center",
      span: n,
    }),
    pad({ value: "" }),
    input.columns.map((value) => ({
      value,
      type: String,
      fontWeight: "bold",
      align: "center",
      alignVertical: "center",
      wrap: true,
      borderStyle: "thin",
    })),
    ...input.rows.map((row) =>
      row.map((value) => ({ value, type: String, wrap: true, alignVertical: "top", borderStyle: "thin" })),
    ),
  ];
  // The library's cell types are stricter than this table-shaped data; its runtime accepts it.
  const sheet = data as unknown as Parameters<typeof writeExcelFile>[0];
  return Buffer.from(
    await writeExcelFile(
      sheet as never,
      {
        sheet: input.title.slice(0, 31),
        orientation: "landscape",
        columns: input.widths.map((width) => ({ width })),
        stickyRowsCount: XLSX_HEADER_ROW,
      } as never,
    ).toBuffer(),
  );
}
