import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documents } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { concurrencyKeyOf } from "@/lib/dispatch/plan";
import { requestSend } from "@/lib/dispatch/request-send";
import { NotFoundError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";
import {
  collectingEnqueue,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "./setup";

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  cleanupFiles?.();
  await opened?.close();
});

const FREE_MAIL = { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example", other: null };

/** A fresh dossier of the first office with free mail to FREE_MAIL. */
async function mailDossier() {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "free_email", addresses: FREE_MAIL });
  return dossier;
}

async function send(
  dossier: { id: string },
  documentIds: string[],
  trigger: "manual" | "bulk" | "auto" | "retry" = "manual",
  actor = world.actors.accountant,
) {
  const queue = collectingEnqueue();
  const result = await requestSend(
    opened.db,
    actor,
    { dossierId: dossier.id, documentIds, trigger },
    { enqueue: queue.enqueue },
  );
  return { ...result, queue };
}

describe("requestSend accepts", () => {
  it("moves a recognised inbox document to sending, inserts its dispatch and enqueues one job", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const { accepted, refused, queue } = await send(dossier, [document.id], "manual", world.actors.accountant);

    expect(refused).toEqual([]);
    expect(accepted).toEqual([{ documentId: document.id, dispatchId: expect.any(String) }]);
    const dispatchId = accepted[0]?.dispatchId ?? "";
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([
      {
        id: dispatchId,
        portalId: world.portal.id,
        dossierId: dossier.id,
        connectionId: null,
        trigger: "manual",
        status: "queued",
        attemptCount: 0,
        requestedByUserId: expect.any(String),
        target: { channel: "email", packageId: null, category: "purchase", to: FREE_MAIL.purchase },
      },
    ]);
    expect(queue.calls).toEqual([1]);
    expect(queue.events).toEqual([
      {
        dispatchId,
        concurrencyKey: concurrencyKeyOf({ id: dispatchId, connectionId: null }),
        // Mail is not throttled: a bucket of its own.
        throttleKey: dispatchId,
      },
    ]);
    expect(queue.events[0]?.concurrencyKey).toMatch(/^email:[0-3]$/);
  });

  it("sends a bulk of documents with one enqueue call, each to its category's address", async () => {
    const dossier = await mailDossier();
    const purchase = await insertSendableDocument(opened.db, dossier, { documentType: "purchase_credit_note" });
    const sales = await insertSendableDocument(opened.db, dossier, { documentType: "sales_invoice" });
    const receipt = await insertSendableDocument(opened.db, dossier, { documentType: "receipt" });
    const ids = [purchase.id, sales.id, receipt.id];
    const { accepted, refused, queue } = await send(dossier, ids, "bulk", world.actors.admin);

    expect(refused).toEqual([]);
    expect(accepted.map((a) => a.documentId)).toEqual(ids);
    expect(queue.calls).toEqual([3]);
    expect((await dispatchesOf(opened.db, sales.id))[0]?.target).toMatchObject({
      category: "sales",
      to: FREE_MAIL.sales,
    });
    expect((await dispatchesOf(opened.db, receipt.id))[0]?.target).toMatchObject({
      category: "purchase",
      to: FREE_MAIL.purchase,
    });
  });

  it("allows a failed document to be retried", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { status: "failed" });
    const { accepted } = await send(dossier, [document.id], "retry", world.actors.admin);
    expect(accepted).toHaveLength(1);
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([{ trigger: "retry", status: "queued" }]);
  });

  it("allows a rejected document to be sent again after correction", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { status: "rejected" });
    const { accepted } = await send(dossier, [document.id]);
    expect(accepted).toHaveLength(1);
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
  });

  it("sends as the system for auto-send, with no user recorded", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const { accepted } = await send(dossier, [document.id], "auto", systemActor("auto-send"));
    expect(accepted).toHaveLength(1);
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([{ trigger: "auto", requestedByUserId: null }]);
  });

  it("records the connection and keys the job on it for a connection integration", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connection = await insertConnectionOf(opened.db, world.portal.id, { label: "Exact Online test" });
    await setIntegration(opened.db, dossier, {
      kind: "connection",
      connectionId: connection.id,
      settings: { division: 7 },
    });
    const document = await insertSendableDocument(opened.db, dossier);
    const { accepted, refused, queue } = await send(dossier, [document.id]);
    expect(refused).toEqual([]);
    const dispatchId = accepted[0]?.dispatchId ?? "";
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([
      { id: dispatchId, connectionId: connection.id, status: "queued" },
    ]);
    // One run at a time per connection; Exact's deliveries share their division's rate-limit bucket.
    expect(queue.events).toEqual([
      expect.objectContaining({ dispatchId, concurrencyKey: connection.id, throttleKey: expect.stringContaining("7") }),
    ]);
    expect(queue.events[0]?.throttleKey).not.toBe(dispatchId);
  });

  it("refuses a connection integration whose package has no connector yet", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      label: "Clearfacts by API",
      packageId: "clearfacts",
    });
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: connection.id, settings: {} });
    const document = await insertSendableDocument(opened.db, dossier);
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "connector_unavailable" }]);
  });
});

describe("requestSend refuses, one rule at a time", () => {
  it("a document that is not recognised", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { documentType: null });
    const { accepted, refused, queue } = await send(dossier, [document.id]);
    expect(accepted).toEqual([]);
    expect(refused).toEqual([{ documentId: document.id, reason: "not_recognised" }]);
    expect((await documentOf(opened.db, document.id)).status).toBe("inbox");
    expect(queue.calls).toEqual([]);
  });

  it("a sent document: no resend", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { status: "sent" });
    const { refused } = await send(dossier, [document.id], "retry");
    expect(refused).toEqual([{ documentId: document.id, reason: "already_sent" }]);
    expect(await dispatchesOf(opened.db, document.id)).toEqual([]);
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
  });

  it("an archived document", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { status: "sent", archivedAt: new Date() });
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "archived" }]);
  });

  it("a document that is being sent already", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await send(dossier, [document.id]);
    const second = await send(dossier, [document.id], "bulk");
    expect(second.refused).toEqual([{ documentId: document.id, reason: "already_sending" }]);
    expect(await dispatchesOf(opened.db, document.id)).toHaveLength(1);
  });

  it("a dossier without integration", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const document = await insertSendableDocument(opened.db, dossier);
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "no_integration" }]);
  });

  it('a dossier with "no integration needed"', async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, { kind: "none" });
    const document = await insertSendableDocument(opened.db, dossier);
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "integration_none" }]);
  });

  it("a category the integration has no address for, while the others go", async () => {
    const dossier = await mailDossier();
    const other = await insertSendableDocument(opened.db, dossier, { documentType: "other" });
    const purchase = await insertSendableDocument(opened.db, dossier);
    const { accepted, refused } = await send(dossier, [other.id, purchase.id]);
    expect(refused).toEqual([{ documentId: other.id, reason: "integration_incomplete" }]);
    expect(accepted.map((a) => a.documentId)).toEqual([purchase.id]);
  });

  it("a connection that needs re-authorisation", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: world.connections.yuki.id });
    const document = await insertSendableDocument(opened.db, dossier);
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "connection_needs_reauth" }]);
  });

  it("a disabled connection", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: world.connections.disabled.id });
    const document = await insertSendableDocument(opened.db, dossier);
    const { refused } = await send(dossier, [document.id]);
    expect(refused).toEqual([{ documentId: document.id, reason: "connection_disabled" }]);
  });

  it("unknown, malformed and other dossiers' documents as not found", async () => {
    const dossier = await mailDossier();
    const elsewhere = await insertSendableDocument(opened.db, world.dossier);
    const foreign = await insertSendableDocument(opened.db, world.otherDossier);
    const unknown = randomUUID();
    const { refused } = await send(dossier, [unknown, "not-a-uuid", elsewhere.id, foreign.id]);
    expect(refused).toEqual([
      { documentId: unknown, reason: "not_found" },
      { documentId: "not-a-uuid", reason: "not_found" },
      { documentId: elsewhere.id, reason: "not_found" },
      { documentId: foreign.id, reason: "not_found" },
    ]);
    expect((await documentOf(opened.db, foreign.id)).status).toBe("inbox");
  });

  it("answers a mixed bulk per document, in the order asked, counting a repeated id once", async () => {
    const dossier = await mailDossier();
    const good = await insertSendableDocument(opened.db, dossier);
    const unrecognised = await insertSendableDocument(opened.db, dossier, { documentType: null });
    const sent = await insertSendableDocument(opened.db, dossier, { status: "sent" });
    const failed = await insertSendableDocument(opened.db, dossier, { status: "failed" });
    const { accepted, refused } = await send(dossier, [sent.id, good.id, unrecognised.id, good.id, failed.id], "bulk");
    expect(accepted.map((a) => a.documentId)).toEqual([good.id, failed.id]);
    expect(refused).toEqual([
      { documentId: sent.id, reason: "already_sent" },
      { documentId: unrecognised.id, reason: "not_recognised" },
    ]);
  });

  it("skips a document that already has an active dispatch without failing the rest of the batch", async () => {
    const dossier = await mailDossier();
    const guarded = await insertSendableDocument(opened.db, dossier);
    const free = await insertSendableDocument(opened.db, dossier);
    // Out of step on purpose: an active dispatch while the document still says inbox. The partial
    // unique index is the last guard, and must not abort the batch.
    await opened.db.insert(dispatches).values({
      portalId: dossier.portalId,
      dossierId: dossier.id,
      documentId: guarded.id,
      trigger: "manual",
      status: "running",
    });
    const { accepted, refused } = await send(dossier, [guarded.id, free.id], "bulk");
    expect(refused).toEqual([{ documentId: guarded.id, reason: "already_sending" }]);
    expect(accepted.map((a) => a.documentId)).toEqual([free.id]);
    expect(await dispatchesOf(opened.db, guarded.id)).toHaveLength(1);
  });
});

describe("requestSend authorization", () => {
  it("lets the dossier's entrepreneur send", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier);
    await setIntegration(opened.db, world.dossier, { kind: "free_email", addresses: FREE_MAIL });
    const { accepted } = await send(world.dossier, [document.id], "manual", world.actors.entrepreneur);
    expect(accepted).toHaveLength(1);
  });

  it("answers not found to an entrepreneur of another dossier, and changes nothing", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await expect(send(dossier, [document.id], "manual", world.actors.entrepreneur)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(send(dossier, [document.id], "retry", world.actors.entrepreneur)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await documentOf(opened.db, document.id)).status).toBe("inbox");
  });

  it("answers not found to another office", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await expect(send(dossier, [document.id], "bulk", world.actors.otherAdmin)).rejects.toBeInstanceOf(NotFoundError);
    expect(await dispatchesOf(opened.db, document.id)).toEqual([]);
  });

  it("answers not found for an unknown or malformed dossier", async () => {
    await expect(send({ id: randomUUID() }, [randomUUID()])).rejects.toBeInstanceOf(NotFoundError);
    await expect(send({ id: "nope" }, [randomUUID()])).rejects.toBeInstanceOf(NotFoundError);
  });

  it("clears an earlier auto-send skip reason when the document is sent by hand", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await opened.db.update(documents).set({ autoSendSkipReason: "auto_send_off" }).where(eq(documents.id, document.id));
    await send(dossier, [document.id]);
    expect((await documentOf(opened.db, document.id)).autoSendSkipReason).toBeNull();
  });
});
