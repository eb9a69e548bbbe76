import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossiers } from "@/db/schema";
import { getDocument, retryDocument, sendDocument, uploadDocuments } from "@/lib/api/operations/documents";
import { createConnection, testConnection } from "@/lib/connections/service";
import { resetEnvCache } from "@/lib/env";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { enableTestOnlyPackages } from "@/lib/packages/catalog";
import { type FakeTestApi, startFakeTestApi } from "../../../fakes/test-api";
import { samplePdf } from "../../../fixtures/documents";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { runDeliverJob, useTempFileStore } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { type CollectedJobEvent, dispatchEventsIn, fileParts, multipartBody } from "./documents-setup";

// A document uploaded and sent through /api/v1 goes the app's own way: requestSend, the deliver
// job (run here as a driver runs it), the Test API package's connector, and back into the
// document's history, which GET /documents/{documentId} shows.

const jobs = vi.hoisted(() => ({ events: [] as CollectedJobEvent[] }));
vi.mock("@/lib/jobs/client", () => ({
  sendJobEvent: async (name: string, payload: unknown) => {
    jobs.events.push({ name, payload });
  },
  sendJobEvents: async (events: CollectedJobEvent[]) => {
    jobs.events.push(...events);
  },
}));

let opened: OpenedDb;
let world: World;
let fake: FakeTestApi;
let key = "";
let cleanupFiles: () => void;
let hideTestOnlyPackages: () => void;

beforeAll(async () => {
  useTestEncryptionKey();
  vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
  resetEnvCache();
  fake = await startFakeTestApi();
  opened = await createTestDb();
  // The API and the deliver job ask getDb() for the database: hand them this file's one.
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  hideTestOnlyPackages = enableTestOnlyPackages();
  key = (await insertApiKey(opened.db, world.portal.id, { role: "accountant" })).key;
});
beforeEach(() => {
  jobs.events.length = 0;
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

/** A dossier mapped to the Test API's ledger through a connection the admin made and tested. */
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
  await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
    kind: "connection",
    connectionId: connection.id,
    settings: { ledgerId: fake.ledgerId },
  });
  // Sent by hand through the API here: auto-send would take the upload before the send does.
  await opened.db.update(dossiers).set({ isAutoSendEnabled: false }).where(eq(dossiers.id, dossier.id));
  return dossier;
}

async function uploadRecognised(dossierId: string, content: Uint8Array) {
  const response = await callApi(uploadDocuments, `/dossiers/${dossierId}/documents`, {
    key,
    ...multipartBody([
      ...fileParts({ fileName: "factuur-api.pdf", content }),
      { name: "documentType", value: "purchase_invoice" },
    ]),
  });
  expect(response.status).toBe(201);
  return (await response.json()).documents[0].id as string;
}

async function getDetail(documentId: string) {
  const response = await callApi(getDocument, `/documents/${documentId}`, { key });
  expect(response.status).toBe(200);
  return response.json();
}

describe("a document sent through the API", () => {
  it("is delivered once to the package, and its page shows the attempt and the package's reference", async () => {
    const dossier = await connectedDossier();
    const content = samplePdf(1500);
    const documentId = await uploadRecognised(dossier.id, content);
    const before = fake.documents.length;

    const sent = await callApi(sendDocument, `/documents/${documentId}/send`, { key });
    expect(sent.status).toBe(202);
    const { dispatchId } = await sent.json();
    const [event] = dispatchEventsIn(jobs.events);
    expect(event?.dispatchId).toBe(dispatchId);
    if (!event) throw new Error("no delivery enqueued");

    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent", attempt: 1 });
    // A second run of the same job (a driver retrying after a lost answer) files nothing more.
    await runDeliverJob(event);
    const filed = fake.documents.slice(before);
    expect(filed).toHaveLength(1);
    expect(filed[0]).toMatchObject({ ledgerId: fake.ledgerId, reference: dispatchId, fileName: "factuur-api.pdf" });
    expect(new Uint8Array(filed[0]?.content ?? [])).toEqual(content);

    const detail = await getDetail(documentId);
    expect(detail).toMatchObject({
      status: "sent",
      sentAt: expect.any(String),
      packageReference: filed[0]?.id,
      allowedActions: { send: false, archive: true, delete: false },
      dispatches: [
        {
          id: dispatchId,
          trigger: "manual",
          status: "succeeded",
          packageReference: filed[0]?.id,
          attempts: [
            {
              number: 1,
              connector: "test-api",
              outcome: "succeeded",
              errorCode: null,
              packageReference: filed[0]?.id,
              startedAt: expect.any(String),
              finishedAt: expect.any(String),
            },
          ],
        },
      ],
    });

    const again = await callApi(sendDocument, `/documents/${documentId}/send`, { key });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "already_sent" });
    expect(fake.documents.slice(before)).toHaveLength(1);
  });

  it("that the package refuses shows failed with its code and reason, and a retry through the API delivers it", async () => {
    const dossier = await connectedDossier();
    const documentId = await uploadRecognised(dossier.id, samplePdf(900));
    const before = fake.documents.length;

    const sent = await callApi(sendDocument, `/documents/${documentId}/send`, { key });
    const [first] = dispatchEventsIn(jobs.events);
    if (!first) throw new Error("no delivery enqueued");
    fake.failNext(400);
    await runDeliverJob(first);
    const failed = await getDetail(documentId);
    expect(failed).toMatchObject({
      status: "failed",
      lastErrorCode: expect.any(String),
      allowedActions: { retry: true },
      dispatches: [
        { id: (await sent.json()).dispatchId, status: "failed", attempts: [{ outcome: "permanent_error" }] },
      ],
    });
    // Our reason in words, never the message key it is stored as.
    expect(failed.lastErrorReason).toEqual(expect.any(String));
    expect(failed.lastErrorReason).not.toMatch(/^connectors\./);
    expect(failed.dispatches[0].attempts[0].reason).toBe(failed.lastErrorReason);

    jobs.events.length = 0;
    const retried = await callApi(retryDocument, `/documents/${documentId}/retry`, { key });
    expect(retried.status).toBe(202);
    const [second] = dispatchEventsIn(jobs.events);
    if (!second) throw new Error("no retry enqueued");
    expect((await runDeliverJob(second)).result).toMatchObject({ outcome: "sent" });

    const detail = await getDetail(documentId);
    expect(detail.status).toBe("sent");
    expect(detail.dispatches.map((dispatch: { trigger: string; status: string }) => dispatch.trigger)).toEqual([
      "retry",
      "manual",
    ]);
    expect(fake.documents.slice(before)).toHaveLength(1);
  });
});
