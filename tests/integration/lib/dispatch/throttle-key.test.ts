import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, dispatches } from "@/db/schema";
import type { Connector } from "@/lib/connectors/types";
import { autoSend } from "@/lib/dispatch/auto-send";
import { requestSend } from "@/lib/dispatch/request-send";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { deliverPayloadSchema } from "@/lib/jobs/definitions/deliver";
import type { Channel, PackageId } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";
import {
  collectingEnqueue,
  insertSendableDocument,
  scriptedApiConnector,
  setIntegration,
  useTempFileStore,
} from "./setup";

// Every place that enqueues deliveries (requestSend — manual, bulk and auto-send — and the resume
// on start that the sweeper also uses) gives each event the throttle key of its route: the Exact
// stand-in below buckets by region and division, and everything else gets its own dispatch id.

/** The scripted Exact stand-in, with the throttle key the real one has: per region and division. */
const throttledApiConnector = {
  ...scriptedApiConnector,
  id: "throttled-exact-online",
  deliveryThrottle: {
    deliveriesPerMinute: 30,
    key: (settings: Record<string, unknown>, dossierSettings: { division: number }) =>
      `${String(settings.region ?? "be")}:${dossierSettings.division}`,
  },
} as unknown as Connector;

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: async (packageId: PackageId, channel: Channel) =>
      packageId === "exact-online" && channel === "api"
        ? throttledApiConnector
        : actual.loadConnector(packageId, channel),
  };
});

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
beforeEach(async () => {
  await opened.db.delete(dispatches);
});
afterAll(async () => {
  cleanupFiles?.();
  await opened?.close();
});

async function exactDossier(division: number, connectionId = world.connections.exact.id) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: { division } });
  return dossier;
}

async function sendAll(dossier: { id: string; portalId: string }, count: number) {
  const documents = [];
  for (let i = 0; i < count; i++) documents.push(await insertSendableDocument(opened.db, dossier));
  const queue = collectingEnqueue();
  await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: documents.map((d) => d.id), trigger: "bulk" },
    { enqueue: queue.enqueue },
  );
  expect(queue.events).toHaveLength(count);
  return queue.events;
}

describe("the deliver job's throttle key", () => {
  it("is one bucket per division for a bulk send, shared by two dossiers on the same division", async () => {
    const events = await sendAll(await exactDossier(123456), 3);
    expect(new Set(events.map((event) => event.throttleKey))).toEqual(new Set(["throttled-exact-online:be:123456"]));

    const [sameDivision] = await sendAll(await exactDossier(123456), 1);
    expect(sameDivision?.throttleKey).toBe("throttled-exact-online:be:123456");
    const [otherDivision] = await sendAll(await exactDossier(654321), 1);
    expect(otherDivision?.throttleKey).toBe("throttled-exact-online:be:654321");
  });

  it("reads the connection's settings for the key (another region, another bucket)", async () => {
    const dutch = await insertConnectionOf(opened.db, world.portal.id, { label: "Exact Nederland" });
    await opened.db
      .update(connections)
      .set({ settings: { region: "nl" } })
      .where(eq(connections.id, dutch.id));
    const [event] = await sendAll(await exactDossier(123456, dutch.id), 1);
    expect(event?.throttleKey).toBe("throttled-exact-online:nl:123456");
  });

  it("is the dispatch's own id for mail, which is not throttled", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, { kind: "free_email", addresses: { purchase: "in@kantoor.example" } });
    const events = await sendAll(dossier, 2);
    for (const event of events) expect(event.throttleKey).toBe(event.dispatchId);
  });

  it("comes with auto-send too", async () => {
    const dossier = await exactDossier(777);
    const document = await insertSendableDocument(opened.db, dossier);
    const queue = collectingEnqueue();
    expect(await autoSend(opened.db, document.id, { enqueue: queue.enqueue })).toMatchObject({ outcome: "sent" });
    expect(queue.events.map((event) => event.throttleKey)).toEqual(["throttled-exact-online:be:777"]);
  });

  it("is computed again when unfinished dispatches are resumed (on start, and by the sweeper)", async () => {
    const exact = await exactDossier(4242);
    const mail = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, mail, { kind: "free_email", addresses: { purchase: "in@kantoor.example" } });
    const sent = [...(await sendAll(exact, 2)), ...(await sendAll(mail, 1))];

    const queue = collectingEnqueue();
    expect(await resumeUnfinishedDispatches(opened.db, { enqueue: queue.enqueue })).toBe(3);
    expect(queue.events.sort((a, b) => a.dispatchId.localeCompare(b.dispatchId))).toEqual(
      sent.sort((a, b) => a.dispatchId.localeCompare(b.dispatchId)),
    );

    // The sweeper's filter: only dispatches untouched since the cut-off, with the same keys.
    const swept = collectingEnqueue();
    const sweep = { now: new Date(), queuedStaleBefore: new Date(Date.now() + 60_000) };
    await resumeUnfinishedDispatches(opened.db, { enqueue: swept.enqueue, sweep });
    expect(swept.events.filter((event) => event.throttleKey === "throttled-exact-online:be:4242")).toHaveLength(2);
  });

  it("resumes a dispatch whose dossier lost its route unthrottled rather than not at all", async () => {
    const dossier = await exactDossier(99);
    const [event] = await sendAll(dossier, 1);
    // The dossier's connection is disabled meanwhile: the deliver job will fail it with a reason.
    const other = await insertConnectionOf(opened.db, world.portal.id, { status: "disabled" });
    await setIntegration(opened.db, dossier, {
      kind: "connection",
      connectionId: other.id,
      settings: { division: 99 },
    });

    const queue = collectingEnqueue();
    await resumeUnfinishedDispatches(opened.db, { enqueue: queue.enqueue });
    expect(queue.events).toEqual([{ ...event, throttleKey: event?.dispatchId }]);
  });

  it("fits the deliver job's payload, which every enqueue validates", async () => {
    const [event] = await sendAll(await exactDossier(31), 1);
    expect(deliverPayloadSchema.parse(event)).toEqual(event);
  });
});
