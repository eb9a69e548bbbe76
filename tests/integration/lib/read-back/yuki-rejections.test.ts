import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { createConnection } from "@/lib/connections/service";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { readBackConnection } from "@/lib/read-back/service";
import { PACKAGE_REJECTED } from "@/lib/rejections/service";
import { FAKE_YUKI_ACCESS_KEY, FAKE_YUKI_ADMINISTRATIONS, type FakeYuki, startFakeYuki } from "../../../fakes/yuki";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { allowCustomApiHosts, DOSSIER_SETTINGS } from "../connectors/yuki/helpers";
import {
  collectingEnqueue,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

// Yuki's back office refuses a document (Backoffice GetWorkflow lists it with a reason): the
// read-back asks GetWorkflow per administration, in the administration each document was sent to,
// and marks the listed ones Rejected with Yuki's words, once.

let opened: OpenedDb;
let world: World;
let yuki: FakeYuki;
let cleanupFiles: () => void;
let connectionId = "";
const bakery: { ids: string[]; dossier?: { id: string; portalId: string } } = { ids: [] };
const butcher: { ids: string[]; dossier?: { id: string; portalId: string } } = { ids: [] };
const BUTCHER_ADMINISTRATION = FAKE_YUKI_ADMINISTRATIONS[1]?.id ?? "";

async function sendAll(dossier: { id: string; portalId: string }, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await insertSendableDocument(opened.db, dossier)).id);
  const queue = collectingEnqueue();
  const { accepted } = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: ids, trigger: "bulk" },
    { enqueue: queue.enqueue },
  );
  expect(accepted).toHaveLength(count);
  for (const event of queue.events) {
    expect(await deliverDispatch(opened.db, event.dispatchId)).toMatchObject({ outcome: "sent" });
  }
  return ids;
}

async function referenceOf(documentId: string): Promise<string> {
  const reference = (await documentOf(opened.db, documentId)).packageReference;
  if (!reference) throw new Error("not sent");
  return reference;
}

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
  bakery.dossier = await insertDossier(opened.db, world.portal.id);
  butcher.dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, bakery.dossier, { kind: "connection", connectionId, settings: DOSSIER_SETTINGS });
  await setIntegration(opened.db, butcher.dossier, {
    kind: "connection",
    connectionId,
    settings: { ...DOSSIER_SETTINGS, administrationId: BUTCHER_ADMINISTRATION },
  });
  bakery.ids = await sendAll(bakery.dossier, 2);
  butcher.ids = await sendAll(butcher.dossier, 2);
});
afterAll(async () => {
  await yuki?.close();
  cleanupFiles?.();
  await opened?.close();
  allowCustomApiHosts(undefined);
});

describe("Yuki rejections", () => {
  it("marks a document on Yuki's workflow list Rejected with Yuki's reason, asking each administration once", async () => {
    const [refusedId, ...otherButcherIds] = butcher.ids;
    if (!refusedId) throw new Error("nothing sent");
    yuki.addWorkflowItem(await referenceOf(refusedId), "Leverancier onbekend: btw-nummer ontbreekt op de factuur.");
    const workflowCallsBefore = yuki.callCount("GetWorkflow");

    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 4,
      imported: 3,
      rejected: 1,
    });
    // One GetWorkflow per administration the documents were sent to (bakery's, butcher's).
    expect(yuki.callCount("GetWorkflow") - workflowCallsBefore).toBe(2);

    const refused = await documentOf(opened.db, refusedId);
    expect(refused).toMatchObject({
      status: "rejected",
      importedAt: null,
      lastErrorCode: PACKAGE_REJECTED,
      lastErrorReason: "Leverancier onbekend: btw-nummer ontbreekt op de factuur.",
    });
    const others = await opened.db
      .select({ status: documents.status, importedAt: documents.importedAt })
      .from(documents)
      .where(inArray(documents.id, [...bakery.ids, ...otherButcherIds]));
    expect(others.every((row) => row.status === "sent" && row.importedAt !== null)).toBe(true);
  });

  it("a repeated poll changes nothing: the rejected document is not asked about again", async () => {
    const findsBefore = yuki.callCount("FindDocument");
    expect(await readBackConnection(opened.db, connectionId)).toEqual({ outcome: "skipped", reason: "nothing_sent" });
    expect(yuki.callCount("FindDocument")).toBe(findsBefore);
    const [refusedId] = butcher.ids;
    expect(await documentOf(opened.db, refusedId ?? "")).toMatchObject({ status: "rejected" });
  });
});
