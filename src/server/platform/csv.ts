// Writing CSV, for every CSV the server sends (exports, analytics tables, import reports): one
// writer (Papa Parse's unparse, docs/decisions/017) and one rule against formula injection.
import Papa from 'papaparse';

/** Spreadsheets read UTF-8 (accents) only when the file starts with a byte-order mark. */
export const CSV_BOM = '\ufeff';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet shows as text, never evaluates (`=`, `+`, `-`, `@`, tab, CR first). */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Rows as CSV text, each line ended: a whole page per call is what keeps it fast. */
export function csvLines(rows: string[][]): string {
  return `${Papa.unparse(rows, { newline: '\n' })}\n`;
}
