import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { createConnection, testConnection } from "@/lib/connections/service";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { NonRetriableJobError } from "@/lib/jobs/errors";
import { enableTestOnlyPackages } from "@/lib/packages/catalog";
import { type FakeTestApi, startFakeTestApi } from "../../../../fakes/test-api";
import { createTestDb } from "../../../../helpers/db";
import { insertDossier } from "../../../../helpers/fixtures";
import { useTestEncryptionKey } from "../../connections/helpers";
import {
  attemptsOf,
  collectingEnqueue,
  connectionStatusOf,
  documentOf,
  insertSendableDocument,
  runDeliverJob,
  useTempFileStore,
} from "../../dispatch/setup";
import { createWorld, type World } from "../../integrations/setup";

/**
 * The Test API (a test-only package, tests/fakes/test-api.ts) on the real platform: an admin
 * creates its connection and tests it, an accountant maps a dossier to it, and documents go
 * through requestSend and the deliver job (deliverDispatch) to the fake. That a deployment never
 * sees the package: hidden.test.ts.
 */

let opened: OpenedDb;
let world: World;
let fake: FakeTestApi;
let cleanupFiles: () => void;
let hideTestOnlyPackages: () => void;

beforeAll(async () => {
  useTestEncryptionKey();
  vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
  resetEnvCache();
  fake = await startFakeTestApi();
  opened = await createTestDb();
  // The deliver job asks getDb() for the database: hand it this file's one.
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  hideTestOnlyPackages = enableTestOnlyPackages();
});
afterAll(async () => {
  hideTestOnlyPackages?.();
  vi.unstubAllEnvs();
  resetEnvCache();
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await fake?.close();
  await opened?.close();
});

/** A connection to the fake made and tested by the admin, and a new dossier mapped to its ledger. */
async function connectedDossier() {
  const connection = await createConnection(opened.db, world.actors.admin, world.portal.id, {
    packageId: "test-api",
    channel: "api",
    label: "Test API",
    settings: { baseUrl: fake.url },
    secrets: { apiKey: fake.apiKey },
  });
  expect(await testConnection(opened.db, world.actors.admin, world.portal.id, connection.id)).toMatchObject({
    status: "connected",
  });
  const dossier = await insertDossier(opened.db, world.portal.id);
  const saved = await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
    kind: "connection",
    connectionId: connection.id,
    settings: { ledgerId: fake.ledgerId },
  });
  expect(saved.evaluation).toMatchObject({ state: "ok", problems: [] });
  return { connection, dossier };
}

/** requestSend by the accountant; the dispatch is returned instead of enqueued, for the test to run. */
async function requestOne(dossierId: string, documentId: string) {
  const queue = collectingEnqueue();
  const { accepted, refused } = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId, documentIds: [documentId], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  expect(refused).toEqual([]);
  const event = queue.events[0];
  if (!event || accepted.length !== 1) throw new Error("not accepted");
  return event;
}

describe("the Test API through requestSend and the deliver job", () => {
  it("files the document once in the dossier's ledger, and the document ends Sent with the package's reference", async () => {
    const { dossier } = await connectedDossier();
    const document = await insertSendableDocument(opened.db, dossier, { fileName: "factuur-017.pdf" });
    const before = fake.documents.length;
    const event = await requestOne(dossier.id, document.id);
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");

    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent", attempt: 1 });

    const filed = fake.documents.slice(before);
    expect(filed).toHaveLength(1);
    expect(filed[0]).toMatchObject({
      ledgerId: fake.ledgerId,
      reference: event.dispatchId,
      category: "purchase",
      fileName: "factuur-017.pdf",
    });
    expect(new Uint8Array(filed[0]?.content ?? [])).toEqual(document.content);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "sent",
      packageReference: filed[0]?.id,
    });
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([
      {
        number: 1,
        connector: "test-api",
        outcome: "succeeded",
        packageReference: filed[0]?.id,
        target: { ledgerId: fake.ledgerId, isAlreadyThere: false },
      },
    ]);
  });

  it("retries after a server error and then succeeds, looking its reference up before filing", async () => {
    const { dossier } = await connectedDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const before = fake.documents.length;
    const lookupsBefore = fake.counts.lookups;
    const event = await requestOne(dossier.id, document.id);

    fake.failNext(503);
    const first = await runDeliverJob(event, 0);
    expect(first.result).toMatchObject({ outcome: "waiting", attemptCount: 1 });
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    // The next try's time, come now (instead of waiting out the backoff).
    await opened.db.update(dispatches).set({ nextAttemptAt: new Date() }).where(eq(dispatches.id, event.dispatchId));

    expect((await runDeliverJob(event, 1)).result).toMatchObject({ outcome: "sent", attempt: 2 });
    const filed = fake.documents.slice(before);
    expect(filed.map((row) => row.reference)).toEqual([event.dispatchId]);
    // The second try was not the first: it asked the ledger for its reference before posting.
    expect(fake.counts.lookups).toBe(lookupsBefore + 1);
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([
      { number: 1, outcome: "retryable_error", errorCode: "server_error" },
      { number: 2, outcome: "succeeded", packageReference: filed[0]?.id },
    ]);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sent", packageReference: filed[0]?.id });
  });

  it("fails the document on a refused key and marks the connection as needing re-authorisation", async () => {
    const { connection, dossier } = await connectedDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const before = fake.documents.length;
    const event = await requestOne(dossier.id, document.id);

    fake.failNext(401);
    const { error } = await runDeliverJob(event);
    expect(error).toBeInstanceOf(NonRetriableJobError);
    expect(fake.documents).toHaveLength(before);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "auth_failed",
      lastErrorReason: "connectors.errors.auth_failed",
    });
    expect(await connectionStatusOf(opened.db, connection.id)).toEqual({
      status: "needs_reauth",
      lastErrorCode: "auth_failed",
    });
  });
});
