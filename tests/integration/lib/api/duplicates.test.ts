import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { confirmNotDuplicate, getDocument, sendDocument, uploadDocuments } from "@/lib/api/operations/documents";
import { samplePdf } from "../../../fixtures/documents";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertSendableDocument, setIntegration, useTempFileStore } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { type CollectedJobEvent, fileParts, multipartBody } from "./documents-setup";

// "No invoice twice" through /api/v1: the same file again is a 409 naming the document that has
// it; a held document says so, is refused a send, and goes once confirmed as a different one.

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
let cleanupFiles: () => void;
const keys = { admin: "", readOnly: "", otherOffice: "" };

beforeAll(async () => {
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  keys.admin = (await insertApiKey(opened.db, world.portal.id)).key;
  keys.readOnly = (await insertApiKey(opened.db, world.portal.id, { scopes: ["documents:read"] })).key;
  keys.otherOffice = (await insertApiKey(opened.db, world.otherPortal.id)).key;
  await setIntegration(opened.db, world.dossier, { kind: "free_email", addresses: { purchase: "in@kantoor.example" } });
});
beforeEach(() => {
  jobs.events.length = 0;
});
afterAll(async () => {
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

function upload(files: { fileName: string; content: Uint8Array }[]) {
  const form = multipartBody(files.flatMap((file) => fileParts(file)));
  return callApi(uploadDocuments, `/dossiers/${world.dossier.id}/documents`, {
    key: keys.admin,
    body: form.body,
    headers: form.headers,
  });
}

describe("the same file again", () => {
  it("alone: 409 problem+json with the document that has it", async () => {
    const content = samplePdf();
    const first = await (await upload([{ fileName: "a.pdf", content }])).json();
    const existingId = first.documents[0].id as string;

    const response = await upload([{ fileName: "again.pdf", content }]);
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({
      status: 409,
      code: "duplicate_file",
      existingDocumentId: existingId,
      existingDocumentUrl: `/api/v1/documents/${existingId}`,
      errors: [{ path: "file.0" }],
    });
  });

  it("among other files: 200, the others stored, that one refused with the document", async () => {
    const content = samplePdf();
    const existing = await insertSendableDocument(opened.db, world.dossier, { content });
    const response = await upload([
      { fileName: "new.pdf", content: samplePdf() },
      { fileName: "again.pdf", content },
    ]);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.documents).toHaveLength(1);
    expect(body.refused).toEqual([
      {
        index: 1,
        fileName: "again.pdf",
        status: 409,
        code: "duplicate_file",
        detail: expect.any(String),
        existingDocumentId: existing.id,
        existingDocumentUrl: `/api/v1/documents/${existing.id}`,
      },
    ]);
  });
});

describe("a document held as a possible duplicate", () => {
  it("shows the hold, is refused a send, and goes once confirmed", async () => {
    const earlier = await insertSendableDocument(opened.db, world.dossier);
    const held = await insertSendableDocument(opened.db, world.dossier, { possibleDuplicateOf: earlier.id });

    const shown = await (await callApi(getDocument, `/documents/${held.id}`, { key: keys.admin })).json();
    expect(shown).toMatchObject({
      possibleDuplicateOf: earlier.id,
      allowedActions: { send: false, confirmNotDuplicate: true, delete: true },
    });

    const refused = await callApi(sendDocument, `/documents/${held.id}/send`, { key: keys.admin });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "possible_duplicate" });

    const path = `/documents/${held.id}/confirm-not-duplicate`;
    expect((await callApi(confirmNotDuplicate, path, { key: keys.otherOffice })).status).toBe(404);
    expect((await callApi(confirmNotDuplicate, path, { key: keys.readOnly })).status).toBe(403);
    const confirmed = await callApi(confirmNotDuplicate, path, { key: keys.admin });
    expect(confirmed.status).toBe(200);
    // Then it goes: auto-send is on, so it is on its way when the answer comes.
    expect(await confirmed.json()).toMatchObject({ id: held.id, status: "sending", possibleDuplicateOf: null });
    expect(jobs.events).toContainEqual({
      name: "dispatch/dispatch.requested",
      payload: expect.objectContaining({ dispatchId: expect.any(String) }),
    });

    const again = await callApi(confirmNotDuplicate, path, { key: keys.admin });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "already_sending" });
  });
});
