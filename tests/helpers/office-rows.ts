import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { queryRows } from "./db";

/**
 * Every row of every table that carries an office's portal id, as text: the cross-office tests
 * compare it before and after a call made from another office. Tables are found at run time, so a
 * new table with a portal_id is covered without a change here.
 */
export async function officeRows(db: Db, portalId: string): Promise<string> {
  const tables = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'portal_id' order by table_name`,
  );
  const dump: Record<string, unknown[]> = {};
  for (const { table_name: table } of tables) {
    dump[table] = await queryRows(
      db,
      sql`select * from ${sql.identifier(table)} where portal_id = ${portalId} order by 1`,
    );
  }
  return JSON.stringify(dump);
}
