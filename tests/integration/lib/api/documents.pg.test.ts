import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documents, outboxEmails } from "@/db/schema";
import { sendDocument, uploadDocuments } from "@/lib/api/operations/documents";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { samplePdf } from "../../../fixtures/documents";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import {
  collectingEnqueue,
  insertSendableDocument,
  runDeliverJob,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { type CollectedJobEvent, dispatchEventsIn, fileParts, multipartBody } from "./documents-setup";

// The API's races, proven where they can be: real PostgreSQL, many connections at once. PGlite
// runs one transaction at a time, so this file runs only with TEST_DATABASE_URL (vitest.config.ts
// leaves *.pg.test.ts out otherwise).

const jobs = vi.hoisted(() => ({ events: [] as CollectedJobEvent[] }));
vi.mock("@/lib/jobs/client", () => ({
  sendJobEvent: async (name: string, payload: unknown) => {
    jobs.events.push({ name, payload });
  },
  sendJobEvents: async (events: CollectedJobEvent[]) => {
    jobs.events.push(...events);
  },
}));

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((name) => [name, process.env[name]]));

let opened: OpenedDb;
let world: World;
let key = "";
let cleanupFiles: () => void;

beforeAll(async () => {
  // Deliveries go to the local outbox, where each one is a row.
  for (const name of ENV_KEYS) delete process.env[name];
  resetEnvCache();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  key = (await insertApiKey(opened.db, world.portal.id, { role: "accountant" })).key;
  await setIntegration(opened.db, world.dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
});
beforeEach(() => {
  jobs.events.length = 0;
});
afterAll(async () => {
  cleanupFiles?.();
  for (const name of ENV_KEYS) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("the document API on PostgreSQL", () => {
  it("20 concurrent uploads with one Idempotency-Key create one document, and every answer is that one", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const form = multipartBody(fileParts({ fileName: "twintig.pdf", content: samplePdf(50_000) }));
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        callApi(uploadDocuments, `/dossiers/${dossier.id}/documents`, {
          key,
          body: form.body,
          headers: { ...form.headers, "idempotency-key": "twintig-keer" },
        }),
      ),
    );
    const answers = await Promise.all(
      responses.map(async (response) => ({ status: response.status, body: await response.json() })),
    );
    const created = answers.filter((answer) => answer.status === 201);
    const waiting = answers.filter((answer) => answer.status === 409);
    expect(created.length + waiting.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // Whoever got an answer got the first one; the others were told the first is still running.
    expect(new Set(created.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    for (const answer of waiting) expect(answer.body).toMatchObject({ code: "idempotency_request_in_progress" });

    const rows = await opened.db
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.dossierId, dossier.id));
    expect(rows).toHaveLength(1);
    expect(created[0]?.body.documents[0].id).toBe(rows[0]?.id);
  });

  it("an API send racing a UI send of the same documents: one dispatch and one delivery each", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await insertSendableDocument(opened.db, world.dossier)).id);
    const queue = collectingEnqueue();

    // For every document, at the same time: the key's send and the entrepreneur's click.
    const races = await Promise.all(
      ids.map(async (documentId) => {
        const [api, ui] = await Promise.all([
          callApi(sendDocument, `/documents/${documentId}/send`, { key }),
          requestSend(
            opened.db,
            world.actors.entrepreneur,
            { dossierId: world.dossier.id, documentIds: [documentId], trigger: "manual" },
            { enqueue: queue.enqueue },
          ),
        ]);
        return { documentId, api: { status: api.status, body: await api.json() }, ui };
      }),
    );
    for (const race of races) {
      const apiWon = race.api.status === 202;
      const uiWon = race.ui.accepted.length === 1;
      expect(apiWon !== uiWon, race.documentId).toBe(true);
      if (apiWon) expect(race.ui.refused).toEqual([{ documentId: race.documentId, reason: "already_sending" }]);
      else expect(race.api).toMatchObject({ status: 409, body: { code: "already_sending" } });
    }

    const rows = await opened.db
      .select({ id: dispatches.id, documentId: dispatches.documentId })
      .from(dispatches)
      .where(inArray(dispatches.documentId, ids));
    expect(rows.map((row) => row.documentId).sort()).toEqual([...ids].sort());
    const events = [...dispatchEventsIn(jobs.events), ...queue.events];
    expect(events.map((event) => event.dispatchId).sort()).toEqual(rows.map((row) => row.id).sort());

    // Every job twice at once (a driver's retry next to a resume): still one mail per document.
    await Promise.all(events.flatMap((event) => [runDeliverJob(event), runDeliverJob(event)]));
    const mails = await opened.db
      .select({ key: outboxEmails.idempotencyKey })
      .from(outboxEmails)
      .where(
        inArray(
          outboxEmails.idempotencyKey,
          rows.map((row) => row.id),
        ),
      );
    expect(mails).toHaveLength(ids.length);
    const sent = await opened.db.select({ status: documents.status }).from(documents).where(inArray(documents.id, ids));
    expect(sent.every((row) => row.status === "sent")).toBe(true);
  });
});
