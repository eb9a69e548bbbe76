import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import {
  PACKAGE_REJECTED,
  PACKAGE_REJECTED_REASON_KEY,
  recordPackageVerdicts,
  storedRejectionReason,
} from "@/lib/rejections/service";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { documentOf, insertSendableDocument, useTempFileStore } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

// Recording a package's verdicts: once, only on documents still Sent and not yet imported.

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let dossier: { id: string; portalId: string };

beforeAll(async () => {
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  dossier = await insertDossier(opened.db, world.portal.id);
});
afterAll(async () => {
  cleanupFiles?.();
  await opened?.close();
});

const now = new Date("2026-11-28T10:00:00Z");

/** A document as a delivery leaves it: Sent, with the package's reference. */
async function sentDocument(values: Parameters<typeof insertSendableDocument>[2] = {}, target = dossier) {
  const document = await insertSendableDocument(opened.db, target, { status: "sent", ...values });
  const packageReference = `ref-${document.id}`;
  await opened.db.update(documents).set({ packageReference }).where(eq(documents.id, document.id));
  return { ...document, packageReference };
}

describe("storedRejectionReason", () => {
  it("keeps the package's words on one line, bounded; without words, our translatable key", () => {
    expect(storedRejectionReason("  Leverancier\nonbekend\u0000 ")).toBe("Leverancier onbekend");
    expect(storedRejectionReason(undefined)).toBe(PACKAGE_REJECTED_REASON_KEY);
    expect(storedRejectionReason(" \n\t")).toBe(PACKAGE_REJECTED_REASON_KEY);
    const long = storedRejectionReason("x".repeat(5_000));
    expect(long).toHaveLength(1_000);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("recordPackageVerdicts", () => {
  it("marks a sent document rejected once; a repeated verdict changes nothing", async () => {
    const document = await sentDocument();
    const verdict = {
      documentId: document.id,
      packageReference: document.packageReference,
      state: "rejected" as const,
      reason: "Dubbel document",
    };
    expect(await recordPackageVerdicts(opened.db, world.portal.id, [verdict], now)).toEqual({
      imported: 0,
      rejected: 1,
    });
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "rejected",
      lastErrorCode: PACKAGE_REJECTED,
      lastErrorReason: "Dubbel document",
      failureGroup: "package_refusal",
    });
    const again = { ...verdict, reason: "Another reason later" };
    expect(await recordPackageVerdicts(opened.db, world.portal.id, [again, verdict], now)).toEqual({
      imported: 0,
      rejected: 0,
    });
    expect((await documentOf(opened.db, document.id)).lastErrorReason).toBe("Dubbel document");
  });

  it("leaves imported, inbox and failed documents alone, and another portal's", async () => {
    const imported = await sentDocument();
    await recordPackageVerdicts(
      opened.db,
      world.portal.id,
      [{ documentId: imported.id, packageReference: imported.packageReference, state: "imported" }],
      now,
    );
    const inbox = await sentDocument({ status: "inbox" });
    const failed = await sentDocument({ status: "failed" });
    const elsewhere = await sentDocument({}, world.otherDossier);
    // Sent again meanwhile: a verdict about its earlier reference is not about it any more.
    const resent = await sentDocument();
    const verdicts = [imported, inbox, failed, elsewhere].map((document) => ({
      documentId: document.id,
      packageReference: document.packageReference,
      state: "rejected" as const,
    }));
    verdicts.push({ documentId: resent.id, packageReference: "ref-of-an-earlier-send", state: "rejected" });
    expect(await recordPackageVerdicts(opened.db, world.portal.id, verdicts, now)).toEqual({
      imported: 0,
      rejected: 0,
    });
    expect(await documentOf(opened.db, imported.id)).toMatchObject({ status: "sent", importedAt: now });
    expect((await documentOf(opened.db, inbox.id)).status).toBe("inbox");
    expect((await documentOf(opened.db, failed.id)).status).toBe("failed");
    expect((await documentOf(opened.db, elsewhere.id)).status).toBe("sent");
    expect((await documentOf(opened.db, resent.id)).status).toBe("sent");
  });

  it("a rejected document that had been archived is taken out of the archive: it needs attention", async () => {
    const archived = await sentDocument({ archivedAt: now });
    await recordPackageVerdicts(
      opened.db,
      world.portal.id,
      [{ documentId: archived.id, packageReference: archived.packageReference, state: "rejected" }],
      now,
    );
    expect(await documentOf(opened.db, archived.id)).toMatchObject({
      status: "rejected",
      archivedAt: null,
      lastErrorReason: PACKAGE_REJECTED_REASON_KEY,
      failureGroup: "package_refusal",
    });
  });
});
