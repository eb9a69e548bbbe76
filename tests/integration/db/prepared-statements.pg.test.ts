import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedDb, openDb } from "@/db";
import { preparedStatementClient } from "@/db/prepared-statements";
import { resetPostgresDatabase } from "../../helpers/db";

// Runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then). pg_prepared_statements
// lists the prepared statements of the session that reads it: the pools here have one connection.

const url = process.env.TEST_DATABASE_URL ?? "";

type Prepared = { name: string; statement: string };

async function preparedOf(pool: pg.Pool): Promise<Prepared[]> {
  const { rows } = await pool.query<Prepared>(
    "select name, statement from pg_prepared_statements where name like 'koppel\\_%' order by statement",
  );
  return rows;
}

describe("statements with parameters as prepared statements of their connection", () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await resetPostgresDatabase(url);
    pool = new pg.Pool({ connectionString: url, max: 1, Client: preparedStatementClient(3) });
  });
  afterAll(async () => {
    await pool?.end();
  });

  it("prepares a statement once per connection and runs it again by name, with the new parameters", async () => {
    const db = drizzle({ client: pool });
    const first = await db.execute(sql`select ${1}::int + 1 as "n"`);
    const second = await db.execute(sql`select ${41}::int + 1 as "n"`);
    expect(first.rows).toEqual([{ n: 2 }]);
    expect(second.rows).toEqual([{ n: 42 }]);
    const prepared = await preparedOf(pool);
    expect(prepared).toHaveLength(1);
    expect(prepared[0]?.statement).toBe('select $1::int + 1 as "n"');
  });

  it("leaves statements without parameters unnamed", async () => {
    await pool.query("select 7 as seven");
    expect((await preparedOf(pool)).map((row) => row.statement)).not.toContain("select 7 as seven");
  });

  it("prepares at most its limit of different texts; the others still run, unnamed", async () => {
    for (const extra of [2, 3, 4, 5]) {
      const { rows } = await pool.query(`select $1::int * ${extra} as "n"`, [10]);
      expect(rows).toEqual([{ n: 10 * extra }]);
    }
    const prepared = (await preparedOf(pool)).map((row) => row.statement);
    expect(prepared).toHaveLength(3);
    expect(prepared).not.toContain('select $1::int * 4 as "n"');
    expect(prepared).not.toContain('select $1::int * 5 as "n"');
    // A text it prepared before the limit is still run by its name.
    const { rows } = await pool.query('select $1::int + 1 as "n"', [99]);
    expect(rows).toEqual([{ n: 100 }]);
  });
});

describe("the app's database (openDb on node-postgres)", () => {
  let opened: OpenedDb;
  beforeAll(async () => {
    opened = await openDb({ url });
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("prepares its statements with parameters (DATABASE_PREPARED_STATEMENTS defaults to 1)", async () => {
    const statements = await opened.db.transaction(async (tx) => {
      await tx.execute(sql`select ${"koppel"}::text as "word"`);
      const result = await tx.execute(sql`select statement from pg_prepared_statements where name like 'koppel\\_%'`);
      return (result as unknown as { rows: { statement: string }[] }).rows.map((row) => row.statement);
    });
    expect(statements).toContain('select $1::text as "word"');
  });
});
