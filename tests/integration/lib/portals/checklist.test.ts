import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import {
  dossierIntegrations,
  dossierMembers,
  invitations,
  portalMembers,
  recognitionDeliveries,
  recognitionSecrets,
  users,
} from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { NotFoundError } from "@/lib/errors";
import { getOnboardingChecklist } from "@/lib/portals/checklist";
import { createTestDb } from "../../../helpers/db";
import { insertConnection, insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";
import { insertUserActor } from "../connections/oauth-connector";

// The new office's checklist on its overview, read from what exists: each step is ticked by the
// row that proves it, and not by a look-alike (the operator's invitation of the first admin, a
// withdrawn invitation, a recognition key nobody used, another office's rows).

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
  const portal = await insertPortal(db, "Nieuw kantoor");
  const admin = await insertUserActor(db, { [portal.id]: "admin" });
  return { portal, admin };
}

async function insertInvitation(values: {
  kind: "portal_member" | "dossier_member";
  portalId: string;
  dossierId?: string;
  invitedByUserId: string | null;
  revokedAt?: Date;
}) {
  await db.insert(invitations).values({
    tokenHash: randomUUID(),
    email: `${randomUUID()}@invitee.test`,
    locale: "nl",
    role: values.kind === "portal_member" ? "accountant" : null,
    expiresAt: new Date(Date.now() + 86_400_000),
    ...values,
  });
}

async function insertPerson(): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({ email: `${randomUUID()}@person.test` })
    .returning({ id: users.id });
  if (!user) throw new Error("user not inserted");
  return user.id;
}

const NOTHING_DONE = { connection: false, dossier: false, colleague: false, client: false, recognition: false };

describe("getOnboardingChecklist", () => {
  it("starts with nothing done for a new office", async () => {
    const { portal, admin } = await newOffice();
    expect(await getOnboardingChecklist(db, admin, portal.id)).toEqual({
      done: NOTHING_DONE,
      firstDossierId: null,
      hasRecognitionSecret: false,
      isComplete: false,
    });
  });

  it("ticks each step off from the row that proves it, and is complete when all are", async () => {
    const { portal, admin } = await newOffice();
    await insertConnection(db, portal.id);
    const dossier = await insertDossier(db, portal.id);
    await insertDossier(db, portal.id);
    await db.insert(portalMembers).values({ portalId: portal.id, userId: await insertPerson(), role: "accountant" });
    await db
      .insert(dossierMembers)
      .values({ portalId: portal.id, dossierId: dossier.id, userId: await insertPerson(), role: "entrepreneur" });
    await db.insert(recognitionSecrets).values({ portalId: portal.id, secretEncrypted: "v1:not-read-here" });
    let checklist = await getOnboardingChecklist(db, admin, portal.id);
    expect(checklist.done).toEqual({ ...NOTHING_DONE, connection: true, dossier: true, colleague: true, client: true });
    expect(checklist.firstDossierId).toBe(dossier.id);
    // A key exists, but nothing was reported with it yet.
    expect(checklist.hasRecognitionSecret).toBe(true);
    expect(checklist.isComplete).toBe(false);

    const document = await insertDocument(db, dossier);
    await db.insert(recognitionDeliveries).values({ deliveryHash: randomUUID(), documentId: document.id });
    checklist = await getOnboardingChecklist(db, admin, portal.id);
    expect(checklist.done.recognition).toBe(true);
    expect(checklist.isComplete).toBe(true);
  });

  it("counts a dossier delivering by e-mail as a way in, since it needs no connection", async () => {
    const { portal, admin } = await newOffice();
    const dossier = await insertDossier(db, portal.id);
    await db.insert(dossierIntegrations).values({ portalId: portal.id, dossierId: dossier.id, kind: "none" });
    expect((await getOnboardingChecklist(db, admin, portal.id)).done.connection).toBe(false);
    await db
      .update(dossierIntegrations)
      .set({ kind: "free_email" })
      .where(eq(dossierIntegrations.dossierId, dossier.id));
    expect((await getOnboardingChecklist(db, admin, portal.id)).done.connection).toBe(true);
  });

  it("counts invitations that a person sent and did not withdraw", async () => {
    const { portal, admin } = await newOffice();
    const dossier = await insertDossier(db, portal.id);
    // office:create's invitation of the first admin has no sender; withdrawn ones do not count.
    await insertInvitation({ kind: "portal_member", portalId: portal.id, invitedByUserId: null });
    await insertInvitation({
      kind: "portal_member",
      portalId: portal.id,
      invitedByUserId: admin.userId,
      revokedAt: new Date(),
    });
    await insertInvitation({
      kind: "dossier_member",
      portalId: portal.id,
      dossierId: dossier.id,
      invitedByUserId: admin.userId,
      revokedAt: new Date(),
    });
    let done = (await getOnboardingChecklist(db, admin, portal.id)).done;
    expect({ colleague: done.colleague, client: done.client }).toEqual({ colleague: false, client: false });

    await insertInvitation({ kind: "portal_member", portalId: portal.id, invitedByUserId: admin.userId });
    await insertInvitation({
      kind: "dossier_member",
      portalId: portal.id,
      dossierId: dossier.id,
      invitedByUserId: admin.userId,
    });
    done = (await getOnboardingChecklist(db, admin, portal.id)).done;
    expect({ colleague: done.colleague, client: done.client }).toEqual({ colleague: true, client: true });
  });

  it("reads only its own office: another office's rows tick nothing", async () => {
    const busy = await newOffice();
    const dossier = await insertDossier(db, busy.portal.id);
    await insertConnection(db, busy.portal.id);
    await db.insert(portalMembers).values({ portalId: busy.portal.id, userId: await insertPerson(), role: "admin" });
    await db
      .insert(dossierMembers)
      .values({ portalId: busy.portal.id, dossierId: dossier.id, userId: await insertPerson(), role: "entrepreneur" });
    await db.insert(recognitionSecrets).values({ portalId: busy.portal.id, secretEncrypted: "v1:not-read-here" });
    const document = await insertDocument(db, dossier);
    await db.insert(recognitionDeliveries).values({ deliveryHash: randomUUID(), documentId: document.id });
    expect((await getOnboardingChecklist(db, busy.admin, busy.portal.id)).isComplete).toBe(true);

    const { portal, admin } = await newOffice();
    expect(await getOnboardingChecklist(db, admin, portal.id)).toMatchObject({
      done: NOTHING_DONE,
      hasRecognitionSecret: false,
    });
  });

  it("is for the office's admins and accountants; anyone else, and a malformed id, get not found", async () => {
    const { portal } = await newOffice();
    const accountant = await insertUserActor(db, { [portal.id]: "accountant" });
    // The accountant is the office's second person: a colleague already.
    expect((await getOnboardingChecklist(db, accountant, portal.id)).done).toEqual({
      ...NOTHING_DONE,
      colleague: true,
    });

    const other = await newOffice();
    const dossier = await insertDossier(db, portal.id);
    const entrepreneur: Actor = {
      kind: "user",
      userId: await insertPerson(),
      portalRoles: {},
      dossiers: { [dossier.id]: portal.id },
    };
    for (const actor of [other.admin, entrepreneur]) {
      await expect(getOnboardingChecklist(db, actor, portal.id)).rejects.toBeInstanceOf(NotFoundError);
    }
    const malformed = "not-a-uuid";
    const member = await insertUserActor(db, {});
    await expect(
      getOnboardingChecklist(db, { ...member, portalRoles: { [malformed]: "admin" } }, malformed),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
