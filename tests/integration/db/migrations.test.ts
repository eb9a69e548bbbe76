import { readFileSync } from "node:fs";
import path from "node:path";
import { is, sql } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, MIGRATIONS_FOLDER, type OpenedDb } from "@/db";
import * as schema from "@/db/schema";
import { createTestDb, queryRows } from "../../helpers/db";
import { insertPortal } from "../../helpers/fixtures";

const TABLES = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));

/** Runs the driver's migrator a second time on the same database. */
async function migrateAgain(opened: OpenedDb): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (opened.driver === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(opened.db as unknown as Parameters<typeof migrate>[0], config);
  } else if (opened.driver === "node-postgres") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    await migrate(opened.db as unknown as Parameters<typeof migrate>[0], config);
  } else {
    const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
    await migrate(opened.db as unknown as Parameters<typeof migrate>[0], config);
  }
}

async function appliedMigrations(db: Db): Promise<number> {
  const rows = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  );
  return Number(rows[0]?.count);
}

async function columnsOf(db: Db): Promise<Map<string, Set<string>>> {
  const rows = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return tables;
}

describe("migrations", () => {
  let opened: OpenedDb;
  beforeAll(async () => {
    opened = await createTestDb({ viaMigrations: true });
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("apply every migration in the journal", async () => {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    };
    expect(journal.entries.length).toBeGreaterThan(0);
    expect(await appliedMigrations(opened.db)).toBe(journal.entries.length);
  });

  it("create every table and column of db/schema (snake_case)", async () => {
    const inDatabase = await columnsOf(opened.db);
    const missing: string[] = [];
    for (const table of TABLES) {
      const config = getTableConfig(table);
      const columns = inDatabase.get(config.name);
      if (!columns) {
        missing.push(config.name);
        continue;
      }
      for (const column of config.columns) {
        const name = column.keyAsName ? toSnakeCase(column.name) : column.name;
        if (!columns.has(name)) missing.push(`${config.name}.${name}`);
      }
    }
    expect(TABLES.length).toBeGreaterThanOrEqual(14);
    expect(missing).toEqual([]);
  });

  it("create no table that db/schema does not know", async () => {
    const known = new Set(TABLES.map((table) => getTableConfig(table).name));
    const extra = [...(await columnsOf(opened.db)).keys()].filter((name) => !known.has(name));
    expect(extra).toEqual([]);
  });

  it("are a no-op when run again, and keep the data", async () => {
    const portal = await insertPortal(opened.db, "Survives re-migration");
    const before = await appliedMigrations(opened.db);
    await migrateAgain(opened);
    expect(await appliedMigrations(opened.db)).toBe(before);
    const rows = await queryRows<{ name: string }>(opened.db, sql`select name from portals where id = ${portal.id}`);
    expect(rows).toEqual([{ name: "Survives re-migration" }]);
  });
});
