import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { rateLimitCounters } from "@/db/schema";
import { databaseCallLimitStore } from "@/lib/connections/call-limits";
import { createTestDb } from "../../../helpers/db";

// The database's CallLimitStore (lib/connections/call-limits.ts), on PGlite and, with
// TEST_DATABASE_URL, on PostgreSQL. Two processes on one PostgreSQL:
// tests/integration/lib/connectors/exact-online/two-instances.pg.test.ts.

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

describe("the database's call-limit store", () => {
  it("loses no change when many overlap: each decides again on what the others stored", async () => {
    const store = databaseCallLimitStore(opened.db);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        store.change("overlap", (state) => {
          const count = ((state as { count?: number } | null)?.count ?? 0) + 1;
          return { next: { count }, result: count };
        }),
      ),
    );
    const final = await store.change("overlap", (state) => ({ result: state }));
    expect(final).toEqual({ count: 40 });
  });

  it("stores nothing when the decision says so, and answers null for a key never seen", async () => {
    const store = databaseCallLimitStore(opened.db);
    expect(await store.change("never-seen", (state) => ({ result: state }))).toBeNull();
    expect(await store.change("never-seen", (state) => ({ result: state }))).toBeNull();
  });

  it("counts events over a window and forgets the expired ones", async () => {
    const store = databaseCallLimitStore(opened.db);
    const now = Date.now();
    const hour = 60 * 60_000;
    await store.recordEvent("errors|documents/Documents", now - 2 * hour, hour);
    await store.recordEvent("errors|documents/Documents", now - 1_000, hour);
    await store.recordEvent("errors|documents/Documents", now, hour);
    await store.recordEvent("errors|documents/Documents", now, hour);
    await store.recordEvent("errors|documents/DocumentAttachments", now, hour);
    expect(await store.eventsSince("errors|documents/Documents", now - hour)).toEqual([now - 1_000, now, now]);
    const rows = await opened.db.select({ bucket: rateLimitCounters.bucket }).from(rateLimitCounters);
    // The one two hours old was deleted when a later one was recorded.
    expect(rows.filter((row) => row.bucket === "call-events:errors|documents/Documents")).toHaveLength(2);
  });
});
