import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, dispatches, dossierIntegrations } from "@/db/schema";
import { createTestDb } from "../../helpers/db";
import {
  CHECK_VIOLATION,
  dispatchValues,
  expectPgError,
  FOREIGN_KEY_VIOLATION,
  insertConnection,
  insertDocument,
  insertDossier,
  insertPortal,
  RESTRICT_VIOLATIONS,
  UNIQUE_VIOLATION,
} from "../../helpers/fixtures";

let opened: OpenedDb;
beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

describe("one integration per dossier", () => {
  it("refuses a second integration for the same dossier", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const dossier = await insertDossier(db, portal.id);
    await db.insert(dossierIntegrations).values({ portalId: portal.id, dossierId: dossier.id, kind: "free_email" });
    const error = await expectPgError(
      db.insert(dossierIntegrations).values({ portalId: portal.id, dossierId: dossier.id, kind: "none" }),
    );
    expect(error).toEqual({ code: UNIQUE_VIOLATION, constraint: "dossier_integrations_dossier_uq" });
  });

  it("lets two dossiers each have one", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const [a, b] = [await insertDossier(db, portal.id), await insertDossier(db, portal.id)];
    await db.insert(dossierIntegrations).values([
      { portalId: portal.id, dossierId: a.id, kind: "none" },
      { portalId: portal.id, dossierId: b.id, kind: "none" },
    ]);
  });
});

describe("kind = connection ⇔ connection_id set", () => {
  it("accepts a connection integration with a connection", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const dossier = await insertDossier(db, portal.id);
    const connection = await insertConnection(db, portal.id);
    await db
      .insert(dossierIntegrations)
      .values({ portalId: portal.id, dossierId: dossier.id, kind: "connection", connectionId: connection.id });
  });

  it("refuses a connection integration without a connection", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const dossier = await insertDossier(db, portal.id);
    const error = await expectPgError(
      db.insert(dossierIntegrations).values({ portalId: portal.id, dossierId: dossier.id, kind: "connection" }),
    );
    expect(error).toEqual({ code: CHECK_VIOLATION, constraint: "dossier_integrations_connection_kind_ck" });
  });

  it.each(["email", "free_email", "none"] as const)(
    "refuses a %s integration that names a connection",
    async (kind) => {
      const { db } = opened;
      const portal = await insertPortal(db);
      const dossier = await insertDossier(db, portal.id);
      const connection = await insertConnection(db, portal.id);
      const error = await expectPgError(
        db
          .insert(dossierIntegrations)
          .values({ portalId: portal.id, dossierId: dossier.id, kind, connectionId: connection.id }),
      );
      expect(error).toEqual({ code: CHECK_VIOLATION, constraint: "dossier_integrations_connection_kind_ck" });
    },
  );

  it("refuses to delete a connection that a dossier still uses", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const dossier = await insertDossier(db, portal.id);
    const connection = await insertConnection(db, portal.id);
    await db
      .insert(dossierIntegrations)
      .values({ portalId: portal.id, dossierId: dossier.id, kind: "connection", connectionId: connection.id });
    const error = await expectPgError(db.delete(connections).where(eq(connections.id, connection.id)));
    expect(RESTRICT_VIOLATIONS).toContain(error.code);
    expect(error.constraint).toBe("dossier_integrations_connection_portal_fk");
  });
});

describe("one active dispatch per document", () => {
  it("refuses a second queued dispatch for the same document", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const document = await insertDocument(db, await insertDossier(db, portal.id));
    await db.insert(dispatches).values(dispatchValues(document, "queued"));
    const error = await expectPgError(db.insert(dispatches).values(dispatchValues(document, "queued")));
    expect(error).toEqual({ code: UNIQUE_VIOLATION, constraint: "dispatches_one_active_per_document_uq" });
  });

  it("refuses a queued dispatch while another one is running", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const document = await insertDocument(db, await insertDossier(db, portal.id));
    await db.insert(dispatches).values(dispatchValues(document, "running"));
    const error = await expectPgError(db.insert(dispatches).values(dispatchValues(document, "queued")));
    expect(error).toEqual({ code: UNIQUE_VIOLATION, constraint: "dispatches_one_active_per_document_uq" });
  });

  it("accepts a new dispatch once the first one has succeeded", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const document = await insertDocument(db, await insertDossier(db, portal.id));
    const [first] = await db.insert(dispatches).values(dispatchValues(document, "queued")).returning();
    await db
      .update(dispatches)
      .set({ status: "succeeded", finishedAt: new Date() })
      .where(eq(dispatches.id, first?.id ?? ""));
    await db.insert(dispatches).values(dispatchValues(document, "queued"));
    const rows = await db.select().from(dispatches).where(eq(dispatches.documentId, document.id));
    expect(rows.map((row) => row.status).sort()).toEqual(["queued", "succeeded"]);
  });

  it("keeps any number of finished dispatches (history) next to one active one", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const document = await insertDocument(db, await insertDossier(db, portal.id));
    await db
      .insert(dispatches)
      .values([
        dispatchValues(document, "failed"),
        dispatchValues(document, "failed"),
        dispatchValues(document, "succeeded"),
        dispatchValues(document, "running"),
      ]);
  });

  it("does not stop other documents from having their own active dispatch", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    const dossier = await insertDossier(db, portal.id);
    const [a, b] = [await insertDocument(db, dossier), await insertDocument(db, dossier)];
    await db.insert(dispatches).values([dispatchValues(a, "queued"), dispatchValues(b, "queued")]);
  });
});

describe("company number unique per portal", () => {
  it("refuses the same company number twice in one portal", async () => {
    const { db } = opened;
    const portal = await insertPortal(db);
    await insertDossier(db, portal.id, { companyNumber: "0403170701" });
    const error = await expectPgError(insertDossier(db, portal.id, { companyNumber: "0403170701" }));
    expect(error).toEqual({ code: UNIQUE_VIOLATION, constraint: "dossiers_portal_company_number_uq" });
  });

  it("lets two offices have the same company as a client", async () => {
    const { db } = opened;
    const [a, b] = [await insertPortal(db), await insertPortal(db)];
    await insertDossier(db, a.id, { companyNumber: "0202239951" });
    await insertDossier(db, b.id, { companyNumber: "0202239951" });
  });
});

describe("rows stay inside their portal", () => {
  it("refuses a document in one portal that points at another portal's dossier", async () => {
    const { db } = opened;
    const [mine, theirs] = [await insertPortal(db), await insertPortal(db)];
    const theirDossier = await insertDossier(db, theirs.id);
    const error = await expectPgError(insertDocument(db, { ...theirDossier, portalId: mine.id }));
    expect(error).toEqual({ code: FOREIGN_KEY_VIOLATION, constraint: "documents_dossier_portal_fk" });
  });

  it("refuses a dossier integration that uses another portal's connection", async () => {
    const { db } = opened;
    const [mine, theirs] = [await insertPortal(db), await insertPortal(db)];
    const dossier = await insertDossier(db, mine.id);
    const theirConnection = await insertConnection(db, theirs.id);
    const error = await expectPgError(
      db
        .insert(dossierIntegrations)
        .values({ portalId: mine.id, dossierId: dossier.id, kind: "connection", connectionId: theirConnection.id }),
    );
    expect(error).toEqual({ code: FOREIGN_KEY_VIOLATION, constraint: "dossier_integrations_connection_portal_fk" });
  });

  it("refuses a dispatch whose portal differs from its document's", async () => {
    const { db } = opened;
    const [mine, theirs] = [await insertPortal(db), await insertPortal(db)];
    const theirDossier = await insertDossier(db, theirs.id);
    const theirDocument = await insertDocument(db, theirDossier);
    const error = await expectPgError(
      db.insert(dispatches).values({ ...dispatchValues(theirDocument), portalId: mine.id }),
    );
    expect(error?.code).toBe(FOREIGN_KEY_VIOLATION);
  });
});
