import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierIntegrations, dossiers } from "@/db/schema";
import { setConnectionDisabled } from "@/lib/connections/service";
import { autoSend } from "@/lib/dispatch/auto-send";
import { resetEnvCache } from "@/lib/env";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";
import { dispatchesOf, documentOf, insertSendableDocument, useTempFileStore } from "./setup";

// A connection made usable again by a person (re-enabled here; connected anew through OAuth goes
// the same way, lib/connections/oauth.ts): the "not sent automatically: the connection is
// disabled" notes of its dossiers no longer apply, and with auto-send on those documents go now.

const jobs = vi.hoisted(() => ({ events: [] as unknown[] }));
vi.mock("@/lib/jobs/client", () => ({
  sendJobEvent: vi.fn(async (name: string, payload: unknown) => {
    jobs.events.push({ name, payload });
  }),
  sendJobEvents: vi.fn(async (events: unknown[]) => {
    jobs.events.push(...events);
  }),
}));

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  delete process.env.INNGEST_EVENT_KEY;
  delete process.env.INNGEST_DEV;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

async function dossierOn(connectionId: string) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await opened.db.insert(dossierIntegrations).values({
    portalId: world.portal.id,
    dossierId: dossier.id,
    kind: "connection",
    connectionId,
    settings: {},
  });
  return dossier;
}

describe("re-enabling a disabled connection", () => {
  it("clears the 'connection disabled' notes of its dossiers and auto-sends those documents, leaving other dossiers alone", async () => {
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "expert-m",
      channel: "ftp",
      label: "Expert/M",
      status: "disabled",
    });
    const first = await dossierOn(connection.id);
    const second = await dossierOn(connection.id);
    const elsewhere = await dossierOn(world.connections.disabled.id);
    const waiting = [
      await insertSendableDocument(opened.db, first, { documentType: "purchase_invoice" }),
      await insertSendableDocument(opened.db, first, { documentType: "sales_invoice" }),
      await insertSendableDocument(opened.db, second, { documentType: "purchase_invoice" }),
    ];
    const other = await insertSendableDocument(opened.db, elsewhere, { documentType: "purchase_invoice" });
    for (const document of [...waiting, other]) await autoSend(opened.db, document.id);
    for (const document of [...waiting, other]) {
      expect((await documentOf(opened.db, document.id)).autoSendSkipReason).toBe("connection_disabled");
    }

    jobs.events.length = 0;
    await setConnectionDisabled(opened.db, world.actors.admin, world.portal.id, connection.id, false);

    for (const document of waiting) {
      expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sending", autoSendSkipReason: null });
      expect(await dispatchesOf(opened.db, document.id)).toMatchObject([{ trigger: "auto", requestedByUserId: null }]);
    }
    expect(jobs.events).toHaveLength(3);
    // Another connection's dossier keeps its note: its connection is still disabled.
    expect(await documentOf(opened.db, other.id)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "connection_disabled",
    });

    // Enabling an enabled connection again changes nothing and sends nothing twice.
    await setConnectionDisabled(opened.db, world.actors.admin, world.portal.id, connection.id, false);
    expect(jobs.events).toHaveLength(3);
  });

  it("with auto-send off: the stale notes go, the documents wait for a person", async () => {
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "expert-m",
      channel: "ftp",
      label: "Expert/M 2",
      status: "disabled",
    });
    const dossier = await dossierOn(connection.id);
    const document = await insertSendableDocument(opened.db, dossier, { documentType: "purchase_invoice" });
    await autoSend(opened.db, document.id);
    expect((await documentOf(opened.db, document.id)).autoSendSkipReason).toBe("connection_disabled");
    await opened.db.update(dossiers).set({ isAutoSendEnabled: false }).where(eq(dossiers.id, dossier.id));

    jobs.events.length = 0;
    await setConnectionDisabled(opened.db, world.actors.admin, world.portal.id, connection.id, false);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "inbox", autoSendSkipReason: null });
    expect(await dispatchesOf(opened.db, document.id)).toEqual([]);
    expect(jobs.events).toEqual([]);
  });
});
