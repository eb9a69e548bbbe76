import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import {
  attempts,
  dispatches,
  documents,
  dossierIntegrations,
  dossierMembers,
  dossiers,
  portals,
  users,
} from "@/db/schema";
import { clearDatabase, seedDemo } from "@/db/seed";
import { DEMO_USERS } from "@/lib/auth/demo-users";
import { isValidCompanyNumber } from "@/lib/dossiers/company-number";
import { createTestDb } from "../../helpers/db";

const DEMO_PORTAL = "Accountantskantoor De Vos";

let opened: OpenedDb;
let demoPortalId: string;

beforeAll(async () => {
  opened = await createTestDb();
  await seedDemo(opened.db);
  const [portal] = await opened.db.select().from(portals).where(eq(portals.name, DEMO_PORTAL));
  demoPortalId = portal?.id ?? "";
});
afterAll(async () => {
  await opened?.close();
});

async function demoDocuments() {
  return opened.db.select().from(documents).where(eq(documents.portalId, demoPortalId));
}

describe("seedDemo", () => {
  it("creates two portals, the demo office and another one", async () => {
    const rows = await opened.db.select({ name: portals.name }).from(portals);
    expect(rows.map((row) => row.name).sort()).toEqual([DEMO_PORTAL, "Fiduciaire Dubois"].sort());
  });

  it("creates the demo users", async () => {
    const rows = await opened.db.select({ email: users.email }).from(users);
    expect(rows.map((row) => row.email).sort()).toEqual(DEMO_USERS.map((user) => user.email).sort());
  });

  it("creates 12 dossiers with valid, distinct company numbers in the demo office", async () => {
    const rows = await opened.db.select().from(dossiers).where(eq(dossiers.portalId, demoPortalId));
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => isValidCompanyNumber(row.companyNumber))).toBe(true);
    expect(new Set(rows.map((row) => row.companyNumber)).size).toBe(12);
  });

  it("gives the demo dossiers every kind of integration, and leaves some without any", async () => {
    const rows = await opened.db
      .select({ dossierId: dossiers.id, kind: dossierIntegrations.kind })
      .from(dossiers)
      .leftJoin(dossierIntegrations, eq(dossierIntegrations.dossierId, dossiers.id))
      .where(eq(dossiers.portalId, demoPortalId));
    const kinds = new Set(rows.map((row) => row.kind));
    for (const kind of ["connection", "email", "free_email", "none"] as const) expect(kinds).toContain(kind);
    expect(rows.filter((row) => row.kind === null).length).toBeGreaterThanOrEqual(1);
  });

  it("creates about 200 documents in the demo office over every status", async () => {
    const rows = await demoDocuments();
    expect(rows.length).toBeGreaterThanOrEqual(180);
    expect(rows.length).toBeLessThanOrEqual(260);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(["inbox", "sending", "sent", "failed", "rejected"]));
  });

  it("includes unrecognised documents (no type) and archived ones", async () => {
    const rows = await demoDocuments();
    expect(rows.filter((row) => row.documentType === null).length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.archivedAt !== null).length).toBeGreaterThan(0);
  });

  it("puts every document in its dossier's portal", async () => {
    const mismatched = await opened.db
      .select({ id: documents.id })
      .from(documents)
      .innerJoin(dossiers, eq(dossiers.id, documents.dossierId))
      .where(sql`${documents.portalId} <> ${dossiers.portalId}`);
    expect(mismatched).toEqual([]);
  });

  it("keeps portal_id consistent on integrations, members, dispatches and attempts", async () => {
    const { db } = opened;
    const count = async (query: Promise<unknown[]>) => (await query).length;
    expect(
      await count(
        db
          .select({ id: dossierIntegrations.id })
          .from(dossierIntegrations)
          .innerJoin(dossiers, eq(dossiers.id, dossierIntegrations.dossierId))
          .where(sql`${dossierIntegrations.portalId} <> ${dossiers.portalId}`),
      ),
    ).toBe(0);
    expect(
      await count(
        db
          .select({ id: dossierMembers.id })
          .from(dossierMembers)
          .innerJoin(dossiers, eq(dossiers.id, dossierMembers.dossierId))
          .where(sql`${dossierMembers.portalId} <> ${dossiers.portalId}`),
      ),
    ).toBe(0);
    expect(
      await count(
        db
          .select({ id: dispatches.id })
          .from(dispatches)
          .innerJoin(documents, eq(documents.id, dispatches.documentId))
          .where(
            sql`${dispatches.portalId} <> ${documents.portalId} or ${dispatches.dossierId} <> ${documents.dossierId}`,
          ),
      ),
    ).toBe(0);
    expect(
      await count(
        db
          .select({ id: attempts.id })
          .from(attempts)
          .innerJoin(dispatches, eq(dispatches.id, attempts.dispatchId))
          .where(
            sql`${attempts.portalId} <> ${dispatches.portalId} or ${attempts.documentId} <> ${dispatches.documentId}`,
          ),
      ),
    ).toBe(0);
  });

  it("follows the document-life rules", async () => {
    const rows = await opened.db.select().from(documents);
    // Not recognised → cannot have been sent.
    expect(rows.filter((row) => row.documentType === null && row.status !== "inbox")).toEqual([]);
    // Archive exists only for sent documents.
    expect(rows.filter((row) => row.archivedAt !== null && row.status !== "sent")).toEqual([]);
    // Sent and rejected documents were acknowledged, so they carry when and the package's reference.
    const acknowledged = rows.filter((row) => row.status === "sent" || row.status === "rejected");
    expect(acknowledged.filter((row) => row.sentAt === null || row.packageReference === null)).toEqual([]);
    // Failed and rejected documents say why.
    const refused = rows.filter((row) => row.status === "failed" || row.status === "rejected");
    expect(refused.filter((row) => !row.lastErrorCode || !row.lastErrorReason)).toEqual([]);
  });

  it("only sends from dossiers that have a usable integration", async () => {
    const rows = await opened.db
      .select({ status: documents.status, kind: dossierIntegrations.kind })
      .from(documents)
      .leftJoin(dossierIntegrations, eq(dossierIntegrations.dossierId, documents.dossierId));
    const sentWithout = rows.filter((row) => row.status !== "inbox" && (row.kind === null || row.kind === "none"));
    expect(sentWithout).toEqual([]);
  });

  it("gives every sending document exactly one active dispatch", async () => {
    const { db } = opened;
    const sending = await db.select({ id: documents.id }).from(documents).where(eq(documents.status, "sending"));
    const active = await db
      .select({ documentId: dispatches.documentId })
      .from(dispatches)
      .where(sql`${dispatches.status} in ('queued', 'running')`);
    expect(active.map((row) => row.documentId).sort()).toEqual(sending.map((row) => row.id).sort());
  });

  it("can be cleared and re-seeded, twice, with the same result", async () => {
    const { db } = opened;
    const before = (await demoDocuments()).length;
    for (let round = 0; round < 2; round++) {
      await clearDatabase(db);
      expect(await db.select().from(portals)).toEqual([]);
      expect(await db.select().from(documents)).toEqual([]);
      await seedDemo(db);
    }
    const [portal] = await db.select().from(portals).where(eq(portals.name, DEMO_PORTAL));
    demoPortalId = portal?.id ?? "";
    expect(await db.select().from(portals)).toHaveLength(2);
    expect((await demoDocuments()).length).toBe(before);
  });

  it("can be cleared and re-seeded inside one transaction (as npm run db:seed does)", async () => {
    const { db } = opened;
    await db.transaction(async (tx) => {
      await clearDatabase(tx);
      await seedDemo(tx);
    });
    expect(await db.select().from(portals)).toHaveLength(2);
  });
});
