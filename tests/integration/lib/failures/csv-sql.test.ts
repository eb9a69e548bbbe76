import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { csvCell, csvCellSql } from "@/lib/failures/csv";
import { createTestDb } from "../../../helpers/db";

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

// Every case of csvCell's rule, and its neighbours: the delivery log's lines are written by the
// database with csvCellSql, and must be the file csvLine writes.
const VALUES = [
  null,
  "",
  "plain",
  "Café Ølse — 北京",
  "a,b",
  'say "hi"',
  "two\nlines",
  "cr\rinside",
  "crlf\r\nend",
  "=SUM(A1)",
  '=HYPERLINK("http://evil.example","klik"), factuur.pdf',
  "+32 2 123",
  "-5",
  "@user",
  "\tindented",
  "\rstart",
  " =not at start",
  "'already quoted'",
  'ends with quote"',
  "x=1+2",
];

describe("csvCellSql", () => {
  it("escapes every value as csvCell does", async () => {
    const rows = VALUES.map((value) => sql`select ${value}::text as v`);
    const result = await opened.db.execute(
      sql`select ord, ${csvCellSql(sql`v`)} as cell from (${sql.join(
        rows.map((row, index) => sql`select ${index}::int as ord, v from (${row}) as r`),
        sql` union all `,
      )}) as s order by ord`,
    );
    const cells = (result as unknown as { rows: { cell: string }[] }).rows.map((row) => row.cell);
    expect(cells).toEqual(VALUES.map(csvCell));
  });
});
