import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documents } from "@/db/schema";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { DISPATCH_REQUESTED } from "@/lib/jobs/definitions/deliver";
import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import { sendJobEventsInTransaction } from "@/lib/jobs/in-transaction";
import { PostgresJobDriver } from "@/lib/jobs/postgres/driver";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../integrations/setup";
import { insertSendableDocument, setIntegration, useTempFileStore } from "./setup";

// On the PostgreSQL job driver a send stores its deliveries' runs in its own transaction
// (lib/jobs/in-transaction.ts): a run exists exactly when its dispatch does.
// The driver sends only here (work: false), in a pg-boss schema of its own on the test database,
// which is also the app's (createTestDb opens TEST_DATABASE_URL), as DATABASE_URL makes them in
// production.

const url = process.env.TEST_DATABASE_URL as string;
const schema = `pgboss_tx_${randomBytes(4).toString("hex")}`;
const savedDriver = process.env.JOB_DRIVER;

let opened: OpenedDb;
let world: World;
let driver: PostgresJobDriver;
let cleanupFiles: () => void;

/** A driver that only sends (no work loops), with every real job, in this file's pg-boss schema. */
function sendingDriver(): PostgresJobDriver {
  return new PostgresJobDriver({
    connectionString: url,
    schema,
    definitions: JOB_DEFINITIONS,
    handlers: JOB_HANDLERS,
    work: false,
  });
}

beforeAll(async () => {
  process.env.JOB_DRIVER = "postgres";
  resetEnvCache();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  await setIntegration(opened.db, world.dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
  driver = sendingDriver();
  await driver.start();
  globalThis.__koppelPostgresJobDriver = Promise.resolve(driver);
});

afterAll(async () => {
  globalThis.__koppelPostgresJobDriver = undefined;
  await driver?.stop();
  if (savedDriver === undefined) delete process.env.JOB_DRIVER;
  else process.env.JOB_DRIVER = savedDriver;
  resetEnvCache();
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

async function runsOf(dispatchId: string): Promise<number> {
  const result = (await opened.db.execute(
    sql`select count(*)::int as n from ${sql.raw(schema)}.job where name = 'deliver' and data->>'dispatchId' = ${dispatchId}`,
  )) as { rows: { n: number }[] };
  return Number(result.rows[0]?.n);
}

describe("a send on the PostgreSQL job driver", () => {
  it("stores its deliveries' runs in its own transaction, one per dispatch", async () => {
    const a = await insertSendableDocument(opened.db, world.dossier, { status: "inbox" });
    const b = await insertSendableDocument(opened.db, world.dossier, { status: "inbox" });
    const result = await requestSend(opened.db, world.actors.accountant, {
      dossierId: world.dossier.id,
      documentIds: [a.id, b.id],
      trigger: "bulk",
    });
    expect(result.accepted).toHaveLength(2);
    for (const { dispatchId } of result.accepted) {
      expect(await runsOf(dispatchId)).toBe(1);
      // Written by the same transaction as the dispatch (the same xmin), not after its commit.
      const written = (await opened.db.execute(
        sql`select (select xmin::text from dispatches where id = ${dispatchId}) as dispatch,
              (select xmin::text from ${sql.raw(schema)}.job where data->>'dispatchId' = ${dispatchId}) as run`,
      )) as { rows: { dispatch: string; run: string }[] };
      expect(written.rows[0]?.run).toBe(written.rows[0]?.dispatch);
    }
  });

  it("leaves no run when the transaction rolls back", async () => {
    const dispatchId = crypto.randomUUID();
    await expect(
      opened.db.transaction(async (tx) => {
        await sendJobEventsInTransaction(tx, [
          { name: DISPATCH_REQUESTED, payload: { dispatchId, concurrencyKey: dispatchId } },
        ]);
        // Seen inside the transaction …
        const inside = (await tx.execute(
          sql`select count(*)::int as n from ${sql.raw(schema)}.job where data->>'dispatchId' = ${dispatchId}`,
        )) as { rows: { n: number }[] };
        expect(inside.rows[0]?.n).toBe(1);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    // … and gone with it.
    expect(await runsOf(dispatchId)).toBe(0);
  });

  it("refuses the whole send when its runs cannot be stored: the document stays in the inbox", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { status: "inbox" });
    const stopped = sendingDriver();
    await stopped.stop();
    globalThis.__koppelPostgresJobDriver = Promise.resolve(stopped);
    try {
      await expect(
        requestSend(opened.db, world.actors.accountant, {
          dossierId: world.dossier.id,
          documentIds: [document.id],
          trigger: "manual",
        }),
      ).rejects.toThrow(/stopped/);
    } finally {
      globalThis.__koppelPostgresJobDriver = Promise.resolve(driver);
    }
    const [row] = await opened.db
      .select({ status: documents.status })
      .from(documents)
      .where(eq(documents.id, document.id));
    expect(row?.status).toBe("inbox");
    expect(
      await opened.db.select({ id: dispatches.id }).from(dispatches).where(eq(dispatches.documentId, document.id)),
    ).toEqual([]);
  });
});
