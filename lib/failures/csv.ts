/**
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, fields with a comma, a quote or a
 * line break in double quotes and quotes doubled), in UTF-8 with a byte-order mark so Excel reads
 * accents right. Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or
 * a carriage return) get a leading apostrophe and are quoted (OWASP "CSV injection"): file names,
 * dossier names and a package's reasons come from outside.
 */

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

/**
 * A byte stream of a CSV file: the BOM and the header first, then one chunk per batch of records
 * as the source yields them, so a large export never sits in memory as one string. Reading stops
 * when the client goes away (cancel ends the source).
 */
export function csvStream(
  header: readonly CsvCell[],
  batches: AsyncIterable<readonly (readonly CsvCell[])[]>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  let hasStarted = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!hasStarted) {
        hasStarted = true;
        controller.enqueue(encoder.encode(`${CSV_BOM}${csvLine(header)}`));
        return;
      }
      // A pull that enqueues nothing is not called again, so an empty batch must not end it.
      while (true) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        if (next.value.length > 0) {
          controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
          return;
        }
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
