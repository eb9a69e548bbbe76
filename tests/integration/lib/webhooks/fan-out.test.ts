import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import {
  documentEventKindEnum,
  documentEvents,
  documentStatusEnum,
  webhookDeliveries,
  webhookEndpoints,
} from "@/db/schema";
import { markImported, settleSentDocument, typeDocument } from "@/lib/documents/life";
import { createEndpoint, updateEndpoint } from "@/lib/webhooks/endpoints";
import { webhookEventTypeFor } from "@/lib/webhooks/events";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { createWebhookWorld, receiveTestDocument, type WebhookWorld } from "./setup";

/*
 * The fan-out (the trigger of migration 0010_webhook-fanout): document events become deliveries in the
 * same statement, one per subscribed, enabled endpoint of the document's own office.
 */

let opened: OpenedDb;
let db: Db;
let world: WebhookWorld;

beforeAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
  opened = await createTestDb();
  db = opened.db;
  world = await createWebhookWorld(db);
});
afterAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await opened?.close();
});
beforeEach(async () => {
  await db.delete(webhookEndpoints).where(sql`true`);
});

const ALL_TYPES = [
  "document.received",
  "document.recognised",
  "document.sent",
  "document.failed",
  "document.rejected",
  "document.imported",
] as const;

async function endpointFor(actorPortal: "A" | "B", eventTypes: readonly (typeof ALL_TYPES)[number][] = ALL_TYPES) {
  const actor = actorPortal === "A" ? world.actors.admin : world.actors.otherAdmin;
  const portalId = actorPortal === "A" ? world.portal.id : world.otherPortal.id;
  return createEndpoint(db, actor, portalId, {
    url: `http://127.0.0.1:9/${randomUUID()}`,
    eventTypes: [...eventTypes],
  });
}

async function deliveriesOf(endpointId: string) {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(asc(webhookDeliveries.documentEventId));
}

describe("the fan-out of document events", () => {
  it("writes nothing while no endpoint is enabled", async () => {
    await receiveTestDocument(db, world.dossier);
    expect(await db.select().from(webhookDeliveries)).toEqual([]);
  });

  it("makes one delivery per event per subscribed endpoint of the document's office, with the Standard Webhooks envelope", async () => {
    const everything = await endpointFor("A");
    const onlyRecognised = await endpointFor("A", ["document.recognised"]);
    const officeB = await endpointFor("B");

    const document = await receiveTestDocument(db, world.dossier, { fileName: "factuur-0117.pdf" });

    const all = await deliveriesOf(everything.id);
    expect(all.map((delivery) => delivery.eventType)).toEqual(["document.received", "document.recognised"]);
    const [received] = all;
    expect(received).toMatchObject({
      portalId: world.portal.id,
      documentId: document.id,
      status: "pending",
      attemptCount: 0,
    });
    expect(received?.messageId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(received?.payload).toEqual({
      type: "document.received",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      data: {
        documentId: document.id,
        dossierId: world.dossier.id,
        status: "inbox",
        documentType: "purchase_invoice",
        fileName: "factuur-0117.pdf",
        source: "upload",
      },
    });
    // About 24 hours to deliver it.
    const window = (received?.giveUpAt.getTime() ?? 0) - (received?.createdAt.getTime() ?? 0);
    expect(window).toBe(24 * 60 * 60 * 1000);

    expect((await deliveriesOf(onlyRecognised.id)).map((delivery) => delivery.eventType)).toEqual([
      "document.recognised",
    ]);
    // Office B's endpoint never hears of office A's documents.
    expect(await deliveriesOf(officeB.id)).toEqual([]);
  });

  it("leaves out disabled endpoints", async () => {
    const endpoint = await endpointFor("A");
    await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: false });
    await receiveTestDocument(db, world.dossier);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
  });

  it("is part of the change's transaction: a rolled-back change leaves no delivery", async () => {
    const endpoint = await endpointFor("A");
    const rollback = new Error("rollback");
    await expect(
      db.transaction(async (tx) => {
        await receiveTestDocument(tx as unknown as Db, world.dossier);
        expect(
          await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id)),
        ).toHaveLength(2);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
  });

  it("tells a type set by hand as document.recognised, and an import, a rejection and a bounce with their details", async () => {
    const endpoint = await endpointFor("A");
    const document = await receiveTestDocument(db, world.dossier, { documentType: null });
    await typeDocument(db, world.actors.admin, document.id, "receipt");
    // Straight to "sent" with a reference, as the deliver job leaves a document.
    await db.execute(
      sql`update documents set status = 'sent', package_reference = 'REF-1', sent_at = now() where id = ${document.id}`,
    );
    await settleSentDocument(db, {
      portalId: world.portal.id,
      documentId: document.id,
      packageReference: "REF-1",
      verdict: "rejected",
      errorCode: "package_refused",
      reason: "Boekjaar is afgesloten",
      now: new Date(),
      actor: world.actors.system,
    });
    const bounced = await receiveTestDocument(db, world.dossier);
    await db.execute(
      sql`update documents set status = 'sent', package_reference = 'MAIL-1', sent_at = now() where id = ${bounced.id}`,
    );
    await settleSentDocument(db, {
      portalId: world.portal.id,
      documentId: bounced.id,
      packageReference: "MAIL-1",
      verdict: "bounced",
      errorCode: "bounced",
      reason: "dispatch.bounce.bounced",
      now: new Date(),
      actor: world.actors.system,
    });
    const imported = await receiveTestDocument(db, world.dossier);
    await db.execute(
      sql`update documents set status = 'sent', package_reference = 'REF-2', sent_at = now() where id = ${imported.id}`,
    );
    await markImported(db, {
      portalId: world.portal.id,
      pairs: [{ documentId: imported.id, packageReference: "REF-2" }],
      now: new Date(),
      actor: world.actors.system,
    });

    const deliveries = await deliveriesOf(endpoint.id);
    const about = (documentId: string) =>
      deliveries.filter((delivery) => delivery.documentId === documentId).map((delivery) => delivery.payload);
    expect(about(document.id)).toEqual([
      expect.objectContaining({ type: "document.received" }),
      expect.objectContaining({
        type: "document.recognised",
        data: expect.objectContaining({ documentType: "receipt", status: "inbox" }),
      }),
      expect.objectContaining({
        type: "document.rejected",
        data: expect.objectContaining({
          status: "rejected",
          errorCode: "package_refused",
          reason: "Boekjaar is afgesloten",
          packageReference: "REF-1",
        }),
      }),
    ]);
    expect(about(bounced.id).at(-1)).toMatchObject({
      type: "document.failed",
      data: { status: "failed", errorCode: "bounced", packageReference: "MAIL-1" },
    });
    expect(about(imported.id).at(-1)).toMatchObject({
      type: "document.imported",
      data: { status: "sent", packageReference: "REF-2" },
    });
  });

  it("maps every kind of document event as webhookEventTypeFor says", async () => {
    const endpoint = await endpointFor("A");
    const document = await receiveTestDocument(db, world.dossier);
    const statuses = [...documentStatusEnum.enumValues, null];
    const cases = documentEventKindEnum.enumValues.flatMap((kind) => statuses.map((toStatus) => ({ kind, toStatus })));
    const inserted = await db
      .insert(documentEvents)
      .values(
        cases.map(({ kind, toStatus }) => ({
          portalId: world.portal.id,
          dossierId: world.dossier.id,
          documentId: document.id,
          kind,
          toStatus,
          actorKind: "system" as const,
        })),
      )
      .returning({ id: documentEvents.id, kind: documentEvents.kind, toStatus: documentEvents.toStatus });
    const made = new Map(
      (await deliveriesOf(endpoint.id)).map((delivery) => [delivery.documentEventId, delivery.eventType]),
    );
    for (const event of inserted) {
      expect({ ...event, type: made.get(event.id) ?? null }).toEqual({
        ...event,
        type: webhookEventTypeFor(event.kind, event.toStatus),
      });
    }
  });

  it("keeps nothing secret or personal in the payload: no actor, no fields, no target", async () => {
    const endpoint = await endpointFor("A");
    await receiveTestDocument(db, world.dossier);
    const [delivery] = await db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.endpointId, endpoint.id)));
    const text = JSON.stringify(delivery?.payload);
    for (const word of [
      "actor",
      "userId",
      "recognisedFields",
      "target",
      "storageKey",
      "secret",
      world.people.admin.id,
    ]) {
      expect(text).not.toContain(word);
    }
  });
});
