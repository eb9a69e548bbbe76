import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as upload } from "@/app/api/dossiers/[dossierId]/documents/route";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { uploadDocuments as uploadOperation } from "@/lib/api/operations/documents";
import type { Actor } from "@/lib/auth/actor";
import { MAX_FILES_PER_UPLOAD, MAX_UPLOAD_REQUEST_BYTES } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { setFileStore } from "@/lib/storage";
import type { FileStore } from "@/lib/storage/file-store";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";
import { sampleExe, samplePdf, UBL_INVOICE_XML, utf8 } from "../../../fixtures/documents";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { type FormPart, multipartBody } from "../api/documents-setup";
import { createWorld, useTempFileStore, type World } from "./setup";

// Uploads stream into the file store (lib/documents/upload.ts): on local disk and on a real
// S3-compatible server (s3rver), a file sent as a chunked body arrives byte for byte (SHA-256 of
// what the store gives back), a refused upload leaves no file and no object behind whatever refused
// it, and a store that goes away while a file streams in is told as 503 with no document.

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
const MB = 1024 * 1024;
const CHUNK = 64 * 1024;
const savedAuthUrl = process.env.AUTH_URL;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
let opened: OpenedDb;

beforeAll(async () => {
  process.env.AUTH_URL = APP;
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterAll(async () => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

type Part = FormPart;

/**
 * Posts the parts to the upload route as a chunked body (no Content-Length), 64 KB at a time.
 * `onPulled` hears how many bytes the route has pulled so far (a test stops the store mid-way).
 */
async function postChunked(
  world: World,
  parts: Part[],
  onPulled: (bytes: number) => void | Promise<void> = () => {},
): Promise<{ response: Response; pulled: number }> {
  const { body: bytes, headers } = multipartBody(parts);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pulled >= bytes.byteLength) return controller.close();
      const chunk = bytes.subarray(pulled, pulled + CHUNK);
      pulled += chunk.byteLength;
      await onPulled(pulled);
      controller.enqueue(chunk);
    },
  });
  const request = new Request(`${APP}/api/dossiers/${world.dossier.id}/documents`, {
    method: "POST",
    body,
    duplex: "half",
    headers: { origin: APP, ...headers },
  } as RequestInit);
  const response = await upload(request, { params: Promise.resolve({ dossierId: world.dossier.id }) });
  return { response, pulled };
}

const fileOf = (content: Uint8Array, fileName: string): Part => ({ name: "file", value: content, fileName });

type StoreUnderTest = {
  store: FileStore;
  /** Every key that has a file or an object. */
  keys(): Promise<string[]>;
  dispose(): Promise<void>;
  /** A real S3 server, which a test can stop mid-upload. */
  s3?: FakeS3;
};

async function useLocalDisk(): Promise<StoreUnderTest> {
  const files = await useTempFileStore();
  return { store: files.store, keys: files.keys, dispose: files.dispose };
}

async function useS3Bucket(): Promise<StoreUnderTest> {
  const s3 = await startFakeS3({ bucket: "koppel-streamed" });
  const store = new S3FileStore(s3.settings);
  setFileStore(store);
  return {
    store,
    s3,
    // s3rver keeps objects as files: list them through the SDK by the document keys we know.
    keys: async () => (await keysOfBucket(s3)).sort(),
    async dispose() {
      setFileStore(undefined);
      store.destroy();
      await s3.close();
    },
  };
}

async function keysOfBucket(s3: FakeS3): Promise<string[]> {
  const { ListObjectsV2Command, S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    region: s3.settings.region,
    endpoint: s3.settings.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  try {
    const answer = await client.send(new ListObjectsV2Command({ Bucket: s3.settings.bucket }));
    return (answer.Contents ?? []).map((object) => object.Key ?? "");
  } finally {
    client.destroy();
  }
}

/** A fresh world (its entrepreneur signed in) and a store of its own, for one describe block. */
function useWorldAndStore(makeStore: () => Promise<StoreUnderTest>): { world: World; target: StoreUnderTest } {
  const context = {} as { world: World; target: StoreUnderTest };
  beforeAll(async () => {
    context.world = await createWorld(opened.db);
    context.target = await makeStore();
    session.actor = context.world.actors.entrepreneur;
  });
  afterAll(async () => {
    await context.target?.dispose();
  });
  return context;
}

describe.each([
  ["local disk", useLocalDisk],
  ["an S3-compatible bucket", useS3Bucket],
])("a streamed upload to %s", (_name, makeStore) => {
  const context = useWorldAndStore(makeStore);

  async function rowsOfDossier() {
    return opened.db.select().from(documents).where(eq(documents.dossierId, context.world.dossier.id));
  }

  it("stores a 12 MB file sent chunked byte for byte, under the document's key", async () => {
    // Over S3's 8 MB part: the bucket gets it as a multipart upload.
    const pdf = samplePdf(12 * MB);
    const { response } = await postChunked(context.world, [fileOf(pdf, "jaarrekening.pdf")]);
    expect(response.status).toBe(201);
    const [row] = await rowsOfDossier();
    if (!row) throw new Error("no document stored");
    expect(row.sha256).toBe(sha256(pdf));
    expect(row.sizeBytes).toBe(pdf.byteLength);
    expect(row.mimeType).toBe("application/pdf");
    expect(sha256(await context.target.store.get(row.storageKey))).toBe(sha256(pdf));
    expect(await context.target.keys()).toEqual([row.storageKey]);
  });

  it("reads a UBL e-invoice back from the store and types it from its XML", async () => {
    const xml = utf8(UBL_INVOICE_XML);
    const { response } = await postChunked(context.world, [fileOf(xml, "factuur.xml")]);
    expect(response.status).toBe(201);
    const row = (await rowsOfDossier()).find((document) => document.mimeType === "application/xml");
    // Its number comes from the XML, which only a read of the whole file gives.
    expect(row?.recognisedFields).toMatchObject({ invoiceNumber: "INV-2026-001" });
    expect(sha256(await context.target.store.get(row?.storageKey ?? ""))).toBe(sha256(xml));
  });

  it("leaves no file behind for whatever refuses an upload, and makes no document", async () => {
    const keysBefore = await context.target.keys();
    const rowsBefore = (await rowsOfDossier()).length;
    const stored = (await rowsOfDossier())[0];
    if (!stored) throw new Error("the first test stores a document");
    const storedPdf = await context.target.store.get(stored.storageKey);

    const refusals: { parts: Part[]; status: number }[] = [
      // Not a type we take (counted, never written).
      { parts: [fileOf(sampleExe(3 * MB), "setup.pdf")], status: 415 },
      // Over 20 MB (cut at the limit, dropped from the store).
      { parts: [fileOf(samplePdf(20 * MB + 1), "te-groot.pdf")], status: 413 },
      // The same file again (stored, then dropped once the duplicate is known).
      { parts: [fileOf(storedPdf, "nog eens.pdf")], status: 409 },
      // More files than an upload takes (reading stops at one too many).
      {
        parts: Array.from({ length: MAX_FILES_PER_UPLOAD + 1 }, (_, index) => fileOf(samplePdf(2000), `${index}.pdf`)),
        status: 400,
      },
      // An unknown type after the files (known only once the files are stored).
      { parts: [fileOf(samplePdf(2 * MB), "factuur.pdf"), { name: "documentType", value: "invoice" }], status: 400 },
      // A body over the request limit: stops being read there.
      { parts: [fileOf(samplePdf(MAX_UPLOAD_REQUEST_BYTES + 4 * MB), "veel-te-groot.pdf")], status: 413 },
    ];
    for (const refusal of refusals) {
      const { response, pulled } = await postChunked(context.world, refusal.parts);
      expect(response.status, `parts: ${refusal.parts.map((part) => part.fileName ?? part.name).join(", ")}`).toBe(
        refusal.status,
      );
      expect(pulled).toBeLessThanOrEqual(MAX_UPLOAD_REQUEST_BYTES + 2 * CHUNK);
      expect(await context.target.keys()).toEqual(keysBefore);
      expect(await rowsOfDossier()).toHaveLength(rowsBefore);
    }
  });
  it("keeps nothing of a body that breaks off inside a file, or ends without its closing boundary", async () => {
    const keysBefore = await context.target.keys();
    const rowsBefore = (await rowsOfDossier()).length;
    const broken = postChunked(context.world, [fileOf(samplePdf(6 * MB), "afgebroken.pdf")], (pulled) => {
      if (pulled >= 3 * MB) throw new Error("the client went away");
    });
    expect((await broken).response.status).toBe(400);

    const { body } = multipartBody([fileOf(samplePdf(2 * MB), "zonder-einde.pdf")]);
    const request = new Request(`${APP}/api/dossiers/${context.world.dossier.id}/documents`, {
      method: "POST",
      body: body.subarray(0, body.byteLength - 40),
      headers: { origin: APP, "content-type": "multipart/form-data; boundary=koppel-test-boundary-7f3a" },
    });
    const unfinished = await upload(request, { params: Promise.resolve({ dossierId: context.world.dossier.id }) });
    expect(unfinished.status).toBe(400);

    expect(await context.target.keys()).toEqual(keysBefore);
    expect(await rowsOfDossier()).toHaveLength(rowsBefore);
  });
});

describe("a streamed upload to an S3-compatible bucket that goes away mid-file", () => {
  const context = useWorldAndStore(useS3Bucket);

  it("answers 503 with no document and no object", async () => {
    const s3 = context.target.s3 as FakeS3;
    let stopped: Promise<void> | null = null;
    try {
      const { response } = await postChunked(context.world, [fileOf(samplePdf(14 * MB), "onderweg.pdf")], (pulled) => {
        // After the first 8 MB part has gone: the server goes away.
        if (pulled >= 10 * MB && stopped === null) stopped = s3.stop();
      });
      expect(stopped).not.toBeNull();
      expect(response.status).toBe(503);
      const problem = (await response.json()) as { detail: string; results: Record<string, unknown>[] };
      expect(problem.results).toMatchObject([{ ok: false, status: 503, code: "storage_unavailable" }]);
      expect(problem.detail).toContain("de opslag antwoordt niet");
    } finally {
      await stopped;
      await s3.start();
    }
    expect(await opened.db.select().from(documents).where(eq(documents.dossierId, context.world.dossier.id))).toEqual(
      [],
    );
    expect(await context.target.keys()).toEqual([]);
  });
});

describe("a streamed upload through the REST API with an Idempotency-Key", () => {
  const context = useWorldAndStore(useLocalDisk);

  it("keeps one file for one document: a replay and a reused key drop what they streamed in", async () => {
    const { key } = await insertApiKey(opened.db, context.world.portal.id, { role: "accountant" });
    const path = `/dossiers/${context.world.dossier.id}/documents`;
    const request = multipartBody([fileOf(samplePdf(3 * MB), "eenmaal.pdf")]);
    const headers = { ...request.headers, "idempotency-key": "streamed-eenmaal" };
    const first = await callApi(uploadOperation, path, { key, body: request.body, headers });
    expect(first.status).toBe(201);
    const keysAfterFirst = await context.target.keys();
    expect(keysAfterFirst).toHaveLength(1);

    const replay = await callApi(uploadOperation, path, { key, body: request.body, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const other = multipartBody([fileOf(samplePdf(2 * MB), "ander.pdf")]);
    const reused = await callApi(uploadOperation, path, { key, body: other.body, headers });
    expect(reused.status).toBe(422);

    expect(await context.target.keys()).toEqual(keysAfterFirst);
    expect(
      await opened.db.select().from(documents).where(eq(documents.dossierId, context.world.dossier.id)),
    ).toHaveLength(1);
  });
});
