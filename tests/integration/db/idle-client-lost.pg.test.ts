import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type OpenedDb, openDb } from "@/db";
import { queryRows, resetPostgresDatabase } from "../../helpers/db";

// Runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then). An idle pooled
// connection that the server terminates (a restart, an administrator, a network drop) makes the
// pool emit "error"; without a listener that is an uncaught exception that takes the instance
// down (seen in a PostgreSQL-restart drill: "terminating connection due to administrator command").

const url = process.env.TEST_DATABASE_URL ?? "";
let opened: OpenedDb;

beforeAll(async () => {
  await resetPostgresDatabase(url);
  opened = await openDb({ url });
});
afterAll(async () => {
  await opened?.close();
});

async function terminateOtherBackends(): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const result = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe("the node-postgres pool when the server terminates its idle connections", () => {
  it("logs the loss, keeps the process up and answers the next query on a new connection", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      // Several connections at once, so the pool holds idle clients afterwards.
      await Promise.all(Array.from({ length: 4 }, () => queryRows(opened.db, sql`select pg_sleep(0.05)`)));
      const terminated = await terminateOtherBackends();
      expect(terminated).toBeGreaterThan(0);
      // Every terminated idle client is reported once, and dropped from the pool.
      const lossReports = () =>
        logged.mock.calls.filter(([message]) => String(message).includes("[db] an idle database connection was lost"));
      await vi.waitFor(() => expect(lossReports()).toHaveLength(terminated), { timeout: 5000 });

      const [row] = await queryRows<{ answer: number }>(opened.db, sql`select 42 as answer`);
      expect(row?.answer).toBe(42);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      logged.mockRestore();
    }
  });

  it("survives a connection terminated while checked out between two statements of a transaction", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      await expect(
        opened.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          expect(await terminateOtherBackends()).toBeGreaterThan(0);
          // The server's goodbye arrives while the client sits checked out with no statement.
          await new Promise((resolve) => setTimeout(resolve, 300));
          await tx.execute(sql`select 2`);
        }),
      ).rejects.toThrow();
      await vi.waitFor(
        () =>
          expect(
            logged.mock.calls.some(([message]) =>
              String(message).includes("[db] a database connection in use was lost"),
            ),
          ).toBe(true),
        { timeout: 5000 },
      );
      const [row] = await queryRows<{ answer: number }>(opened.db, sql`select 42 as answer`);
      expect(row?.answer).toBe(42);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      logged.mockRestore();
    }
  });
});
