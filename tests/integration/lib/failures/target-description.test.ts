import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, dispatches } from "@/db/schema";
import { type TargetDescription, targetDetailsText } from "@/lib/connectors/target";
import { getDocumentDetail } from "@/lib/documents/get";
import { exportDeliveryLog } from "@/lib/failures/delivery-log";
import { listFailures } from "@/lib/failures/list";
import { createTestDb } from "../../../helpers/db";
import { attemptCopiesOf, insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import { insertFailedDocuments } from "./setup";

// A failed delivery's target is described once (lib/connectors/target.ts): the document page's
// history, the failure queue and the delivery log say the same about where it was going. Before,
// the page listed five fixed keys and the queue every key the dispatch stored.

const ADMINISTRATION = "5f0c2a9e-1b3d-4c5e-8f70-9a1b2c3d4e5f";
/** As lib/dispatch/plan.ts targetFor stores a Yuki delivery: every folder the dossier maps. */
const YUKI_TARGET = {
  channel: "api",
  packageId: "yuki",
  connectionId: "",
  connection: "Yuki Kantoor",
  category: "sales",
  administrationId: ADMINISTRATION,
  purchaseFolderId: 11,
  salesFolderId: 12,
  otherFolderId: 13,
};

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

async function csvOf(portalId: string) {
  const today = new Date().toISOString().slice(0, 10);
  const result = await exportDeliveryLog(opened.db, world.actors.admin, {
    portalId,
    from: today,
    to: today,
    locale: "nl",
  });
  if (!result.ok) throw new Error(result.error);
  return new Response(result.stream).text();
}

describe("where a failed delivery was going", () => {
  it("reads the same on the document page, in the failure queue and in the delivery log", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const [document] = await insertFailedDocuments(opened.db, dossier, [{ code: "unknown_target" }]);
    const target = { ...YUKI_TARGET, connectionId: world.connections.yuki.id };
    const [dispatch] = await opened.db
      .insert(dispatches)
      .values({
        portalId: dossier.portalId,
        dossierId: dossier.id,
        documentId: document?.id,
        trigger: "manual",
        status: "failed",
        target,
      })
      .returning({ id: dispatches.id });
    await opened.db.insert(attempts).values({
      ...(await attemptCopiesOf(opened.db, dispatch?.id ?? "")),
      portalId: dossier.portalId,
      dispatchId: dispatch?.id ?? "",
      documentId: document?.id,
      number: 1,
      trigger: "manual",
      connector: "yuki",
      target,
      outcome: "permanent_error",
      errorCode: "unknown_target",
      startedAt: new Date(),
      finishedAt: new Date(),
    });

    const detail = await getDocumentDetail(opened.db, world.actors.accountant, dossier.id, document?.id ?? "");
    const onPage = detail.history[0]?.attempts[0]?.targetDescription;
    const queue = await listFailures(opened.db, world.actors.accountant, {
      portalId: world.portal.id,
      group: "settings",
      position: null,
    });
    const inQueue = queue.items.find((item) => item.documentId === document?.id)?.target;

    const expected: TargetDescription = {
      channel: "api",
      packageName: "Yuki",
      // The sales folder only: the document is a sales document.
      details: [
        { key: "connection", value: "Yuki Kantoor" },
        { key: "administrationId", value: ADMINISTRATION },
        { key: "folder", value: "12" },
      ],
    };
    expect(onPage).toEqual(expected);
    expect(inQueue).toEqual(expected);
    expect(targetDetailsText(expected)).toBe(`Yuki Kantoor · ${ADMINISTRATION} · 12`);
    const csv = await csvOf(world.portal.id);
    expect(csv).toContain(`connection: Yuki Kantoor; administrationId: ${ADMINISTRATION}; folder: 12`);
    expect(csv).not.toContain("purchaseFolderId");
  });
});
