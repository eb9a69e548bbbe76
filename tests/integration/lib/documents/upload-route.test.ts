import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as upload } from "@/app/api/dossiers/[dossierId]/documents/route";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { MAX_UPLOAD_REQUEST_BYTES } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, useTempFileStore, type World } from "./setup";

// The upload route is authenticated by the session cookie, which a browser also sends with a form
// posted from another site: a request whose Origin is not Koppel's own is refused before anything
// else, whoever is signed in.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: namespace as never }),
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
});
afterAll(async () => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  session.actor = world.actors.entrepreneur;
});

function uploadRequest(
  headers: Record<string, string>,
  dossierId = world.dossier.id,
): [Request, { params: Promise<{ dossierId: string }> }] {
  const form = new FormData();
  form.append("file", new File([Buffer.from(samplePdf())], "factuur.pdf", { type: "application/pdf" }));
  const request = new Request(`${APP}/api/dossiers/${dossierId}/documents`, { method: "POST", body: form, headers });
  return [request, { params: Promise.resolve({ dossierId }) }];
}

async function documentCount(): Promise<number> {
  return (await opened.db.select().from(documents).where(eq(documents.dossierId, world.dossier.id))).length;
}

describe("POST /api/dossiers/[dossierId]/documents: same origin only", () => {
  it("takes an upload from Koppel's own page", async () => {
    const before = await documentCount();
    const response = await upload(...uploadRequest({ origin: APP, host: "koppel.example" }));
    expect(response.status).toBe(201);
    expect(await documentCount()).toBe(before + 1);
  });

  it.each([
    ["another site", { origin: "https://evil.example", host: "koppel.example" }],
    ["an opaque origin", { origin: "null", host: "koppel.example" }],
    ["no Origin at all", { host: "koppel.example" }],
    ["no Origin, cross-site fetch metadata", { host: "koppel.example", "sec-fetch-site": "cross-site" }],
  ])("refuses %s with 403 problem+json in the user's language, and stores nothing", async (_, headers) => {
    const before = await documentCount();
    const response = await upload(...uploadRequest(headers));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = (await response.json()) as { type: string; detail: string };
    expect(body.type).toBe("urn:koppel:problem:documents:cross-origin");
    expect(body.detail).toBe(MESSAGES.fr.errors.crossOrigin);
    expect(await documentCount()).toBe(before);
  });

  it("lets a same-origin request without Origin through by Sec-Fetch-Site (the share target hook)", async () => {
    const response = await upload(...uploadRequest({ "sec-fetch-site": "same-origin" }));
    expect(response.status).toBe(201);
  });

  it("refuses a foreign origin before it says whether the dossier exists (another office's dossier, anonymous)", async () => {
    session.actor = world.actors.otherAdmin;
    expect((await upload(...uploadRequest({ origin: "https://evil.example" }))).status).toBe(403);
    session.actor = null;
    expect((await upload(...uploadRequest({ origin: "https://evil.example" }))).status).toBe(403);
  });

  it("same origin keeps the permission answers: anonymous 401, another office's admin 404", async () => {
    session.actor = null;
    expect((await upload(...uploadRequest({ origin: APP }))).status).toBe(401);
    session.actor = world.actors.otherAdmin;
    expect((await upload(...uploadRequest({ origin: APP }))).status).toBe(404);
    session.actor = world.actors.entrepreneur;
    expect((await upload(...uploadRequest({ origin: APP }, world.neighbourDossier.id))).status).toBe(404);
  });
});

describe("POST /api/dossiers/[dossierId]/documents: a body larger than an upload", () => {
  it("stops reading a chunked body at the limit and answers 413, keeping nothing", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    let pulled = 0;
    // 600 MB offered as a stream of unknown length (no Content-Length): only what the limit needs is pulled.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 600 * chunk.byteLength) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${APP}/api/dossiers/${world.dossier.id}/documents`, {
      method: "POST",
      body,
      duplex: "half",
      headers: { origin: APP, "content-type": "multipart/form-data; boundary=x" },
    } as RequestInit);
    const before = await documentCount();
    const response = await upload(request, { params: Promise.resolve({ dossierId: world.dossier.id }) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { detail: string }).detail).toBe(MESSAGES.fr.errors.upload.tooLarge);
    expect(pulled).toBeLessThan(MAX_UPLOAD_REQUEST_BYTES + 4 * chunk.byteLength);
    expect(await documentCount()).toBe(before);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const [request, context] = uploadRequest({ origin: APP, "content-length": String(MAX_UPLOAD_REQUEST_BYTES + 1) });
    const response = await upload(request, context);
    expect(response.status).toBe(413);
  });
});
