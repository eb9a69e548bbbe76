import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedDb, openDb } from "@/db";
import { dispatches, portals } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { queryRows, resetPostgresDatabase } from "../../helpers/db";
import {
  dispatchValues,
  expectPgError,
  insertDocument,
  insertDossier,
  insertPortal,
  UNIQUE_VIOLATION,
} from "../../helpers/fixtures";
import { startWsPgProxy } from "../../helpers/ws-pg-proxy";

// Runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then): the Neon
// serverless driver over a local ws→TCP proxy into this machine's PostgreSQL.

const url = process.env.TEST_DATABASE_URL ?? "";
let proxy: Awaited<ReturnType<typeof startWsPgProxy>>;
let opened: OpenedDb;
const savedEnv = { NEON_WS_PROXY: process.env.NEON_WS_PROXY, DATABASE_DRIVER: process.env.DATABASE_DRIVER };

beforeAll(async () => {
  proxy = await startWsPgProxy();
  process.env.NEON_WS_PROXY = `127.0.0.1:${proxy.port}`;
  // A 127.0.0.1 URL is not a Neon host; this makes selectDriver pick the Neon driver anyway.
  process.env.DATABASE_DRIVER = "neon";
  resetEnvCache();
  await resetPostgresDatabase(url);
  opened = await openDb({ url });
});
afterAll(async () => {
  await opened?.close();
  await proxy?.close();
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
});

describe("the Neon serverless driver (through a local WebSocket proxy)", () => {
  it("is the driver openDb picked", () => {
    expect(opened.driver).toBe("neon");
  });

  it("ran the migrations", async () => {
    const migrations = await queryRows<{ count: number }>(
      opened.db,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(Number(migrations[0]?.count)).toBeGreaterThan(0);
    const tables = await queryRows<{ table_name: string }>(
      opened.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_name = 'dispatches'`,
    );
    expect(tables).toEqual([{ table_name: "dispatches" }]);
  });

  it("inserts and reads back", async () => {
    const portal = await insertPortal(opened.db, "Via Neon");
    const [row] = await opened.db.select().from(portals).where(eq(portals.id, portal.id));
    expect(row?.name).toBe("Via Neon");
  });

  it("commits a transaction", async () => {
    const id = await opened.db.transaction(async (tx) => {
      const portal = await insertPortal(tx, "Committed");
      await insertDossier(tx, portal.id);
      return portal.id;
    });
    expect(await opened.db.select().from(portals).where(eq(portals.id, id))).toHaveLength(1);
  });

  it("rolls a transaction back when it throws", async () => {
    let insertedId = "";
    await expect(
      opened.db.transaction(async (tx) => {
        insertedId = (await insertPortal(tx, "Rolled back")).id;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(insertedId).not.toBe("");
    expect(await opened.db.select().from(portals).where(eq(portals.id, insertedId))).toEqual([]);
  });

  it("enforces one active dispatch per document and rolls back the failed transaction", async () => {
    const document = await insertDocument(
      opened.db,
      await insertDossier(opened.db, (await insertPortal(opened.db)).id),
    );
    await opened.db.insert(dispatches).values(dispatchValues(document));
    const error = await expectPgError(
      opened.db.transaction(async (tx) => {
        await tx.update(dispatches).set({ attemptCount: 99 }).where(eq(dispatches.documentId, document.id));
        await tx.insert(dispatches).values(dispatchValues(document));
      }),
    );
    expect(error).toEqual({ code: UNIQUE_VIOLATION, constraint: "dispatches_one_active_per_document_uq" });
    const rows = await opened.db.select().from(dispatches).where(eq(dispatches.documentId, document.id));
    expect(rows.map((row) => row.attemptCount)).toEqual([0]);
  });
});
