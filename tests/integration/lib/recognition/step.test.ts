import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { recognitionDeliveries, recognitionSecrets } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { NotFoundError } from "@/lib/errors";
import { hasRecognitionStep } from "@/lib/recognition/step";
import { createTestDb } from "../../../helpers/db";
import { insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";
import { insertUserActor } from "../connections/oauth-connector";

// "The office has a recognition step connected" is read from what the step did: it reported one
// of the office's documents. A secret nobody used, or another office's reports, do not count.

let opened: OpenedDb;
let db: Db;

beforeAll(async () => {
  opened = await createTestDb();
  db = opened.db;
});
afterAll(async () => {
  await opened?.close();
});

async function newOffice() {
  const portal = await insertPortal(db, "Kantoor met herkenning");
  const dossier = await insertDossier(db, portal.id);
  const accountant = await insertUserActor(db, { [portal.id]: "accountant" });
  const entrepreneur: Actor = {
    kind: "user",
    userId: randomUUID(),
    portalRoles: {},
    dossiers: { [dossier.id]: portal.id },
  };
  return { portal, dossier, accountant, entrepreneur, scope: { portalId: portal.id, dossierId: dossier.id } };
}

async function recordDelivery(dossier: { id: string; portalId: string }) {
  const document = await insertDocument(db, dossier);
  await db.insert(recognitionDeliveries).values({ deliveryHash: randomUUID(), documentId: document.id });
}

describe("hasRecognitionStep", () => {
  it("is false for a new office, and for one with a secret that reported nothing", async () => {
    const { portal, accountant, scope } = await newOffice();
    expect(await hasRecognitionStep(db, accountant, scope)).toBe(false);
    await db.insert(recognitionSecrets).values({ portalId: portal.id, secretEncrypted: "v1:not-read-here" });
    expect(await hasRecognitionStep(db, accountant, scope)).toBe(false);
  });

  it("is true once the step reported one of the office's documents, for its accountant and its entrepreneur", async () => {
    const { dossier, accountant, entrepreneur, scope } = await newOffice();
    // Another dossier of the same office: the step is the office's, not the dossier's.
    const sibling = await insertDossier(db, dossier.portalId);
    await recordDelivery(sibling);
    expect(await hasRecognitionStep(db, accountant, scope)).toBe(true);
    expect(await hasRecognitionStep(db, entrepreneur, scope)).toBe(true);
  });

  it("does not count another office's reports", async () => {
    const busy = await newOffice();
    await recordDelivery(busy.dossier);
    const quiet = await newOffice();
    expect(await hasRecognitionStep(db, quiet.accountant, quiet.scope)).toBe(false);
  });

  it("is not answered about an office or dossier the actor cannot see", async () => {
    const mine = await newOffice();
    const theirs = await newOffice();
    await expect(hasRecognitionStep(db, mine.accountant, theirs.scope)).rejects.toThrow(NotFoundError);
    await expect(hasRecognitionStep(db, mine.entrepreneur, theirs.scope)).rejects.toThrow(NotFoundError);
    // Her own office, but a dossier that is not hers.
    const other = await insertDossier(db, mine.portal.id);
    await expect(
      hasRecognitionStep(db, mine.entrepreneur, { portalId: mine.portal.id, dossierId: other.id }),
    ).rejects.toThrow(NotFoundError);
  });
});
