import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, ne, sql } from "drizzle-orm";
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
import { BULK_DEMO_DOSSIER, clearDatabase, seedDemo } from "@/db/seed";
import { DEMO_USERS } from "@/lib/auth/demo-users";
import { sniffDocument } from "@/lib/documents/sniff";
import { isValidCompanyNumber } from "@/lib/dossiers/company-number";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { createTestDb } from "../../helpers/db";

const DEMO_PORTAL = "Accountantskantoor De Vos";

let opened: OpenedDb;
let demoPortalId: string;
let filesRoot: string;
let fileStore: LocalDiskFileStore;

beforeAll(async () => {
  opened = await createTestDb();
  filesRoot = await mkdtemp(path.join(tmpdir(), "koppel-seed-files-"));
  fileStore = new LocalDiskFileStore(filesRoot);
  await seedDemo(opened.db, { fileStore });
  const [portal] = await opened.db.select().from(portals).where(eq(portals.name, DEMO_PORTAL));
  demoPortalId = portal?.id ?? "";
});
afterAll(async () => {
  await opened?.close();
  if (filesRoot) await rm(filesRoot, { recursive: true, force: true });
});

async function demoDocuments() {
  return opened.db.select().from(documents).where(eq(documents.portalId, demoPortalId));
}

async function bulkDossierId() {
  const [row] = await opened.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.name, BULK_DEMO_DOSSIER));
  return row?.id ?? "";
}

/** The demo office's documents outside the bulk dossier: the mix over every status. */
async function mixedDemoDocuments() {
  return opened.db
    .select()
    .from(documents)
    .where(and(eq(documents.portalId, demoPortalId), ne(documents.dossierId, await bulkDossierId())));
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

  it("creates 13 dossiers (12 mixed, 1 for bulk sending) with valid, distinct company numbers in the demo office", async () => {
    const rows = await opened.db.select().from(dossiers).where(eq(dossiers.portalId, demoPortalId));
    expect(rows).toHaveLength(13);
    expect(rows.every((row) => isValidCompanyNumber(row.companyNumber))).toBe(true);
    expect(new Set(rows.map((row) => row.companyNumber)).size).toBe(13);
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

  it("creates about 200 documents over every status in the demo office's mixed dossiers", async () => {
    const rows = await mixedDemoDocuments();
    expect(rows.length).toBeGreaterThanOrEqual(180);
    expect(rows.length).toBeLessThanOrEqual(260);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(["inbox", "sending", "sent", "failed", "rejected"]));
  });

  it("gives the bulk dossier free mail, auto-send off and 60 recognised inbox documents", async () => {
    const dossierId = await bulkDossierId();
    const [dossier] = await opened.db.select().from(dossiers).where(eq(dossiers.id, dossierId));
    expect(dossier?.isAutoSendEnabled).toBe(false);
    const [integration] = await opened.db
      .select()
      .from(dossierIntegrations)
      .where(eq(dossierIntegrations.dossierId, dossierId));
    expect(integration?.kind).toBe("free_email");
    const rows = await opened.db.select().from(documents).where(eq(documents.dossierId, dossierId));
    expect(rows).toHaveLength(60);
    expect(rows.every((row) => row.status === "inbox" && row.documentType !== null && row.archivedAt === null)).toBe(
      true,
    );
    // Not sent automatically, and each says why.
    expect(new Set(rows.map((row) => row.autoSendSkipReason))).toEqual(new Set(["auto_send_off"]));
  });

  it("stores a real PDF for every document, matching its size and hash", async () => {
    const rows = await opened.db.select().from(documents);
    for (const row of rows) {
      const content = await fileStore.get(row.storageKey);
      expect(sniffDocument(content)).toMatchObject({ ok: true, type: { kind: "pdf" } });
      expect(content.byteLength).toBe(row.sizeBytes);
      expect(createHash("sha256").update(content).digest("hex")).toBe(row.sha256);
    }
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
      await seedDemo(db, { fileStore });
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
      await seedDemo(tx, { fileStore });
    });
    expect(await db.select().from(portals)).toHaveLength(2);
  });
});
