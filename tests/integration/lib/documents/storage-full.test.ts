import { readdir } from "node:fs/promises";
import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as upload } from "@/app/api/dossiers/[dossierId]/documents/route";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { diskFull } from "../../../helpers/disk-full";
import { createWorld, useTempFileStore, type World } from "./setup";

// The disk fills up during an upload of several files: each file is answered for itself, the files
// stored before stay stored (and are said to be), the others are refused as "storage full" with
// nothing of them left on disk, and sending the same files again once there is room makes no copy.

// Imported inside the factory: vi.mock runs before the file's own imports.
vi.mock("node:fs/promises", async (importOriginal) =>
  (await import("../../../helpers/disk-full")).withDiskFull(await importOriginal()),
);
// Uploads stream to the disk (LocalDiskFileStore.putStream): the same full disk for write streams.
vi.mock("node:fs", async (importOriginal) =>
  (await import("../../../helpers/disk-full")).withDiskFullStreams(await importOriginal()),
);
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
let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  process.env.AUTH_URL = APP;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  files = await useTempFileStore();
  session.actor = world.actors.entrepreneur;
});
afterEach(() => {
  diskFull.after = null;
  diskFull.writesLeft = 0;
});
afterAll(async () => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await files?.dispose();
  await opened?.close();
});

const pdfs = [samplePdf(3000), samplePdf(3100), samplePdf(3200)];
const names = ["een.pdf", "twee.pdf", "drie.pdf"];

function uploadOf(contents: Uint8Array[]) {
  const form = new FormData();
  for (const [index, content] of contents.entries()) {
    form.append("file", new File([Buffer.from(content)], names[index] ?? "x.pdf", { type: "application/pdf" }));
  }
  const request = new Request(`${APP}/api/dossiers/${world.dossier.id}/documents`, {
    method: "POST",
    body: form,
    headers: { origin: APP },
  });
  return upload(request, { params: Promise.resolve({ dossierId: world.dossier.id }) });
}

async function storedDocuments() {
  return opened.db
    .select({ fileName: documents.fileName, sha256: documents.sha256 })
    .from(documents)
    .where(eq(documents.dossierId, world.dossier.id));
}

async function tempFiles(): Promise<string[]> {
  return (await readdir(files.root, { recursive: true })).map(String).filter((name) => name.endsWith(".tmp"));
}

describe("an upload while the disk fills up", () => {
  it("answers per file: the first stored, the others refused as storage full with nothing kept; a retry makes no copy", async () => {
    diskFull.after = 512;
    diskFull.writesLeft = 1;
    const response = await uploadOf(pdfs);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: Record<string, unknown>[] };
    expect(body.results).toMatchObject([
      { fileName: "een.pdf", ok: true },
      { fileName: "twee.pdf", ok: false, status: 507, code: "storage_full", messageKey: "errors.storage.full" },
      { fileName: "drie.pdf", ok: false, status: 507, code: "storage_full" },
    ]);
    expect(body.results[1]?.message).toBe(
      "Koppel kon dit bestand niet bewaren: de opslag is vol. Er is niets van dit bestand bewaard; probeer het later opnieuw.",
    );
    expect((await storedDocuments()).map((document) => document.fileName)).toEqual(["een.pdf"]);
    expect(await files.keys()).toHaveLength(1);
    expect(await tempFiles()).toEqual([]);

    // Room again: the same three files. The one that arrived is refused as already there.
    diskFull.after = null;
    const retry = await uploadOf(pdfs);
    expect(retry.status).toBe(200);
    const retried = (await retry.json()) as { results: Record<string, unknown>[] };
    expect(retried.results).toMatchObject([
      { fileName: "een.pdf", ok: false, status: 409, code: "duplicate_file" },
      { fileName: "twee.pdf", ok: true },
      { fileName: "drie.pdf", ok: true },
    ]);
    const stored = await storedDocuments();
    expect(stored.map((document) => document.fileName).sort()).toEqual(["drie.pdf", "een.pdf", "twee.pdf"]);
    expect(new Set(stored.map((document) => document.sha256)).size).toBe(3);
    expect(await files.keys()).toHaveLength(3);
  });

  it("when no file could be kept, answers 507 with the reason in the person's language", async () => {
    diskFull.after = 0;
    const response = await uploadOf([samplePdf(4000)]);
    expect(response.status).toBe(507);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await response.json()) as { detail: string; results: Record<string, unknown>[] };
    expect(problem.detail).toContain("de opslag is vol");
    expect(problem.results).toMatchObject([{ ok: false, code: "storage_full" }]);
    expect(await tempFiles()).toEqual([]);
  });
});
