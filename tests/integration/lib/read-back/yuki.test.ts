import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { createConnection, testConnection } from "@/lib/connections/service";
import type { DocumentType } from "@/lib/connectors/types";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { listConnectionsForReadBack, readBackConnection } from "@/lib/read-back/service";
import { FAKE_YUKI_ACCESS_KEY, type FakeYuki, startFakeYuki } from "../../../fakes/yuki";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { allowCustomApiHosts, DOSSIER_SETTINGS } from "../connectors/yuki/helpers";
import { collectingEnqueue, insertSendableDocument, setIntegration, useTempFileStore } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

// Yuki below the UI: an admin's Yuki connection (real encryption, a real check against the fake),
// a dossier mapped to an administration and its archive folders, a bulk send through requestSend
// and the deliver step, then the read-back asking Yuki (FindDocument) about what it holds.

let opened: OpenedDb;
let world: World;
let yuki: FakeYuki;
let cleanupFiles: () => void;
let connectionId = "";
let dossier: { id: string; portalId: string; companyNumber: string };
const ids: string[] = [];

const MIX: Array<[DocumentType, number]> = [
  ["purchase_invoice", 3],
  ["sales_credit_note", 2],
  ["other", 1],
];

beforeAll(async () => {
  allowCustomApiHosts("1");
  useTestEncryptionKey();
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  yuki = await startFakeYuki();
  const connection = await createConnection(opened.db, world.actors.admin, world.portal.id, {
    packageId: "yuki",
    channel: "api",
    label: "Yuki kantoor",
    settings: { region: "be", baseUrl: yuki.url },
    secrets: { accessKey: FAKE_YUKI_ACCESS_KEY },
  });
  connectionId = connection.id;
  expect(await testConnection(opened.db, world.actors.admin, world.portal.id, connectionId)).toMatchObject({
    status: "connected",
  });
  dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: DOSSIER_SETTINGS });
});
afterAll(async () => {
  await yuki?.close();
  cleanupFiles?.();
  await opened?.close();
  allowCustomApiHosts(undefined);
});

describe("a bulk send to Yuki", () => {
  it("uploads every document once into the folder of its category and ends Sent with Yuki's id", async () => {
    for (const [documentType, count] of MIX) {
      for (let i = 0; i < count; i++) ids.push((await insertSendableDocument(opened.db, dossier, { documentType })).id);
    }
    const queue = collectingEnqueue();
    const { accepted, refused } = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: ids, trigger: "bulk" },
      { enqueue: queue.enqueue },
    );
    expect(refused).toEqual([]);
    expect(accepted).toHaveLength(6);
    for (const event of queue.events) {
      expect(await deliverDispatch(opened.db, event.dispatchId)).toMatchObject({ outcome: "sent" });
    }
    const rows = await opened.db
      .select({ status: documents.status, packageReference: documents.packageReference })
      .from(documents)
      .where(inArray(documents.id, ids));
    expect(rows.every((row) => row.status === "sent")).toBe(true);
    expect(rows.map((row) => row.packageReference).sort()).toEqual(yuki.documents.map((stored) => stored.id).sort());
    const inFolder = (folder: number) => yuki.documents.filter((stored) => stored.folder === folder).length;
    expect(inFolder(DOSSIER_SETTINGS.purchaseFolderId)).toBe(3);
    expect(inFolder(DOSSIER_SETTINGS.salesFolderId)).toBe(2);
    expect(inFolder(DOSSIER_SETTINGS.otherFolderId ?? -1)).toBe(1);
    expect(yuki.documents.every((stored) => stored.administrationId === DOSSIER_SETTINGS.administrationId)).toBe(true);
  });
});

describe("read-back", () => {
  it("asks Yuki about the sent documents and marks those it holds as imported, once", async () => {
    expect(await listConnectionsForReadBack(opened.db)).toEqual([{ id: connectionId, portalId: world.portal.id }]);
    const findsBefore = yuki.callCount("FindDocument");
    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 6,
      imported: 6,
      rejected: 0,
    });
    expect(yuki.callCount("FindDocument") - findsBefore).toBe(6);
    const rows = await opened.db
      .select({ importedAt: documents.importedAt, status: documents.status })
      .from(documents)
      .where(inArray(documents.id, ids));
    expect(rows.every((row) => row.importedAt !== null && row.status === "sent")).toBe(true);
    // Nothing is left to ask about.
    expect(await readBackConnection(opened.db, connectionId)).toEqual({ outcome: "skipped", reason: "nothing_sent" });
    expect(await listConnectionsForReadBack(opened.db)).toEqual([]);
  });
});
