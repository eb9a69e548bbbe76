import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { deliveryBreakers, dispatches } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import { requestSend } from "@/lib/dispatch/request-send";
import { tryDeliveryNow } from "@/lib/dispatch/try-now";
import { listWaitingStates, waitingLine } from "@/lib/dispatch/waiting-state";
import { getDocumentDetail } from "@/lib/documents/get";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";
import {
  collectingEnqueue,
  documentOf,
  insertSendableDocument,
  loadConnectorWithScriptedApi,
  runDeliverJob,
  scriptedApi,
  setIntegration,
  useTempFileStore,
} from "./setup";

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      loadConnectorWithScriptedApi(actual.loadConnector, packageId, channel),
  };
});

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
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

/** A document to Exact Online (the scripted API) whose first try met an unreachable server. */
async function waitingDocument() {
  const dossier = world.dossier;
  const connection = await insertConnectionOf(opened.db, world.portal.id, { label: "Exact Online" });
  await setIntegration(opened.db, dossier, {
    kind: "connection",
    connectionId: connection.id,
    settings: { division: 7 },
  });
  const document = await insertSendableDocument(opened.db, dossier);
  const queue = collectingEnqueue();
  await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  const event = queue.events[0];
  if (!event) throw new Error("not accepted");
  scriptedApi.script = [new ConnectorError("retryable", "connection_refused")];
  expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "waiting" });
  return { dossier, connection, document, event };
}

describe("a document that waits out an outage", () => {
  it("shows the truth on its page and in the list: package, since, next try (nl, fr, en)", async () => {
    const { dossier, document } = await waitingDocument();
    const detail = await getDocumentDetail(opened.db, world.actors.entrepreneur, dossier.id, document.id);
    expect(detail.status).toBe("sending");
    expect(detail.waiting).toMatchObject({ packageName: "Exact Online", code: "connection_refused" });
    const view = detail.waiting;
    if (!view?.nextTryAt) throw new Error("no waiting view");
    // The default horizon: 24 hours after the first failure.
    expect(view.givesUpAt.getTime() - view.since.getTime()).toBe(24 * 3_600_000);
    const listed = await listWaitingStates(opened.db, { portalId: world.portal.id }, [document.id]);
    expect(listed.get(document.id)).toEqual(view);

    const fixed = { ...view, since: new Date("2026-12-06T10:02:00Z"), nextTryAt: new Date("2026-12-06T10:15:00Z") };
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const lines = (["nl", "fr", "en"] as const).map((locale) =>
      waitingLine(
        fixed,
        { t: createTranslator({ locale, messages: MESSAGES[locale] }), time: hhmm, since: hhmm },
        new Date("2026-12-06T10:05:00Z"),
      ),
    );
    expect(lines).toEqual([
      "Wacht: Exact Online onbereikbaar sinds 10:02, volgende poging 10:15",
      "En attente : Exact Online injoignable depuis 10:02, prochain essai à 10:15",
      "Waiting: Exact Online unreachable since 10:02, next try 10:15",
    ]);
  });

  it("'try now' brings the next try to now and starts a run; only for who may send, only while it waits", async () => {
    const { document, connection, event } = await waitingDocument();
    const [before] = await opened.db.select().from(dispatches).where(eq(dispatches.id, event.dispatchId));
    expect(before?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now());

    // Another office's admin: not found (no hint that it exists). A malformed id: the same.
    await expect(tryDeliveryNow(opened.db, world.actors.otherAdmin, document.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(tryDeliveryNow(opened.db, world.actors.accountant, "nope")).rejects.toBeInstanceOf(NotFoundError);

    // Its lane's breaker is open: this try is the probe.
    const open = { failures: 3, openedAt: new Date(), nextProbeAt: new Date(Date.now() + 3_600_000) };
    await opened.db
      .insert(deliveryBreakers)
      .values({
        key: `connection:${connection.id}`,
        portalId: world.portal.id,
        connectionId: connection.id,
        failingSince: new Date(),
        lastErrorCode: "connection_refused",
        ...open,
      })
      .onConflictDoUpdate({ target: deliveryBreakers.key, set: open });
    const queue = collectingEnqueue();
    const result = await tryDeliveryNow(opened.db, world.actors.entrepreneur, document.id, { enqueue: queue.enqueue });
    expect(result.dispatchId).toBe(event.dispatchId);
    expect(queue.events.map((e) => e.dispatchId)).toEqual([event.dispatchId]);
    const [after] = await opened.db.select().from(dispatches).where(eq(dispatches.id, event.dispatchId));
    expect(after?.nextAttemptAt?.getTime()).toBeLessThanOrEqual(Date.now());
    const [breaker] = await opened.db
      .select()
      .from(deliveryBreakers)
      .where(eq(deliveryBreakers.key, `connection:${connection.id}`));
    expect(breaker?.nextProbeAt?.getTime()).toBeLessThanOrEqual(Date.now());

    // The run it started probes (the scripted connection's check answers) and delivers.
    const sent = await runDeliverJob(queue.events[0] as (typeof queue.events)[number]);
    expect(sent.result).toMatchObject({ outcome: "sent", attempt: 2 });
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
    expect(
      await opened.db
        .select()
        .from(deliveryBreakers)
        .where(eq(deliveryBreakers.key, `connection:${connection.id}`)),
    ).toEqual([]);

    // Sent now: nothing waits any more.
    await expect(tryDeliveryNow(opened.db, world.actors.accountant, document.id)).rejects.toBeInstanceOf(ConflictError);
  });
});
