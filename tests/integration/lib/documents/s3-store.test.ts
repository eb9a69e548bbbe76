import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as upload } from "@/app/api/dossiers/[dossierId]/documents/route";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { removeDocument } from "@/lib/documents/delete";
import { getDocumentFile } from "@/lib/documents/get";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { setFileStore } from "@/lib/storage";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "./setup";

// The app on FILE_STORE=s3: an upload lands in the bucket under "<office>/<dossier>/<document>"
// (never the file's name), the document's file is read back from it with the same bytes, a deleted
// document's object goes, and a bucket that does not answer is told per file as "unavailable"
// (503) with no document left behind.

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "nl", messages: MESSAGES.nl, namespace: namespace as never }),
}));

const APP = "https://koppel.example";
const savedAuthUrl = process.env.AUTH_URL;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
let opened: OpenedDb;
let world: World;
let s3: FakeS3;
let store: S3FileStore;

beforeAll(async () => {
  process.env.AUTH_URL = APP;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  s3 = await startFakeS3({ bucket: "koppel-documents" });
  store = new S3FileStore(s3.settings);
  setFileStore(store);
  session.actor = world.actors.entrepreneur;
});
afterAll(async () => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
  resetEnvCache();
  setFileStore(undefined);
  globalThis.__koppelDb = undefined;
  store?.destroy();
  await s3?.close();
  await opened?.close();
});

function uploadOf(content: Uint8Array, fileName: string) {
  const form = new FormData();
  form.append("file", new File([Buffer.from(content)], fileName, { type: "application/pdf" }));
  const request = new Request(`${APP}/api/dossiers/${world.dossier.id}/documents`, {
    method: "POST",
    body: form,
    headers: { origin: APP },
  });
  return upload(request, { params: Promise.resolve({ dossierId: world.dossier.id }) });
}

describe("documents on an S3-compatible store", () => {
  it("keeps an upload in the bucket under its key, reads the same bytes back, and removes it with the document", async () => {
    const pdf = samplePdf(5000);
    const response = await uploadOf(pdf, "factuur bakker.pdf");
    expect(response.status).toBe(201);
    const [row] = await opened.db.select().from(documents).where(eq(documents.dossierId, world.dossier.id));
    if (!row) throw new Error("no document stored");
    expect(row.storageKey).toBe(`${world.portal.id}/${world.dossier.id}/${row.id}`);
    expect(sha256(await store.get(row.storageKey))).toBe(sha256(pdf));

    const file = await getDocumentFile(opened.db, world.actors.accountant, row.id);
    expect(sha256(file.content)).toBe(sha256(pdf));

    await removeDocument(opened.db, world.actors.accountant, row.id);
    expect(await store.has(row.storageKey)).toBeNull();
  });

  it("answers 503 'the store does not answer' when the bucket is unreachable, and keeps no document", async () => {
    await s3.stop();
    try {
      const response = await uploadOf(samplePdf(5100), "tweede.pdf");
      expect(response.status).toBe(503);
      const problem = (await response.json()) as { detail: string; results: Record<string, unknown>[] };
      expect(problem.results).toMatchObject([{ ok: false, status: 503, code: "storage_unavailable" }]);
      expect(problem.detail).toContain("de opslag antwoordt niet");
      const rows = await opened.db.select().from(documents).where(eq(documents.dossierId, world.dossier.id));
      expect(rows).toEqual([]);
    } finally {
      await s3.start();
    }
  });
});
