import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { dataDir, env } from "@/lib/env";
import { type DriverKind, selectDriver } from "./driver";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A database handle or an open transaction: queries accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export type OpenedDb = { db: Db; driver: DriverKind; close: () => Promise<void> };

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/** Opens a database for the URL (PGlite in the data dir when none) and applies the migrations. */
export async function openDb(options: { url?: string; pgliteDir?: string } = {}): Promise<OpenedDb> {
  const driver = selectDriver(options.url);
  const opts = { schema, casing: "snake_case" as const };
  if (driver === "pglite") {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const dir = options.pgliteDir ?? path.join(dataDir(), "pglite");
    // PGlite creates only the last path segment; "memory://" keeps it in memory (tests).
    if (!dir.startsWith("memory://")) mkdirSync(path.dirname(dir), { recursive: true });
    const client = new PGlite(dir);
    const db = drizzle({ client, ...opts });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db: db as unknown as Db, driver, close: () => client.close() };
  }
  if (driver === "neon") {
    const { Pool, neonConfig } = await import("@neondatabase/serverless");
    const { drizzle } = await import("drizzle-orm/neon-serverless");
    const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
    const { default: ws } = await import("ws");
    // Node 20 has no global WebSocket.
    neonConfig.webSocketConstructor = ws;
    const proxy = env().NEON_WS_PROXY;
    if (proxy) {
      // Local testing against plain Postgres through a ws proxy.
      neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineConnect = false;
      neonConfig.pipelineTLS = false;
    }
    const pool = new Pool({ connectionString: options.url });
    survivesLostIdleClients(pool);
    const db = drizzle({ client: pool, ...opts });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db: db as unknown as Db, driver, close: () => pool.end() };
  }
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const { preparedStatementPoolOptions } = await import("./prepared-statements");
  const pool = new Pool({
    connectionString: options.url,
    max: env().DATABASE_POOL_MAX,
    ...preparedStatementPoolOptions(env().DATABASE_PREPARED_STATEMENTS === "1"),
  });
  survivesLostIdleClients(pool);
  const db = drizzle({ client: pool, ...opts });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { db: db as unknown as Db, driver, close: () => pool.end() };
}

/**
 * A pool emits "error" when one of its idle connections dies (the server restarts, an
 * administrator terminates it, the network drops). Without a listener Node turns that event into
 * an uncaught exception and the whole instance goes down; the pool has already dropped the dead
 * client and opens a new one on the next query, so logging is all there is to do.
 */
type PooledClient = {
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
};

function survivesLostIdleClients(pool: {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "acquire" | "release", listener: (...args: never[]) => void): unknown;
}): void {
  pool.on("error", (error) => {
    console.error(`[db] an idle database connection was lost; the next query opens a new one: ${error.message}`);
  });
  // A connection that dies while checked out between two statements (inside a transaction, when
  // the server shuts down) emits "error" on the client itself, where the pool's idle listener is
  // not: without this one, an uncaught exception (seen in the fault drill). The statement that
  // waits on it fails on its own, and the pool drops the client when it is released.
  const inUseLost = (error: Error) => {
    console.error(`[db] a database connection in use was lost: ${error.message}`);
  };
  pool.on("acquire", (client: PooledClient) => {
    client.on("error", inUseLost);
  });
  pool.on("release", (_error: unknown, client: PooledClient) => {
    client.off("error", inUseLost);
  });
}

declare global {
  var __koppelDb: Promise<OpenedDb> | undefined;
}

/** The process-wide database, opened lazily so `next build` never touches it. */
export async function getDb(): Promise<Db> {
  globalThis.__koppelDb ??= openDb({ url: env().DATABASE_URL }).catch((error: unknown) => {
    globalThis.__koppelDb = undefined;
    throw error;
  });
  return (await globalThis.__koppelDb).db;
}
