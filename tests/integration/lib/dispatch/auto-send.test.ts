import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbOrTx, OpenedDb } from "@/db";
import { documents, dossiers, outboxEmails } from "@/db/schema";
import { autoSend, withAutoSend } from "@/lib/dispatch/auto-send";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent } from "@/lib/jobs/client";
import { getLocalJobDriver, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import {
  collectingEnqueue,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "./setup";

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterEach(async () => {
  await stopLocalJobDriver();
});
afterAll(async () => {
  cleanupFiles?.();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

const FREE_MAIL = { kind: "free_email", addresses: { purchase: "inbox@kantoor.example" } } as const;

async function dossierWith(integration: Parameters<typeof setIntegration>[2] | null, isAutoSendEnabled = true) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  if (integration) await setIntegration(opened.db, dossier, integration);
  if (!isAutoSendEnabled) {
    await opened.db.update(dossiers).set({ isAutoSendEnabled }).where(eq(dossiers.id, dossier.id));
  }
  return dossier;
}

async function run(documentId: string) {
  const queue = collectingEnqueue();
  const result = await autoSend(opened.db, documentId, { enqueue: queue.enqueue });
  return { result, queue };
}

describe("autoSend", () => {
  it("sends a recognised inbox document when auto-send is on and the integration is usable", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const document = await insertSendableDocument(opened.db, dossier);
    const { result, queue } = await run(document.id);
    expect(result).toEqual({ outcome: "sent", dispatchId: expect.any(String) });
    expect(queue.events).toHaveLength(1);
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([
      { trigger: "auto", requestedByUserId: null, status: "queued" },
    ]);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sending", autoSendSkipReason: null });
  });

  it.each([
    ["auto-send is off", FREE_MAIL, false, "auto_send_off"],
    ["the dossier has no integration", null, true, "no_integration"],
    ['the dossier needs "no integration"', { kind: "none" }, true, "integration_none"],
  ] as const)("leaves the document in the inbox and says why when %s", async (_label, integration, isOn, reason) => {
    const dossier = await dossierWith(integration, isOn);
    const document = await insertSendableDocument(opened.db, dossier);
    const { result, queue } = await run(document.id);
    expect(result).toEqual({ outcome: "skipped", reason });
    expect(queue.events).toEqual([]);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "inbox", autoSendSkipReason: reason });
    expect(await dispatchesOf(opened.db, document.id)).toEqual([]);
  });

  it("says the connection needs re-authorisation, or is disabled", async () => {
    for (const [connection, reason] of [
      [world.connections.yuki, "connection_needs_reauth"],
      [world.connections.disabled, "connection_disabled"],
    ] as const) {
      const dossier = await dossierWith({ kind: "connection", connectionId: connection.id });
      const document = await insertSendableDocument(opened.db, dossier);
      expect((await run(document.id)).result).toEqual({ outcome: "skipped", reason });
      expect((await documentOf(opened.db, document.id)).autoSendSkipReason).toBe(reason);
    }
  });

  it("says a document without a type is not recognised", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const document = await insertSendableDocument(opened.db, dossier, { documentType: null });
    expect((await run(document.id)).result).toEqual({ outcome: "skipped", reason: "not_recognised" });
  });

  it("leaves documents that are no longer in the inbox alone, and is safe to run twice", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const sent = await insertSendableDocument(opened.db, dossier, { status: "sent" });
    expect((await run(sent.id)).result).toEqual({ outcome: "not_applicable" });
    expect((await documentOf(opened.db, sent.id)).autoSendSkipReason).toBeNull();

    const document = await insertSendableDocument(opened.db, dossier);
    expect((await run(document.id)).result.outcome).toBe("sent");
    expect((await run(document.id)).result).toEqual({ outcome: "not_applicable" });
    expect(await dispatchesOf(opened.db, document.id)).toHaveLength(1);
  });

  it("runs on the documents/document.recognised event and delivers, end to end on the in-process driver", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const document = await insertSendableDocument(opened.db, dossier);
    const driver = await getLocalJobDriver();
    await sendJobEvent("documents/document.recognised", { documentId: document.id });
    await driver.idle();

    const [dispatch] = await dispatchesOf(opened.db, document.id);
    expect(dispatch).toMatchObject({ trigger: "auto", status: "succeeded" });
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sent", autoSendSkipReason: null });
    const mails = await opened.db
      .select()
      .from(outboxEmails)
      .where(eq(outboxEmails.idempotencyKey, dispatch?.id ?? ""));
    expect(mails).toMatchObject([{ to: ["inbox@kantoor.example"] }]);
  });
});

describe("withAutoSend (a change that makes documents recognised)", () => {
  /** Stores a recognised inbox document in `tx`: what an upload with a type does. */
  const recognise = (dossier: { id: string; portalId: string }) => async (tx: DbOrTx) =>
    (await insertSendableDocument(tx, dossier)).id;

  it("has the delivery queued when it returns, committed with the change: no auto-send job in between", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const driver = await getLocalJobDriver();
    const enqueue = vi.spyOn(driver, "enqueue");

    const { value: documentId, autoSent } = await withAutoSend(opened.db, recognise(dossier), (id) => [id]);
    expect(autoSent.get(documentId)).toEqual({ outcome: "sent", dispatchId: expect.any(String) });
    // Before any job ran: the dispatch exists, and the one job queued is its delivery.
    expect(await dispatchesOf(opened.db, documentId)).toMatchObject([{ trigger: "auto", status: "queued" }]);
    expect(enqueue.mock.calls.map(([name]) => name)).toEqual(["dispatch/dispatch.requested"]);

    await driver.idle();
    expect(await documentOf(opened.db, documentId)).toMatchObject({ status: "sent", autoSendSkipReason: null });
  });

  it("notes why not with the change when it does not send", async () => {
    const dossier = await dossierWith(FREE_MAIL, false);
    const driver = await getLocalJobDriver();
    const enqueue = vi.spyOn(driver, "enqueue");
    const { value: documentId, autoSent } = await withAutoSend(opened.db, recognise(dossier), (id) => [id]);
    expect(autoSent.get(documentId)).toEqual({ outcome: "skipped", reason: "auto_send_off" });
    expect(await documentOf(opened.db, documentId)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "auto_send_off",
    });
    expect(enqueue).not.toHaveBeenCalled();
  });

  it("leaves nothing when the change rolls back: no document, no dispatch, no delivery handed over", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const driver = await getLocalJobDriver();
    const enqueue = vi.spyOn(driver, "enqueue");
    let documentId = "";
    await expect(
      withAutoSend(
        opened.db,
        async (tx) => {
          documentId = await recognise(dossier)(tx);
          return documentId;
        },
        (id) => {
          // Auto-send has not run yet: the change fails after choosing its documents.
          throw new Error(`refused ${id}`);
        },
      ),
    ).rejects.toThrow("refused");
    expect(await opened.db.select().from(documents).where(eq(documents.id, documentId))).toEqual([]);
    expect(await dispatchesOf(opened.db, documentId)).toEqual([]);
    expect(enqueue).not.toHaveBeenCalled();
  });

  it("commits the change and leaves the document to the auto-send job, with its retries, when its own part fails", async () => {
    const dossier = await dossierWith(FREE_MAIL);
    const driver = await getLocalJobDriver();
    const enqueue = vi.spyOn(driver, "enqueue");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    // The database refuses the dispatch of this dossier (a real error, inside auto-send's savepoint).
    await opened.db.execute(
      sql.raw(`create function test_refuse_dispatch() returns trigger language plpgsql as $$
        begin raise exception 'no dispatch for this dossier now'; end $$`),
    );
    await opened.db.execute(
      sql.raw(`create trigger test_refuse_dispatch before insert on dispatches for each row
        when (new.dossier_id = '${dossier.id}') execute function test_refuse_dispatch()`),
    );
    let documentId = "";
    try {
      const result = await withAutoSend(opened.db, recognise(dossier), (id) => [id]);
      documentId = result.value;
      expect(result.autoSent.has(documentId)).toBe(false);
    } finally {
      warn.mockRestore();
      await opened.db.execute(sql.raw("drop trigger test_refuse_dispatch on dispatches"));
      await opened.db.execute(sql.raw("drop function test_refuse_dispatch()"));
    }
    // The change committed; auto-send's part rolled back alone.
    expect(await documentOf(opened.db, documentId)).toMatchObject({ status: "inbox", autoSendSkipReason: null });
    expect(await dispatchesOf(opened.db, documentId)).toEqual([]);
    expect(enqueue.mock.calls).toEqual([["documents/document.recognised", { documentId }]]);

    await driver.idle();
    expect(await dispatchesOf(opened.db, documentId)).toMatchObject([{ trigger: "auto", status: "succeeded" }]);
    expect(await documentOf(opened.db, documentId)).toMatchObject({ status: "sent" });
  });
});
