import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbOrTx, OpenedDb } from "@/db";
import { dispatches, documents } from "@/db/schema";
import { createTestDb } from "../../helpers/db";
import { dispatchValues, insertDocument, insertDossier, insertPortal, pgErrorOf } from "../../helpers/fixtures";

// Races need real connections: PGlite runs one transaction at a time. These run only with
// TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

let opened: OpenedDb;
beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

/**
 * Runs `work` in `count` transactions that all have begun (and hold a connection) before any of
 * them goes on, so they really overlap.
 */
async function raceTransactions<T>(count: number, work: (tx: DbOrTx) => Promise<T>) {
  let arrived = 0;
  let release: () => void = () => {};
  const allIn = new Promise<void>((resolve) => {
    release = resolve;
  });
  return Promise.allSettled(
    Array.from({ length: count }, () =>
      opened.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        arrived++;
        if (arrived === count) release();
        await allIn;
        return work(tx);
      }),
    ),
  );
}

async function newDocument() {
  const portal = await insertPortal(opened.db);
  return insertDocument(opened.db, await insertDossier(opened.db, portal.id));
}

describe("two senders at once (real PostgreSQL)", () => {
  it("lets exactly one of two concurrent transactions insert the active dispatch", async () => {
    for (let round = 0; round < 5; round++) {
      const document = await newDocument();
      const results = await raceTransactions(2, (tx) => tx.insert(dispatches).values(dispatchValues(document)));
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      const [rejected] = results.filter((result) => result.status === "rejected");
      expect(pgErrorOf(rejected?.reason)).toEqual({
        code: "23505",
        constraint: "dispatches_one_active_per_document_uq",
      });
      const rows = await opened.db.select().from(dispatches).where(eq(dispatches.documentId, document.id));
      expect(rows).toHaveLength(1);
    }
  });

  it("lets exactly one of two conditional updates (where status = 'inbox') move a document to sending", async () => {
    const document = await newDocument();
    const results = await raceTransactions(2, async (tx) =>
      tx
        .update(documents)
        .set({ status: "sending" })
        .where(and(eq(documents.id, document.id), eq(documents.status, "inbox")))
        .returning({ id: documents.id }),
    );
    const moved = results.map((result) => (result.status === "fulfilled" ? result.value.length : -1));
    expect(moved.sort()).toEqual([0, 1]);
  });

  it("ends with one dispatch when several requestSend-like transactions race (claim, then insert)", async () => {
    const document = await newDocument();
    const results = await raceTransactions(4, async (tx) => {
      const claimed = await tx
        .update(documents)
        .set({ status: "sending" })
        .where(and(eq(documents.id, document.id), eq(documents.status, "inbox")))
        .returning({ id: documents.id });
      if (claimed.length === 0) return "refused";
      await tx.insert(dispatches).values(dispatchValues(document));
      return "accepted";
    });
    const outcomes = results.map((result) => (result.status === "fulfilled" ? result.value : "error"));
    expect(outcomes.sort()).toEqual(["accepted", "refused", "refused", "refused"]);
    expect(await opened.db.select().from(dispatches).where(eq(dispatches.documentId, document.id))).toHaveLength(1);
  });
});
