import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import pg from "pg";
import { inject } from "vitest";
import { type Db, MIGRATIONS_FOLDER, type OpenedDb, openDb } from "@/db";
import * as schema from "@/db/schema";

/**
 * A fresh, migrated database for one test file.
 *
 * - Default: PGlite in memory. Starting PGlite (initdb) costs seconds, so the first call in a run
 *   migrates one instance with `openDb` and dumps it into the run's temp dir (see
 *   tests/helpers/global-setup.ts); every call then loads that dump, which takes about a second.
 * - `TEST_DATABASE_URL` set: that PostgreSQL database, reset to empty (`public` and `drizzle`
 *   schemas dropped and recreated) before `openDb` runs the migrations, so no test depends on
 *   what an earlier file left behind. Files run one at a time (vitest.config.ts).
 */
export async function createTestDb(options: { viaMigrations?: boolean } = {}): Promise<OpenedDb> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    await resetPostgresDatabase(url);
    return openDb({ url });
  }
  // viaMigrations: the migrations test wants openDb's own migrate run, not a copy of its result.
  return options.viaMigrations ? openDb({ pgliteDir: "memory://" }) : openPgliteFromTemplate();
}

/** Drops everything the app created in a PostgreSQL database and leaves an empty `public`. */
export async function resetPostgresDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set client_min_messages = warning");
    await client.query("drop schema if exists drizzle cascade");
    await client.query("drop schema if exists public cascade");
    await client.query("create schema public");
  } finally {
    await client.end();
  }
}

async function openPgliteFromTemplate(): Promise<OpenedDb> {
  const templateDir = inject("pgliteTemplateDir");
  // Outside vitest's global setup (no dir provided): migrate a fresh instance the slow way.
  if (!templateDir) return openDb({ pgliteDir: "memory://" });
  // Named after the migrations, so a watch-mode run picks up a newly generated one.
  const file = path.join(templateDir, `migrated-${migrationsHash()}.tar.gz`);
  if (!existsSync(file)) {
    const template = await openDb({ pgliteDir: "memory://" });
    const client = (template.db as unknown as { $client: import("@electric-sql/pglite").PGlite }).$client;
    const dump = await client.dumpDataDir("gzip");
    mkdirSync(templateDir, { recursive: true });
    // Write then rename, so a parallel worker never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    // The dump was taken before any test touched it, so this instance is as fresh as a copy.
    return template;
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const client = new PGlite({ dataDir: "memory://", loadDataDir: new Blob([readFileSync(file)]) });
  // The same options as openDb, so queries behave exactly as in the app.
  const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}

function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const entry of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    const full = path.join(MIGRATIONS_FOLDER, entry);
    if (statSync(full).isFile()) hash.update(entry).update(readFileSync(full));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Runs raw SQL and returns its rows; `Db` is typed for every driver, so `execute` results are opaque. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Per-run temp dir that holds the migrated PGlite dump; empty when TEST_DATABASE_URL is set. */
    pgliteTemplateDir: string;
  }
}
