import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as documentFile } from "@/app/api/documents/[documentId]/file/route";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { MESSAGES } from "@/lib/i18n/messages";
import { setFileStore } from "@/lib/storage";
import type { FileStore } from "@/lib/storage/file-store";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";
import { createTestDb } from "../../../helpers/db";
import { insertDocument } from "../../../helpers/fixtures";
import { ublBytes } from "../../../helpers/ubl";
import { createWorld, type World } from "./setup";

// The document file route (preview and download) streams the file from the store, on local disk
// and on an S3-compatible server, and answers one byte range (206), a range past the end (416) and
// several or malformed ranges (the whole file), always with the file's own security headers and
// behind the same permission checks. Every body is compared by SHA-256 with what was stored.

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "nl", messages: MESSAGES.nl, namespace: namespace as never }),
}));

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const SIZE = 100_003;
const content = new Uint8Array(randomBytes(SIZE));

let opened: OpenedDb;
let world: World;
let root: string;
let s3: FakeS3;
let s3Store: S3FileStore;

beforeAll(async () => {
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  root = await mkdtemp(path.join(tmpdir(), "koppel-file-route-"));
  s3 = await startFakeS3({ bucket: "koppel-file-route" });
  s3Store = new S3FileStore(s3.settings);
});
afterAll(async () => {
  setFileStore(undefined);
  globalThis.__koppelDb = undefined;
  s3Store?.destroy();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
  await opened?.close();
});

function get(documentId: string, { range }: { range?: string } = {}, query = "") {
  const request = new Request(`https://koppel.example/api/documents/${documentId}/file${query}`, {
    headers: range === undefined ? {} : { range },
  });
  return documentFile(request, { params: Promise.resolve({ documentId }) });
}

async function storedDocument(store: FileStore, bytes: Uint8Array = content) {
  const document = await insertDocument(opened.db, world.dossier);
  await store.put(document.storageKey, bytes, { contentType: "application/pdf" });
  return document;
}

function expectFileHeaders(response: Response, disposition: "inline" | "attachment" = "inline") {
  expect(response.headers.get("content-type")).toBe("application/pdf");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("content-security-policy")).toBe("sandbox; frame-ancestors 'self'");
  expect(response.headers.get("cache-control")).toBe("private, no-store");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^${disposition}; filename=`));
  expect(response.headers.get("accept-ranges")).toBe("bytes");
}

const partials: [string, number, number][] = [
  [`bytes=1000-5999`, 1_000, 5_999],
  [`bytes=90000-`, 90_000, SIZE - 1],
  [`bytes=-700`, SIZE - 700, SIZE - 1],
  [`bytes=${SIZE - 1}-${SIZE - 1}`, SIZE - 1, SIZE - 1],
  [`bytes=99000-${SIZE + 500}`, 99_000, SIZE - 1],
];

describe.each(["local disk", "S3"] as const)("the document file route on %s", (name) => {
  let store: FileStore;
  beforeAll(() => {
    store = name === "S3" ? s3Store : new LocalDiskFileStore(path.join(root, "files"));
    setFileStore(store);
    session.actor = world.actors.entrepreneur;
  });

  it("streams the whole file with its headers and Accept-Ranges", async () => {
    const document = await storedDocument(store);
    const response = await get(document.id);
    expect(response.status).toBe(200);
    expectFileHeaders(response);
    expect(response.headers.get("content-length")).toBe(String(SIZE));
    expect(response.headers.get("content-range")).toBeNull();
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(content));
  });

  it.each(partials)("answers %s with 206 and the same slice of the file", async (range, first, last) => {
    const document = await storedDocument(store);
    const response = await get(document.id, { range });
    expect(response.status).toBe(206);
    expectFileHeaders(response);
    expect(response.headers.get("content-range")).toBe(`bytes ${first}-${last}/${SIZE}`);
    expect(response.headers.get("content-length")).toBe(String(last - first + 1));
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(content.subarray(first, last + 1)));
  });

  it("keeps the download's attachment disposition on a range", async () => {
    const document = await storedDocument(store);
    const response = await get(document.id, { range: "bytes=0-9" }, "?download=1");
    expect(response.status).toBe(206);
    expectFileHeaders(response, "attachment");
    await response.arrayBuffer();
  });

  it.each([`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, "bytes=-0"])(
    "answers %s with 416 and the file's size",
    async (range) => {
      const document = await storedDocument(store);
      const response = await get(document.id, { range });
      expect(response.status).toBe(416);
      expect(response.headers.get("content-range")).toBe(`bytes */${SIZE}`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toBe("sandbox; frame-ancestors 'self'");
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    },
  );

  it.each(["bytes=0-9,20-29", "bytes=9-5", "bytes=x-y", "lines=1-2"])(
    "sends the whole file for %s (several or malformed ranges)",
    async (range) => {
      const document = await storedDocument(store);
      const response = await get(document.id, { range });
      expect(response.status).toBe(200);
      expectFileHeaders(response);
      expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(content));
    },
  );

  it("answers 404, ranged or not, to other offices, other dossiers' entrepreneurs and missing files", async () => {
    const neighbours = await insertDocument(opened.db, world.neighbourDossier);
    await store.put(neighbours.storageKey, content, { contentType: "application/pdf" });
    const withoutFile = await insertDocument(opened.db, world.dossier);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (const [actor, documentId] of [
        [world.actors.entrepreneur, neighbours.id],
        [world.actors.otherAdmin, neighbours.id],
        [world.actors.admin, withoutFile.id],
      ] as const) {
        session.actor = actor;
        for (const headers of [{}, { range: "bytes=0-9" }, { range: `bytes=${SIZE}-` }]) {
          expect((await get(documentId, headers)).status).toBe(404);
        }
      }
    } finally {
      logged.mockRestore();
      session.actor = world.actors.entrepreneur;
    }
  });

  it("serves an image without the sandbox", async () => {
    const document = await storedDocument(store);
    await opened.db.update(documents).set({ mimeType: "image/png" }).where(eq(documents.id, document.id));
    const response = await get(document.id, { range: "bytes=0-99" });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'self'");
    await response.arrayBuffer();
  });
});

describe("the document file route", () => {
  it("answers 503 when the store fails", async () => {
    const notADirectory = path.join(root, "not-a-directory");
    await writeFile(notADirectory, "x");
    const document = await insertDocument(opened.db, world.dossier);
    setFileStore(new LocalDiskFileStore(notADirectory));
    session.actor = world.actors.entrepreneur;
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (const headers of [{}, { range: "bytes=0-9" }]) {
        const response = await get(document.id, headers);
        expect(response.status).toBe(503);
        expect((await response.json()).type).toBe("urn:koppel:problem:documents:storage-unavailable");
      }
    } finally {
      logged.mockRestore();
    }
  });

  it("answers ranges of a UBL invoice's PDF view as slices of the whole view", async () => {
    const store = new LocalDiskFileStore(path.join(root, "ubl"));
    setFileStore(store);
    session.actor = world.actors.accountant;
    const document = await insertDocument(opened.db, world.dossier);
    const xml = ublBytes({ embeddedPdf: null });
    await opened.db
      .update(documents)
      .set({ fileName: "factuur.xml", mimeType: "application/xml", sizeBytes: xml.byteLength })
      .where(eq(documents.id, document.id));
    await store.put(document.storageKey, xml, { contentType: "application/xml" });

    const whole = await get(document.id, {}, "?view=pdf");
    expect(whole.status).toBe(200);
    expectFileHeaders(whole);
    const pdf = new Uint8Array(await whole.arrayBuffer());
    const size = pdf.byteLength;

    const tail = await get(document.id, { range: "bytes=-100" }, "?view=pdf");
    expect(tail.status).toBe(206);
    expectFileHeaders(tail);
    expect(tail.headers.get("content-range")).toBe(`bytes ${size - 100}-${size - 1}/${size}`);
    expect(sha256(new Uint8Array(await tail.arrayBuffer()))).toBe(sha256(pdf.subarray(size - 100)));

    const past = await get(document.id, { range: `bytes=${size}-` }, "?view=pdf");
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${size}`);
  });
});
