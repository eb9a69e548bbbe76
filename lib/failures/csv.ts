/**
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, fields with a comma, a quote or a
 * line break in double quotes and quotes doubled), in UTF-8 with a byte-order mark so Excel reads
 * accents right. Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or
 * a carriage return) get a leading apostrophe and are quoted (OWASP "CSV injection"): file names,
 * dossier names and a package's reasons come from outside.
 */

import { type SQL, sql } from "drizzle-orm";

export const CSV_BOM = "\uFEFF";

export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, escaped. null and undefined are empty fields. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  const isFormulaLike = FORMULA_START.test(text);
  const safe = isFormulaLike ? `'${text}` : text;
  return isFormulaLike || NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF-terminated. */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** What csvCell quotes: a formula's first character, or a quote, comma or line break anywhere. */
const NEEDS_ESCAPING_SQL = sql.raw(`'^[=+\\-@\\t\\r]|[",\\r\\n]'`);

/**
 * csvCell in SQL, over a text expression (a column, not a parameter: it appears several times):
 * the same escaping, so a file formatted by the database is the file csvLine would write. One
 * regular expression (compiled once per statement) decides the common case, a cell written as it
 * is: the delivery log runs this seven times a line. `checked` is an expression that needs the
 * same escaping as `value` and costs less (the raw text `value` only adds dots to).
 */
export function csvCellSql(value: SQL, checked: SQL = value): SQL<string> {
  const quoted = sql`replace(${value}, '"', '""') || '"'`;
  return sql<string>`(case when ${checked} !~ ${NEEDS_ESCAPING_SQL} then ${value}
    when ${checked} ~ '^[=+\\-@\\t\\r]' then '"''' || ${quoted}
    when ${checked} is not null then '"' || ${quoted}
    else '' end)`;
}

/**
 * A byte stream of a CSV file from text that is already CSV: the BOM and the header first, then
 * one chunk per piece of text the source yields, only when the reader asks for more (pull, nothing
 * read ahead), so a large export never sits in memory and a slow client slows the reading down
 * instead of the server buffering for it. Reading stops when the client goes away (cancel ends
 * the source).
 */
export function csvTextStream(header: readonly CsvCell[], texts: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = texts[Symbol.asyncIterator]();
  let hasStarted = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!hasStarted) {
          hasStarted = true;
          controller.enqueue(encoder.encode(`${CSV_BOM}${csvLine(header)}`));
          return;
        }
        // A pull that enqueues nothing is not called again, so an empty piece must not end it.
        while (true) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          if (next.value.length > 0) {
            controller.enqueue(encoder.encode(next.value));
            return;
          }
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A byte stream of a CSV file: the BOM and the header first, then one chunk per batch of records
 * as the source yields them (csvTextStream).
 */
export function csvStream(
  header: readonly CsvCell[],
  batches: AsyncIterable<readonly (readonly CsvCell[])[]>,
): ReadableStream<Uint8Array> {
  async function* texts() {
    for await (const batch of batches) yield batch.map(csvLine).join("");
  }
  return csvTextStream(header, texts());
}
