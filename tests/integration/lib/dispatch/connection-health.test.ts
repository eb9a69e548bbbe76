import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, dispatches } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { stopLocalJobDriver } from "@/lib/jobs/runtime";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
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
  delete process.env.INNGEST_EVENT_KEY;
  delete process.env.INNGEST_DEV;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
beforeEach(() => {
  scriptedApi.script = [];
  scriptedApi.delivered = [];
});
afterAll(async () => {
  await stopLocalJobDriver();
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

const EARLIER = new Date(Date.UTC(2026, 0, 1, 8));

/** A dossier on its own connection, whose health starts as given. */
async function dossierOnConnection(health: Partial<typeof connections.$inferInsert> = {}) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  const connection = await insertConnectionOf(opened.db, world.portal.id, { label: "Exact Online", status: "error" });
  await opened.db
    .update(connections)
    .set({ lastErrorCode: "network", lastErrorAt: EARLIER, lastCheckedAt: EARLIER, ...health })
    .where(eq(connections.id, connection.id));
  await setIntegration(opened.db, dossier, {
    kind: "connection",
    connectionId: connection.id,
    settings: { division: 7 },
  });
  return { dossier, connection };
}

async function healthOf(id: string) {
  const [row] = await opened.db
    .select({
      status: connections.status,
      lastCheckedAt: connections.lastCheckedAt,
      lastSuccessAt: connections.lastSuccessAt,
      lastErrorCode: connections.lastErrorCode,
      lastErrorAt: connections.lastErrorAt,
    })
    .from(connections)
    .where(eq(connections.id, id));
  return row;
}

async function sendOne(dossier: { id: string; portalId: string }, options: { withoutFile?: boolean } = {}) {
  const document = await insertSendableDocument(opened.db, dossier, options);
  const queue = collectingEnqueue();
  const { accepted } = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  expect(accepted).toHaveLength(1);
  const event = queue.events[0];
  if (!event) throw new Error("not enqueued");
  return { document, event };
}

describe("a real delivery records its connection's health", () => {
  it("a success makes an 'error, never succeeded' connection connected, with its last success, and no check stamped", async () => {
    const { dossier, connection } = await dossierOnConnection();
    const before = new Date();
    const { document, event } = await sendOne(dossier);
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent" });
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
    const health = await healthOf(connection.id);
    expect(health).toMatchObject({
      status: "connected",
      lastErrorCode: null,
      lastErrorAt: null,
      lastCheckedAt: EARLIER,
    });
    expect(health?.lastSuccessAt?.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it("an unreachable server marks it error on the try that met it, and the retry's success heals it", async () => {
    const { dossier, connection } = await dossierOnConnection({
      status: "connected",
      lastErrorCode: null,
      lastErrorAt: null,
    });
    const { document, event } = await sendOne(dossier);
    scriptedApi.script = [new ConnectorError("retryable", "connection_refused")];
    await runDeliverJob(event, 0);
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    expect(await healthOf(connection.id)).toMatchObject({ status: "error", lastErrorCode: "connection_refused" });

    // Its next try's time, come now.
    await opened.db.update(dispatches).set({ nextAttemptAt: new Date() }).where(eq(dispatches.id, event.dispatchId));
    expect((await runDeliverJob(event, 1)).result).toMatchObject({ outcome: "sent" });
    expect(await healthOf(connection.id)).toMatchObject({ status: "connected", lastErrorCode: null });
  });

  it("a wrong folder or refused credentials set the connection's state", async () => {
    const folder = await dossierOnConnection({ status: "connected", lastErrorCode: null, lastErrorAt: null });
    scriptedApi.script = [new ConnectorError("permanent", "permission_denied")];
    await runDeliverJob((await sendOne(folder.dossier)).event);
    expect(await healthOf(folder.connection.id)).toMatchObject({ status: "error", lastErrorCode: "permission_denied" });

    const credentials = await dossierOnConnection({ status: "connected", lastErrorCode: null, lastErrorAt: null });
    scriptedApi.script = [new ConnectorError("auth", "not_authorised")];
    await runDeliverJob((await sendOne(credentials.dossier)).event);
    expect(await healthOf(credentials.connection.id)).toMatchObject({
      status: "needs_reauth",
      lastErrorCode: "not_authorised",
    });
  });

  it("a file or document the package refuses, or a missing file, leaves the connection's health alone", async () => {
    const healthy = { status: "connected" as const, lastErrorCode: null, lastErrorAt: null, lastSuccessAt: EARLIER };
    const { dossier, connection } = await dossierOnConnection(healthy);
    for (const error of [
      new ConnectorError("permanent", "file_refused"),
      new ConnectorError("permanent", "package_refused"),
      new ConnectorError("permanent", "invalid_settings"),
      new ConnectorError("retryable", "rate_limited"),
      new ConnectorError("retryable", "timeout"),
    ]) {
      scriptedApi.script = [error];
      const { document, event } = await sendOne(dossier);
      await runDeliverJob(event);
      if (error.kind === "retryable") {
        // A retryable failure waits for its next try, with the code it met.
        const [dispatch] = await opened.db.select().from(dispatches).where(eq(dispatches.id, event.dispatchId));
        expect(dispatch?.waitingCode).toBe(error.code);
      } else expect((await documentOf(opened.db, document.id)).lastErrorCode).toBe(error.code);
    }
    const { document } = await sendOne(dossier, { withoutFile: true }).then(async (sent) => {
      await runDeliverJob(sent.event);
      return sent;
    });
    expect((await documentOf(opened.db, document.id)).lastErrorCode).toBe("file_missing");
    expect(await healthOf(connection.id)).toEqual({ ...healthy, lastCheckedAt: EARLIER });

    // The same for a connection in error: a refused document does not say it works again either.
    const broken = await dossierOnConnection();
    scriptedApi.script = [new ConnectorError("permanent", "package_refused")];
    await runDeliverJob((await sendOne(broken.dossier)).event);
    expect(await healthOf(broken.connection.id)).toMatchObject({
      status: "error",
      lastErrorCode: "network",
      lastSuccessAt: null,
    });
  });

  it("a disabled connection stays disabled whatever the delivery did", async () => {
    const { dossier, connection } = await dossierOnConnection({
      status: "connected",
      lastErrorCode: null,
      lastErrorAt: null,
    });
    const { event } = await sendOne(dossier);
    scriptedApi.script = [
      async () => {
        await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, connection.id));
      },
    ];
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent" });
    expect(await healthOf(connection.id)).toMatchObject({ status: "disabled", lastSuccessAt: null });
  });
});
