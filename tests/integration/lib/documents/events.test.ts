import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documentEvents, dossiers, portals, users } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { autoSend } from "@/lib/dispatch/auto-send";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { ingestDocument } from "@/lib/documents/ingest";
import {
  archiveDocument,
  deleteDocument,
  recordRecognition,
  settleSentDocument,
  typeDocument,
  unarchiveDocument,
} from "@/lib/documents/life";
import { setDocumentType } from "@/lib/documents/set-type";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent } from "@/lib/jobs/client";
import { PACKAGE_REJECTED, recordPackageVerdicts } from "@/lib/rejections/service";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import {
  collectingEnqueue,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "./setup";

/*
 * Every transition of the document life writes its `document_events` row with the change (design
 * map, "Document life"): what happened, to which document, from and to which status, by whom or
 * what, about which dispatch. A refused change writes none.
 */

vi.mock("@/lib/jobs/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/client")>()),
  sendJobEvent: vi.fn(async () => {}),
  sendJobEvents: vi.fn(async () => {}),
}));

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
const savedResendKey = process.env.RESEND_API_KEY;

beforeAll(async () => {
  // Mail goes to the local outbox: a delivery that succeeds without any network.
  delete process.env.RESEND_API_KEY;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  // Dispatches name their requester by a key to users: the world's people get accounts.
  await opened.db.insert(users).values(
    [world.actors.admin, world.actors.accountant, world.actors.entrepreneur].map((actor) => ({
      id: actor.userId,
      email: `${actor.userId}@koppel.example`,
    })),
  );
  await setIntegration(opened.db, world.dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@boekhouder.example", sales: "verkoop@boekhouder.example" },
  });
}, 60_000);

beforeEach(() => {
  vi.mocked(sendJobEvent).mockClear();
});

afterAll(async () => {
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  if (savedResendKey !== undefined) process.env.RESEND_API_KEY = savedResendKey;
  resetEnvCache();
  await opened?.close();
});

async function eventsOf(documentId: string) {
  return opened.db
    .select()
    .from(documentEvents)
    .where(eq(documentEvents.documentId, documentId))
    .orderBy(asc(documentEvents.id));
}

/** The parts of the events a test looks at, in order. */
async function historyOf(documentId: string) {
  return (await eventsOf(documentId)).map((event) => ({
    kind: event.kind,
    from: event.fromStatus,
    to: event.toStatus,
  }));
}

describe("received", () => {
  it("writes 'received' for an upload, with the uploader and the source", async () => {
    const document = await ingestDocument(opened.db, world.actors.entrepreneur, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName: "factuur.pdf",
      content: samplePdf(),
    });
    const [event, ...rest] = await eventsOf(document.id);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      kind: "received",
      portalId: world.portal.id,
      dossierId: world.dossier.id,
      fromStatus: null,
      toStatus: "inbox",
      actorKind: "user",
      actorUserId: world.actors.entrepreneur.userId,
      dispatchId: null,
      details: { source: "upload" },
    });
    expect(event?.occurredAt).toBeInstanceOf(Date);
  });

  it("writes 'received' then 'recognised' for a document that arrives with its type (then auto-send's request)", async () => {
    const document = await ingestDocument(opened.db, world.actors.token, {
      dossierId: world.dossier.id,
      source: "sales",
      fileName: "verkoop.pdf",
      content: samplePdf(),
      documentType: "sales_invoice",
    });
    const events = await eventsOf(document.id);
    expect(events.map((event) => event.kind)).toEqual(["received", "recognised", "send_requested"]);
    expect(events[1]).toMatchObject({
      actorKind: "token",
      actorReference: world.actors.token.tokenId,
      details: { source: "sales", documentType: "sales_invoice" },
    });
    expect(events[2]).toMatchObject({ actorKind: "system", actorReference: "auto-send" });
  });
});

describe("typed and recognised", () => {
  it("writes 'typed' for a person's type and 'recognised' for the recognition step's", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { documentType: null });
    // The life module's changes alone: auto-send (which would send it between the two) is not asked.
    await typeDocument(opened.db, world.actors.accountant, document.id, "receipt");
    await recordRecognition(opened.db, systemActor("recognition-webhook"), document.id, {
      documentType: "purchase_invoice",
      fields: {},
      confidence: 0.91,
    });
    const events = await eventsOf(document.id);
    expect(events).toMatchObject([
      {
        kind: "typed",
        fromStatus: "inbox",
        toStatus: "inbox",
        actorUserId: world.actors.accountant.userId,
        details: { documentType: "receipt" },
      },
      {
        kind: "recognised",
        actorKind: "system",
        actorReference: "recognition-webhook",
        details: { documentType: "purchase_invoice", confidence: 0.91 },
      },
    ]);
  });

  it("writes nothing when the rule refuses the change", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { status: "sent" });
    await expect(setDocumentType(opened.db, world.actors.admin, document.id, "receipt")).rejects.toMatchObject({
      refusal: "already_sent",
    });
    expect(await eventsOf(document.id)).toEqual([]);
  });
});

describe("sent, delivered, failed, retried", () => {
  it("writes 'send_requested' with the dispatch, then 'delivered' with the package's reference", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier);
    const queue = collectingEnqueue();
    const sent = await requestSend(
      opened.db,
      world.actors.admin,
      { dossierId: world.dossier.id, documentIds: [document.id], trigger: "manual" },
      { enqueue: queue.enqueue },
    );
    const dispatchId = sent.accepted[0]?.dispatchId;
    expect(dispatchId).toBeDefined();
    const result = await deliverDispatch(opened.db, dispatchId as string);
    expect(result.outcome).toBe("sent");

    const events = await eventsOf(document.id);
    expect(events).toMatchObject([
      {
        kind: "send_requested",
        fromStatus: "inbox",
        toStatus: "sending",
        actorUserId: world.actors.admin.userId,
        dispatchId,
        details: { trigger: "manual" },
      },
      {
        kind: "delivered",
        fromStatus: "sending",
        toStatus: "sent",
        actorKind: "system",
        actorReference: "deliver",
        dispatchId,
        details: { packageReference: (await documentOf(opened.db, document.id)).packageReference },
      },
    ]);
  });

  it("writes 'delivery_failed' with the code and reason, and 'retried' for the retry", async () => {
    const dossier = await insertDossierWith("none");
    const document = await insertSendableDocument(opened.db, dossier);
    await setIntegration(opened.db, dossier, { kind: "free_email", addresses: { purchase: "a@boekhouder.example" } });
    const queue = collectingEnqueue();
    const first = await requestSend(
      opened.db,
      world.actors.admin,
      { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
      { enqueue: queue.enqueue },
    );
    // The office chose "no integration needed" after the request: the delivery fails for good.
    await setIntegration(opened.db, dossier, { kind: "none" });
    await expect(deliverDispatch(opened.db, first.accepted[0]?.dispatchId as string)).rejects.toThrow();
    await setIntegration(opened.db, dossier, { kind: "free_email", addresses: { purchase: "a@boekhouder.example" } });
    const retry = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: [document.id], trigger: "retry" },
      { enqueue: queue.enqueue },
    );

    expect(await historyOf(document.id)).toEqual([
      { kind: "send_requested", from: "inbox", to: "sending" },
      { kind: "delivery_failed", from: "sending", to: "failed" },
      { kind: "retried", from: "failed", to: "sending" },
    ]);
    const events = await eventsOf(document.id);
    expect(events[1]).toMatchObject({
      dispatchId: first.accepted[0]?.dispatchId,
      details: { errorCode: "integration_none", reason: "dispatch.refusals.integration_none" },
    });
    expect(events[2]).toMatchObject({ dispatchId: retry.accepted[0]?.dispatchId, details: { trigger: "retry" } });
  });

  it("writes nothing for a refused send", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { documentType: null });
    const result = await requestSend(
      opened.db,
      world.actors.admin,
      { dossierId: world.dossier.id, documentIds: [document.id], trigger: "manual" },
      { enqueue: collectingEnqueue().enqueue },
    );
    expect(result.refused).toEqual([{ documentId: document.id, reason: "not_recognised" }]);
    expect(await eventsOf(document.id)).toEqual([]);
  });

  it("writes 'auto_send_skipped' with the reason when auto-send leaves a document alone", async () => {
    const dossier = await insertDossierWith("off");
    const document = await insertSendableDocument(opened.db, dossier);
    expect(await autoSend(opened.db, document.id)).toEqual({ outcome: "skipped", reason: "auto_send_off" });
    expect(await eventsOf(document.id)).toMatchObject([
      {
        kind: "auto_send_skipped",
        fromStatus: "inbox",
        toStatus: "inbox",
        actorReference: "auto-send",
        details: { reason: "auto_send_off" },
      },
    ]);
  });
});

describe("after the package acknowledged", () => {
  async function sentDocument() {
    const document = await insertSendableDocument(opened.db, world.dossier);
    const sent = await requestSend(
      opened.db,
      world.actors.admin,
      { dossierId: world.dossier.id, documentIds: [document.id], trigger: "manual" },
      { enqueue: collectingEnqueue().enqueue },
    );
    await deliverDispatch(opened.db, sent.accepted[0]?.dispatchId as string);
    const row = await documentOf(opened.db, document.id);
    return { id: document.id, packageReference: row.packageReference as string };
  }

  it("writes 'imported' once, however often the package says so", async () => {
    const document = await sentDocument();
    const verdict = {
      documentId: document.id,
      packageReference: document.packageReference,
      state: "imported" as const,
    };
    await recordPackageVerdicts(opened.db, world.portal.id, [verdict], new Date());
    await recordPackageVerdicts(opened.db, world.portal.id, [verdict], new Date());
    const events = await eventsOf(document.id);
    expect(events.filter((event) => event.kind === "imported")).toMatchObject([
      {
        fromStatus: "sent",
        toStatus: "sent",
        actorReference: "read-back",
        details: { packageReference: document.packageReference },
      },
    ]);
  });

  it("writes 'rejected' with the package's reason and the dispatch that delivered it", async () => {
    const document = await sentDocument();
    await recordPackageVerdicts(
      opened.db,
      world.portal.id,
      [{ documentId: document.id, packageReference: document.packageReference, state: "rejected", reason: "Dubbel" }],
      new Date(),
    );
    const events = await eventsOf(document.id);
    const delivered = events.find((event) => event.kind === "delivered");
    expect(events.at(-1)).toMatchObject({
      kind: "rejected",
      fromStatus: "sent",
      toStatus: "rejected",
      dispatchId: delivered?.dispatchId,
      details: { errorCode: PACKAGE_REJECTED, reason: "Dubbel", packageReference: document.packageReference },
    });
  });

  it("writes 'delivery_failed' from sent for a bounced mail, once", async () => {
    const document = await sentDocument();
    const bounce = {
      portalId: world.portal.id,
      documentId: document.id,
      packageReference: document.packageReference,
      verdict: "bounced" as const,
      errorCode: "recipient_refused",
      reason: "dispatch.bounce.bounced",
      historyReason: "Permanent · General: 550 5.1.1 user unknown",
      now: new Date(),
      actor: systemActor("resend-webhook"),
    };
    expect(await settleSentDocument(opened.db, bounce)).toBe(true);
    expect(await settleSentDocument(opened.db, bounce)).toBe(false);
    const events = await eventsOf(document.id);
    expect(events.filter((event) => event.kind === "delivery_failed")).toMatchObject([
      {
        fromStatus: "sent",
        toStatus: "failed",
        actorReference: "resend-webhook",
        details: { errorCode: "recipient_refused", reason: "dispatch.bounce.bounced" },
      },
    ]);
  });
});

describe("archived, unarchived, deleted", () => {
  it("writes 'archived' and 'unarchived' with the person", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { status: "sent" });
    await archiveDocument(opened.db, world.actors.entrepreneur, document.id);
    await unarchiveDocument(opened.db, world.actors.accountant, document.id);
    expect(await eventsOf(document.id)).toMatchObject([
      { kind: "archived", fromStatus: "sent", toStatus: "sent", actorUserId: world.actors.entrepreneur.userId },
      { kind: "unarchived", fromStatus: "sent", toStatus: "sent", actorUserId: world.actors.accountant.userId },
    ]);
  });

  it("keeps the 'deleted' event after the document is gone", async () => {
    const document = await insertSendableDocument(opened.db, world.dossier, { status: "failed" });
    await deleteDocument(opened.db, world.actors.admin, document.id);
    expect(await eventsOf(document.id)).toMatchObject([
      {
        kind: "deleted",
        fromStatus: "failed",
        toStatus: null,
        actorUserId: world.actors.admin.userId,
        details: { documentType: "purchase_invoice" },
      },
    ]);
  });
});

/** A dossier of the world's office: with auto-send off (and free mail), or with no integration yet. */
async function insertDossierWith(setting: "off" | "none") {
  const dossier = await insertDossier(opened.db, world.portal.id);
  if (setting === "off") {
    await opened.db.update(dossiers).set({ isAutoSendEnabled: false }).where(eq(dossiers.id, dossier.id));
    await setIntegration(opened.db, dossier, { kind: "free_email", addresses: { purchase: "a@boekhouder.example" } });
  }
  return dossier;
}

describe("an office's walls", () => {
  it("removes a dossier's events with the dossier, and a portal's with the portal, and no other", async () => {
    const other = await insertPortal(opened.db, "Ander kantoor");
    const otherDossier = await insertDossier(opened.db, other.id);
    const gone = await insertDossier(opened.db, world.portal.id);
    const kept = await insertDossier(opened.db, world.portal.id);
    const documentsOf = async (dossier: { id: string; portalId: string }) =>
      insertSendableDocument(opened.db, dossier, { status: "sent" });
    const [inGone, inKept, inOther] = [
      await documentsOf(gone),
      await documentsOf(kept),
      await documentsOf(otherDossier),
    ];
    for (const document of [inGone, inKept, inOther]) {
      await archiveDocument(opened.db, systemActor("test"), document.id);
    }

    await opened.db.delete(dossiers).where(eq(dossiers.id, gone.id));
    expect(await eventsOf(inGone.id)).toEqual([]);
    expect(await eventsOf(inKept.id)).toHaveLength(1);

    await opened.db.delete(portals).where(eq(portals.id, other.id));
    expect(await eventsOf(inOther.id)).toEqual([]);
    expect(await eventsOf(inKept.id)).toHaveLength(1);
  });
});
