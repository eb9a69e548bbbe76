import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documentEvents, dossiers } from "@/db/schema";
import { actorUserId } from "@/lib/auth/actor";
import { autoSend } from "@/lib/dispatch/auto-send";
import { sendAllInTab } from "@/lib/dispatch/send-all";
import { countWaitingDocuments } from "@/lib/dispatch/waiting";
import { resetEnvCache } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import { collectingEnqueue, dispatchesOf, documentOf, insertSendableDocument, useTempFileStore } from "./setup";

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  delete process.env.INNGEST_EVENT_KEY;
  delete process.env.INNGEST_DEV;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

const FREE_MAIL = { kind: "free_email", addresses: { purchase: "inbox@kantoor.example" } } as const;

/**
 * A dossier without an integration whose inbox holds what a real one would: recognised documents
 * auto-send left ("no integration yet"), an unrecognised one, one held as a possible duplicate,
 * one already sent, and (when auto-send was off at the time) one left for that reason.
 */
async function dossierWaitingForAnIntegration(isAutoSendEnabled: boolean) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  const skipped = [
    await insertSendableDocument(opened.db, dossier, { documentType: "purchase_invoice" }),
    await insertSendableDocument(opened.db, dossier, { documentType: "purchase_credit_note" }),
  ];
  const unrecognised = await insertSendableDocument(opened.db, dossier, { documentType: null });
  const held = await insertSendableDocument(opened.db, dossier, { possibleDuplicateOf: skipped[0]?.id });
  const sent = await insertSendableDocument(opened.db, dossier, { status: "sent" });
  for (const document of [...skipped, unrecognised, held]) await autoSend(opened.db, document.id);
  let leftWhileOff = null;
  if (!isAutoSendEnabled) {
    await opened.db.update(dossiers).set({ isAutoSendEnabled: false }).where(eq(dossiers.id, dossier.id));
    leftWhileOff = await insertSendableDocument(opened.db, dossier);
    await autoSend(opened.db, leftWhileOff.id);
  }
  for (const document of skipped) {
    expect((await documentOf(opened.db, document.id)).autoSendSkipReason).toBe("no_integration");
  }
  return { dossier, skipped, unrecognised, held, sent, leftWhileOff };
}

async function save(dossierId: string, choice: unknown, actor = world.actors.accountant) {
  const queue = collectingEnqueue();
  const saved = await saveDossierIntegration(opened.db, actor, dossierId, choice, { enqueue: queue.enqueue });
  return { saved, queue };
}

describe("saving an integration, for the documents that waited for one", () => {
  it("with auto-send on: sends at once what auto-send left for want of an integration, says how many, and its notes go", async () => {
    const { dossier, skipped, unrecognised, held, sent } = await dossierWaitingForAnIntegration(true);
    const { saved, queue } = await save(dossier.id, FREE_MAIL);

    expect(saved.documents).toEqual({ autoSent: 2, waiting: 0 });
    expect(queue.events).toHaveLength(2);
    for (const document of skipped) {
      expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sending", autoSendSkipReason: null });
      // Auto-send's own send: the system's, trigger "auto", through requestSend (one dispatch).
      expect(await dispatchesOf(opened.db, document.id)).toMatchObject([
        { trigger: "auto", requestedByUserId: null, status: "queued" },
      ]);
    }
    // What does not wait for an integration is left as it was, with its own note.
    expect(await documentOf(opened.db, unrecognised.id)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "not_recognised",
    });
    expect(await documentOf(opened.db, held.id)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "possible_duplicate",
    });
    expect((await documentOf(opened.db, sent.id)).status).toBe("sent");

    // Saving again sends nothing twice.
    const again = await save(dossier.id, FREE_MAIL);
    expect(again.saved.documents).toEqual({ autoSent: 0, waiting: 0 });
    expect(again.queue.events).toEqual([]);
  });

  it("with auto-send off: sends nothing, clears the stale notes and counts what waits; the offer sends them all once", async () => {
    const { dossier, skipped, leftWhileOff } = await dossierWaitingForAnIntegration(false);
    const { saved, queue } = await save(dossier.id, FREE_MAIL);
    expect(queue.events).toEqual([]);
    expect(saved.documents).toEqual({ autoSent: 0, waiting: 3 });
    for (const document of skipped) {
      expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "inbox", autoSendSkipReason: null });
    }
    // Still true: it was left because auto-send was off.
    expect((await documentOf(opened.db, leftWhileOff?.id ?? "")).autoSendSkipReason).toBe("auto_send_off");

    // The offer is the list's "send all" of the Inbox: the waiting ones go; the unrecognised one and
    // the held one (never counted as waiting) are refused with their reasons.
    const queue2 = collectingEnqueue();
    const offer = (actor = world.actors.accountant) =>
      sendAllInTab(opened.db, actor, { dossierId: dossier.id, tab: "inbox" }, { enqueue: queue2.enqueue });
    expect(await offer()).toEqual({
      queued: 3,
      refused: expect.arrayContaining([
        { reason: "not_recognised", count: 1 },
        { reason: "possible_duplicate", count: 1 },
      ]),
      nextCursor: null,
    });
    expect(queue2.events).toHaveLength(3);
    for (const document of [...skipped, leftWhileOff]) {
      expect(await dispatchesOf(opened.db, document?.id ?? "")).toMatchObject([
        { trigger: "bulk", requestedByUserId: actorUserId(world.actors.accountant) },
      ]);
    }
    expect(await countWaitingDocuments(opened.db, { portalId: dossier.portalId, dossierId: dossier.id })).toBe(0);
    // A second click sends nothing twice; another office's admin finds no such dossier.
    expect((await offer()).queued).toBe(0);
    await expect(offer(world.actors.otherAdmin)).rejects.toBeInstanceOf(NotFoundError);
    expect(queue2.events).toHaveLength(3);
  });

  it("notes afresh what still cannot be sent: an address missing for the category, or 'no integration needed'", async () => {
    const { dossier, skipped } = await dossierWaitingForAnIntegration(true);
    const sales = await insertSendableDocument(opened.db, dossier, { documentType: "sales_invoice" });
    await autoSend(opened.db, sales.id);

    // Purchase documents have an address; sales ones do not.
    const { saved } = await save(dossier.id, FREE_MAIL);
    expect(saved.documents).toEqual({ autoSent: 2, waiting: 1 });
    expect(await documentOf(opened.db, sales.id)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "integration_incomplete",
    });
    const events = await opened.db.select().from(documentEvents).where(eq(documentEvents.documentId, sales.id));
    expect(events.filter((event) => event.kind === "auto_send_skipped")).toHaveLength(2);

    const none = await save(dossier.id, { kind: "none" });
    expect(none.saved.documents).toEqual({ autoSent: 0, waiting: 1 });
    expect((await documentOf(opened.db, sales.id)).autoSendSkipReason).toBe("integration_none");
    expect((await documentOf(opened.db, skipped[0]?.id ?? "")).status).toBe("sending");
  });
});
