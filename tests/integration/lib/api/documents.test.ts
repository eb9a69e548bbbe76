import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documentEvents, documents } from "@/db/schema";
import {
  archiveDocument,
  deleteDocument,
  getDocument,
  getDocumentFile,
  listDocuments,
  retryDocument,
  sendDocument,
  setDocumentRecognition,
  unarchiveDocument,
  uploadDocuments,
} from "@/lib/api/operations/documents";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { MAX_UPLOAD_REQUEST_BYTES } from "@/lib/documents/upload";
import { getFileStore, setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { sampleExe, samplePdf, samplePng } from "../../../fixtures/documents";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { insertSendableDocument, setIntegration, useTempFileStore } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import {
  type CollectedJobEvent,
  dispatchEventsIn,
  documentSnapshot,
  fileParts,
  multipartBody,
} from "./documents-setup";

// The document operations of /api/v1, called as Next.js calls their route handlers, on the
// services and rules of the app. The jobs are collected, not run: the deliveries themselves are
// documents-delivery.test.ts's.

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
/** Office A's keys: an admin's with every scope, an accountant's, and two with one documents scope. */
const keys = { admin: "", accountant: "", readOnly: "", writeOnly: "", dossiersOnly: "", otherOffice: "" };
/** Office A's dossier that delivers by free e-mail (purchase and sales addresses, none for "other"). */
let mailDossier: { id: string; portalId: string };

beforeAll(async () => {
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  const portalId = world.portal.id;
  keys.admin = (await insertApiKey(opened.db, portalId)).key;
  keys.accountant = (await insertApiKey(opened.db, portalId, { role: "accountant" })).key;
  keys.readOnly = (await insertApiKey(opened.db, portalId, { role: "accountant", scopes: ["documents:read"] })).key;
  keys.writeOnly = (await insertApiKey(opened.db, portalId, { role: "accountant", scopes: ["documents:write"] })).key;
  keys.dossiersOnly = (
    await insertApiKey(opened.db, portalId, { scopes: ["dossiers:read", "dossiers:write", "webhooks:manage"] })
  ).key;
  keys.otherOffice = (await insertApiKey(opened.db, world.otherPortal.id)).key;
  mailDossier = world.dossier;
  await setIntegration(opened.db, mailDossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
});
beforeEach(() => {
  jobs.events.length = 0;
});
afterAll(async () => {
  cleanupFiles?.();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

type DocumentState = "inbox" | "unrecognised" | "sending" | "sent" | "archived" | "failed" | "rejected";

/** A document of the dossier in one of the states of the document life, its file in the store. */
async function newDocument(state: DocumentState, dossier: { id: string; portalId: string } = mailDossier) {
  switch (state) {
    case "unrecognised":
      return insertSendableDocument(opened.db, dossier, { documentType: null });
    case "archived":
      return insertSendableDocument(opened.db, dossier, { status: "sent", archivedAt: new Date() });
    default:
      return insertSendableDocument(opened.db, dossier, { status: state });
  }
}

async function documentCountOf(dossierId: string) {
  return (await opened.db.select({ id: documents.id }).from(documents).where(eq(documents.dossierId, dossierId)))
    .length;
}

async function eventsOf(documentId: string) {
  return opened.db
    .select({ kind: documentEvents.kind, actorKind: documentEvents.actorKind })
    .from(documentEvents)
    .where(eq(documentEvents.documentId, documentId))
    .orderBy(documentEvents.id);
}

const uploadPath = (dossierId: string) => `/dossiers/${dossierId}/documents`;

describe("POST /dossiers/{dossierId}/documents", () => {
  it("turns a file into an inbox document of the dossier, its file stored byte for byte", async () => {
    const content = samplePdf(2048);
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      ...multipartBody(fileParts({ fileName: "Factuur maart.pdf", content })),
    });
    expect(response.status).toBe(201);
    const answer = await response.json();
    expect(answer).toEqual({
      documents: [
        {
          id: expect.any(String),
          dossierId: mailDossier.id,
          fileName: "Factuur maart.pdf",
          mimeType: "application/pdf",
          sizeBytes: 2048,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          documentType: null,
          status: "inbox",
          possibleDuplicateOf: null,
        },
      ],
      refused: [],
    });
    const [row] = await opened.db.select().from(documents).where(eq(documents.id, answer.documents[0].id));
    expect(row).toMatchObject({ source: "api", dossierId: mailDossier.id, documentType: null });
    expect(await getFileStore().get(row?.storageKey ?? "")).toEqual(content);
    expect(await eventsOf(answer.documents[0].id)).toEqual([{ kind: "received", actorKind: "token" }]);
    // Not recognised: nothing for auto-send to do.
    expect(jobs.events).toEqual([]);
  });

  it("recognises the documents at once with a documentType, and auto-sends them before it answers", async () => {
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.admin,
      ...multipartBody([
        ...fileParts({ fileName: "a.pdf", content: samplePdf(100) }),
        { name: "documentType", value: "sales_invoice" },
      ]),
    });
    expect(response.status).toBe(201);
    const [document] = (await response.json()).documents;
    // The dossier mails its documents, auto-send is on: on its way, and its delivery queued.
    expect(document).toMatchObject({ documentType: "sales_invoice", status: "sending" });
    expect(jobs.events).toEqual([
      { name: "dispatch/dispatch.requested", payload: expect.objectContaining({ dispatchId: expect.any(String) }) },
    ]);
  });

  it("answers 200 when some files are refused, saying which and why", async () => {
    const before = await documentCountOf(mailDossier.id);
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      ...multipartBody(
        fileParts(
          { fileName: "factuur.pdf", content: samplePdf(300) },
          { fileName: "virus.pdf", content: sampleExe(300) },
          { fileName: "bon.png", content: samplePng(300) },
        ),
      ),
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.documents.map((document: { mimeType: string }) => document.mimeType)).toEqual([
      "application/pdf",
      "image/png",
    ]);
    expect(answer.refused).toEqual([
      {
        index: 1,
        fileName: "virus.pdf",
        status: 415,
        code: "file_type_unsupported",
        detail: expect.stringContaining("not accepted"),
      },
    ]);
    expect(await documentCountOf(mailDossier.id)).toBe(before + 2);
  });

  it.each([
    { label: "not a type we take", content: sampleExe(400), status: 415, code: "file_type_unsupported" },
    { label: "empty", content: new Uint8Array(0), status: 400, code: "file_empty" },
    { label: "over 20 MB", content: samplePdf(MAX_DOCUMENT_BYTES + 1), status: 413, code: "file_too_large" },
  ])("refuses a file that is $label with $status $code, and stores nothing", async ({ content, status, code }) => {
    const before = await documentCountOf(mailDossier.id);
    const form = multipartBody(fileParts({ fileName: "f.pdf", content }));
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      body: form.body,
      headers: { ...form.headers, "accept-language": "nl" },
    });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await response.json();
    expect(problem).toMatchObject({ status, code, errors: [{ path: "file.0", message: expect.any(String) }] });
    expect(problem.detail).toBe(problem.errors[0].message);
    expect(await documentCountOf(mailDossier.id)).toBe(before);
  });

  it("refuses a body larger than the upload route takes with 413, before reading it all", async () => {
    const before = await documentCountOf(mailDossier.id);
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      ...multipartBody(fileParts({ fileName: "huge.pdf", content: samplePdf(MAX_UPLOAD_REQUEST_BYTES + 1) })),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "payload_too_large" });
    expect(await documentCountOf(mailDossier.id)).toBe(before);
  });

  it("refuses a body that is not a form with 415", async () => {
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      json: { file: "factuur.pdf" },
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: "unsupported_media_type" });
  });

  it.each([
    { label: "no file", parts: [{ name: "documentType", value: "receipt" }], path: "file" },
    {
      label: "21 files",
      parts: fileParts(...Array.from({ length: 21 }, (_, i) => ({ fileName: `${i}.pdf`, content: samplePdf(50) }))),
      path: "file",
    },
    {
      label: "an unknown type",
      parts: [...fileParts({ fileName: "a.pdf", content: samplePdf(50) }), { name: "documentType", value: "invoice" }],
      path: "documentType",
    },
  ])("refuses a form with $label as validation_failed", async ({ parts, path }) => {
    const before = await documentCountOf(mailDossier.id);
    const response = await callApi(uploadDocuments, uploadPath(mailDossier.id), {
      key: keys.accountant,
      ...multipartBody(parts),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed", errors: [{ path }] });
    expect(await documentCountOf(mailDossier.id)).toBe(before);
  });

  it("with the same Idempotency-Key twice: one document, and the same answer again", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const request = {
      key: keys.accountant,
      ...multipartBody(fileParts({ fileName: "eenmaal.pdf", content: samplePdf(700) })),
    };
    const headers = { ...request.headers, "idempotency-key": "upload-eenmaal-1" };
    const first = await callApi(uploadDocuments, uploadPath(dossier.id), { ...request, headers });
    const second = await callApi(uploadDocuments, uploadPath(dossier.id), { ...request, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe(await first.text());
    expect(await documentCountOf(dossier.id)).toBe(1);
  });
});

describe("GET /dossiers/{dossierId}/documents", () => {
  it("lists the documents of one status, as the dossier page's tabs split them", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const byState = Object.fromEntries(
      await Promise.all(
        (["inbox", "sending", "sent", "archived", "failed", "rejected"] as const).map(
          async (state) => [state, (await newDocument(state, dossier)).id] as const,
        ),
      ),
    );
    const idsOf = async (query: string) => {
      const response = await callApi(listDocuments, `/dossiers/${dossier.id}/documents${query}`, {
        key: keys.readOnly,
      });
      expect(response.status).toBe(200);
      return ((await response.json()).items as { id: string }[]).map((item) => item.id).sort();
    };
    expect(await idsOf("")).toEqual([byState.inbox, byState.sending].sort());
    expect(await idsOf("?status=inbox")).toEqual([byState.inbox, byState.sending].sort());
    expect(await idsOf("?status=sent")).toEqual([byState.sent]);
    expect(await idsOf("?status=archived")).toEqual([byState.archived]);
    expect(await idsOf("?status=failed")).toEqual([byState.failed]);
    expect(await idsOf("?status=rejected")).toEqual([byState.rejected]);
  });

  it("pages by cursor until nextCursor is null, each document once, newest first", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newDocument("inbox", dossier)).id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const response = await callApi(listDocuments, `/dossiers/${dossier.id}/documents${query}`, {
        key: keys.readOnly,
      });
      expect(response.status).toBe(200);
      const page: { items: { id: string }[]; nextCursor: string | null } = await response.json();
      sizes.push(page.items.length);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());
  });

  it("answers an empty last page for a cursor with nothing left past it, never the first page again", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const oldest = await newDocument("inbox", dossier);
    await newDocument("inbox", dossier);
    const first = await (
      await callApi(listDocuments, `/dossiers/${dossier.id}/documents?limit=1`, { key: keys.readOnly })
    ).json();
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await callApi(deleteDocument, `/documents/${oldest.id}`, { key: keys.writeOnly })).status).toBe(204);
    const next = await callApi(listDocuments, `/dossiers/${dossier.id}/documents?limit=1&cursor=${first.nextCursor}`, {
      key: keys.readOnly,
    });
    expect(await next.json()).toEqual({ items: [], nextCursor: null });
  });

  it("refuses a cursor made for another status, a broken cursor and a limit out of range", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await newDocument("inbox", dossier);
    await newDocument("inbox", dossier);
    const { nextCursor } = await (
      await callApi(listDocuments, `/dossiers/${dossier.id}/documents?limit=1`, { key: keys.readOnly })
    ).json();
    for (const query of [`?status=sent&cursor=${nextCursor}`, "?cursor=not-a-cursor", "?limit=0", "?limit=101"]) {
      const response = await callApi(listDocuments, `/dossiers/${dossier.id}/documents${query}`, {
        key: keys.readOnly,
      });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({
        code: "validation_failed",
        errors: [{ path: expect.stringMatching(/^query\.(cursor|limit)$/) }],
      });
    }
  });

  it("shows the recognised fields and why a delivery failed, in the caller's language", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const failed = await newDocument("failed", dossier);
    await opened.db
      .update(documents)
      .set({ lastErrorCode: "timeout", lastErrorReason: "connectors.errors.timeout" })
      .where(eq(documents.id, failed.id));
    const response = await callApi(listDocuments, `/dossiers/${dossier.id}/documents?status=failed`, {
      key: keys.readOnly,
      headers: { "accept-language": "nl-BE,nl;q=0.9" },
    });
    const [item] = (await response.json()).items;
    expect(item).toEqual({
      id: failed.id,
      fileName: failed.fileName,
      documentType: "purchase_invoice",
      status: "failed",
      archivedAt: null,
      createdAt: failed.createdAt.toISOString(),
      invoiceDate: null,
      supplierName: "Bakkerij Peeters",
      totalAmount: null,
      currency: null,
      lastErrorReason: expect.stringContaining("niet op tijd"),
    });
  });
});

describe("GET /documents/{documentId} and its file", () => {
  it("answers the document's state, fields, file facts and what the key may do with it", async () => {
    const document = await newDocument("inbox");
    const response = await callApi(getDocument, `/documents/${document.id}`, { key: keys.readOnly });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: document.id,
      dossierId: mailDossier.id,
      fileName: document.fileName,
      mimeType: "application/pdf",
      sizeBytes: document.content.byteLength,
      source: "upload",
      documentType: "purchase_invoice",
      recognisedFields: { supplierName: "Bakkerij Peeters", invoiceNumber: "F-2026-017" },
      recognitionConfidence: null,
      status: "inbox",
      archivedAt: null,
      sentAt: null,
      importedAt: null,
      packageReference: null,
      lastErrorCode: null,
      lastErrorReason: null,
      autoSendSkipReason: null,
      possibleDuplicateOf: null,
      createdAt: document.createdAt.toISOString(),
      // A read-only key may look, not change.
      allowedActions: {
        send: false,
        retry: false,
        sendAgain: false,
        setRecognition: false,
        delete: false,
        archive: false,
        unarchive: false,
        confirmNotDuplicate: false,
      },
      dispatches: [],
    });
    const asWriter = await (await callApi(getDocument, `/documents/${document.id}`, { key: keys.admin })).json();
    expect(asWriter.allowedActions).toEqual({
      send: true,
      retry: false,
      sendAgain: false,
      setRecognition: true,
      delete: true,
      archive: false,
      unarchive: false,
      confirmNotDuplicate: false,
    });
  });

  it("answers the file itself, byte for byte, as an attachment that is never sniffed", async () => {
    const content = samplePng(5000);
    const document = await insertSendableDocument(opened.db, mailDossier, {
      content,
      mimeType: "image/png",
      fileName: "bon é.png",
    });
    const response = await callApi(getDocumentFile, `/documents/${document.id}/file`, { key: keys.readOnly });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="bon _.png"; filename*=UTF-8''bon%20%C3%A9.png`,
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("ratelimit-policy")).toBe('"api";q=600;w=60');
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(content);
  });

  it("answers one range of the file (206), and 416 for a range past its end", async () => {
    const content = samplePdf(3000);
    const document = await insertSendableDocument(opened.db, mailDossier, { content });
    const filePath = `/documents/${document.id}/file`;
    const size = content.byteLength;

    for (const [range, start, end] of [
      ["bytes=10-19", 10, 19],
      ["bytes=100-", 100, size - 1],
      ["bytes=-16", size - 16, size - 1],
    ] as const) {
      const response = await callApi(getDocumentFile, filePath, { key: keys.readOnly, headers: { range } });
      expect(response.status).toBe(206);
      expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers.get("content-type")).toBe("application/pdf");
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(content.subarray(start, end + 1));
    }

    const past = await callApi(getDocumentFile, filePath, { key: keys.readOnly, headers: { range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${size}`);
    // Several ranges: the whole file.
    const several = await callApi(getDocumentFile, filePath, {
      key: keys.readOnly,
      headers: { range: "bytes=0-1,5-6" },
    });
    expect(several.status).toBe(200);
    expect(new Uint8Array(await several.arrayBuffer())).toEqual(content);
    // Another office's key: not found, whatever the range.
    const foreign = await callApi(getDocumentFile, filePath, {
      key: keys.otherOffice,
      headers: { range: "bytes=0-9" },
    });
    expect(foreign.status).toBe(404);
  });

  it("answers 503 storage_unavailable, in the caller's words, when the store cannot be read", async () => {
    const document = await insertSendableDocument(opened.db, mailDossier);
    const root = mkdtempSync(path.join(tmpdir(), "koppel-api-store-"));
    const notADirectory = path.join(root, "not-a-directory");
    writeFileSync(notADirectory, "x");
    const previous = getFileStore();
    setFileStore(new LocalDiskFileStore(notADirectory));
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await callApi(getDocumentFile, `/documents/${document.id}/file`, { key: keys.readOnly });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        code: "storage_unavailable",
        detail: expect.stringContaining("cannot read this file"),
      });
    } finally {
      logged.mockRestore();
      setFileStore(previous);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("PUT /documents/{documentId}/recognition", () => {
  it("stores the type, fields and confidence as a recognition result, and auto-sends it before it answers", async () => {
    const document = await newDocument("unrecognised");
    const response = await callApi(setDocumentRecognition, `/documents/${document.id}/recognition`, {
      key: keys.writeOnly,
      json: {
        documentType: "purchase_invoice",
        confidence: 0.93,
        fields: { supplierName: "Drukkerij Jansens", totalAmount: 121, currency: "eur", invoiceDate: "2026-03-01" },
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: document.id,
      status: "sending",
      documentType: "purchase_invoice",
      archivedAt: null,
      importedAt: null,
      possibleDuplicateOf: null,
    });
    const [row] = await opened.db.select().from(documents).where(eq(documents.id, document.id));
    expect(row).toMatchObject({
      documentType: "purchase_invoice",
      recognitionConfidence: 0.93,
      recognisedFields: {
        supplierName: "Drukkerij Jansens",
        totalAmount: 121,
        currency: "EUR",
        invoiceDate: "2026-03-01",
      },
    });
    expect(await eventsOf(document.id)).toEqual([
      { kind: "recognised", actorKind: "token" },
      { kind: "send_requested", actorKind: "system" },
    ]);
    expect(jobs.events).toEqual([
      { name: "dispatch/dispatch.requested", payload: expect.objectContaining({ dispatchId: expect.any(String) }) },
    ]);
  });

  it("takes a result without confidence or fields, as the webhook does", async () => {
    const document = await newDocument("failed");
    const response = await callApi(setDocumentRecognition, `/documents/${document.id}/recognition`, {
      key: keys.accountant,
      json: { documentType: "receipt" },
    });
    expect(response.status).toBe(200);
    const [row] = await opened.db.select().from(documents).where(eq(documents.id, document.id));
    expect(row).toMatchObject({ documentType: "receipt", recognitionConfidence: null, recognisedFields: {} });
  });

  it("refuses a body the webhook would refuse, and changes nothing", async () => {
    const document = await newDocument("unrecognised");
    const before = await documentSnapshot(opened.db, document.id);
    for (const json of [
      { documentType: "invoice" },
      { documentType: "receipt", confidence: 2 },
      { documentType: "receipt", fields: { invoiceDate: "2026-02-30" } },
    ]) {
      const response = await callApi(setDocumentRecognition, `/documents/${document.id}/recognition`, {
        key: keys.accountant,
        json,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "validation_failed" });
    }
    expect(await documentSnapshot(opened.db, document.id)).toEqual(before);
  });
});

describe("POST /documents/{documentId}/send and /retry", () => {
  it("sends an inbox document: 202 with its dispatch, the document sending, the delivery enqueued", async () => {
    const document = await newDocument("inbox");
    const response = await callApi(sendDocument, `/documents/${document.id}/send`, { key: keys.accountant });
    expect(response.status).toBe(202);
    const answer = await response.json();
    expect(answer).toEqual({ documentId: document.id, dispatchId: expect.any(String), status: "sending" });
    const rows = await opened.db.select().from(dispatches).where(eq(dispatches.documentId, document.id));
    expect(rows).toMatchObject([
      { id: answer.dispatchId, trigger: "manual", status: "queued", requestedByUserId: null },
    ]);
    expect((await documentSnapshot(opened.db, document.id)).row?.status).toBe("sending");
    expect(dispatchEventsIn(jobs.events).map((event) => event.dispatchId)).toEqual([answer.dispatchId]);
    expect(await eventsOf(document.id)).toEqual([{ kind: "send_requested", actorKind: "token" }]);
  });

  it("retries a failed document, recorded as a retry", async () => {
    const document = await newDocument("failed");
    const response = await callApi(retryDocument, `/documents/${document.id}/retry`, { key: keys.writeOnly });
    expect(response.status).toBe(202);
    const { dispatchId } = await response.json();
    const [row] = await opened.db.select().from(dispatches).where(eq(dispatches.id, dispatchId));
    expect(row).toMatchObject({ documentId: document.id, trigger: "retry" });
    expect(await eventsOf(document.id)).toEqual([{ kind: "retried", actorKind: "token" }]);
  });

  it("sends once for one Idempotency-Key, and refuses a second send without one", async () => {
    const document = await newDocument("inbox");
    const path = `/documents/${document.id}/send`;
    const headers = { "idempotency-key": `send-${document.id}` };
    const first = await callApi(sendDocument, path, { key: keys.accountant, headers });
    const replay = await callApi(sendDocument, path, { key: keys.accountant, headers });
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.text()).toBe(await first.text());
    const again = await callApi(sendDocument, path, { key: keys.accountant });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      code: "already_sending",
      detail: "This document is already being sent.",
    });
    expect((await documentSnapshot(opened.db, document.id)).dispatches).toBe(1);
  });
});

describe("archive, unarchive and delete", () => {
  it("archives a sent document and takes it out again", async () => {
    const document = await newDocument("sent");
    const archived = await callApi(archiveDocument, `/documents/${document.id}/archive`, { key: keys.accountant });
    expect(archived.status).toBe(200);
    expect(await archived.json()).toMatchObject({ id: document.id, status: "sent", archivedAt: expect.any(String) });
    const back = await callApi(unarchiveDocument, `/documents/${document.id}/unarchive`, { key: keys.accountant });
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ id: document.id, status: "sent", archivedAt: null });
    expect((await eventsOf(document.id)).map((event) => event.kind)).toEqual(["archived", "unarchived"]);
  });

  it("deletes an inbox document and its file", async () => {
    const document = await newDocument("rejected");
    const response = await callApi(deleteDocument, `/documents/${document.id}`, { key: keys.writeOnly });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await documentSnapshot(opened.db, document.id)).row).toBeNull();
    await expect(getFileStore().get(document.storageKey)).rejects.toThrow();
    expect((await callApi(getDocument, `/documents/${document.id}`, { key: keys.admin })).status).toBe(404);
  });
});

/** A dossier in office A whose integration makes every send fail for one reason. */
async function dossierThatRefuses(reason: "no_integration" | "integration_none" | "needs_reauth" | "disabled") {
  const dossier = await insertDossier(opened.db, world.portal.id);
  if (reason === "integration_none") await setIntegration(opened.db, dossier, { kind: "none" });
  if (reason === "needs_reauth") {
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: world.connections.yuki.id });
  }
  if (reason === "disabled") {
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: world.connections.disabled.id });
  }
  return dossier;
}

type Refusal = {
  operation: "send" | "retry" | "recognition" | "archive" | "unarchive" | "delete";
  state: DocumentState;
  code: string;
  dossier?: () => Promise<{ id: string; portalId: string }>;
  documentType?: "other";
};

const REFUSALS: Refusal[] = [
  { operation: "send", state: "unrecognised", code: "not_recognised" },
  { operation: "send", state: "sending", code: "already_sending" },
  { operation: "send", state: "sent", code: "already_sent" },
  { operation: "send", state: "archived", code: "archived" },
  { operation: "send", state: "inbox", code: "no_integration", dossier: () => dossierThatRefuses("no_integration") },
  {
    operation: "send",
    state: "inbox",
    code: "integration_none",
    dossier: () => dossierThatRefuses("integration_none"),
  },
  { operation: "send", state: "inbox", code: "integration_incomplete", documentType: "other" },
  {
    operation: "send",
    state: "inbox",
    code: "connection_needs_reauth",
    dossier: () => dossierThatRefuses("needs_reauth"),
  },
  { operation: "send", state: "inbox", code: "connection_disabled", dossier: () => dossierThatRefuses("disabled") },
  { operation: "retry", state: "sent", code: "already_sent" },
  { operation: "retry", state: "sending", code: "already_sending" },
  { operation: "recognition", state: "sent", code: "already_sent" },
  { operation: "recognition", state: "sending", code: "already_sending" },
  { operation: "recognition", state: "archived", code: "already_sent" },
  { operation: "archive", state: "inbox", code: "not_sent" },
  { operation: "archive", state: "failed", code: "not_sent" },
  { operation: "archive", state: "archived", code: "already_archived" },
  { operation: "unarchive", state: "sent", code: "not_archived" },
  { operation: "unarchive", state: "rejected", code: "not_archived" },
  { operation: "delete", state: "sent", code: "already_sent" },
  { operation: "delete", state: "sending", code: "already_sending" },
  { operation: "delete", state: "archived", code: "already_sent" },
];

function callFor(operation: Refusal["operation"], documentId: string, key: string) {
  switch (operation) {
    case "send":
      return callApi(sendDocument, `/documents/${documentId}/send`, { key });
    case "retry":
      return callApi(retryDocument, `/documents/${documentId}/retry`, { key });
    case "recognition":
      return callApi(setDocumentRecognition, `/documents/${documentId}/recognition`, {
        key,
        json: { documentType: "receipt", fields: { supplierName: "Ander" } },
      });
    case "archive":
      return callApi(archiveDocument, `/documents/${documentId}/archive`, { key });
    case "unarchive":
      return callApi(unarchiveDocument, `/documents/${documentId}/unarchive`, { key });
    case "delete":
      return callApi(deleteDocument, `/documents/${documentId}`, { key });
  }
}

describe("every refusal of the document life", () => {
  it.each(REFUSALS)("$operation of a $state document: 409 $code, and nothing changes", async (refusal) => {
    const dossier = refusal.dossier ? await refusal.dossier() : mailDossier;
    const document =
      refusal.documentType === undefined
        ? await newDocument(refusal.state, dossier)
        : await insertSendableDocument(opened.db, dossier, { documentType: refusal.documentType });
    const before = await documentSnapshot(opened.db, document.id);
    const response = await callFor(refusal.operation, document.id, keys.accountant);
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await response.json();
    expect(problem).toMatchObject({ status: 409, code: refusal.code, type: `urn:koppel:problem:${refusal.code}` });
    // Said in words, never the raw message key.
    expect(problem.detail).not.toMatch(/^(errors|dispatch)\./);
    expect(problem.detail).not.toBe("");
    expect(await documentSnapshot(opened.db, document.id)).toEqual(before);
    expect(dispatchEventsIn(jobs.events)).toEqual([]);
    expect(await getFileStore().get(document.storageKey)).toEqual(document.content);
  });
});

/** One call per operation, each on a fresh document in a state where it succeeds for a key that may. */
const OPERATIONS = [
  {
    name: "upload",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { dossierId: string }) =>
      callApi(uploadDocuments, uploadPath(ids.dossierId), {
        key,
        ...multipartBody(fileParts({ fileName: "x.pdf", content: samplePdf(64) })),
      }),
    state: null,
  },
  {
    name: "list",
    scope: "documents:read",
    call: async (key: string | undefined, ids: { dossierId: string }) =>
      callApi(listDocuments, `/dossiers/${ids.dossierId}/documents`, { key }),
    state: null,
  },
  {
    name: "get",
    scope: "documents:read",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(getDocument, `/documents/${ids.documentId}`, { key }),
    state: "inbox",
  },
  {
    name: "file",
    scope: "documents:read",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(getDocumentFile, `/documents/${ids.documentId}/file`, { key }),
    state: "inbox",
  },
  {
    name: "recognition",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(setDocumentRecognition, `/documents/${ids.documentId}/recognition`, {
        key,
        json: { documentType: "receipt" },
      }),
    state: "unrecognised",
  },
  {
    name: "send",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(sendDocument, `/documents/${ids.documentId}/send`, { key }),
    state: "inbox",
  },
  {
    name: "retry",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(retryDocument, `/documents/${ids.documentId}/retry`, { key }),
    state: "failed",
  },
  {
    name: "archive",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(archiveDocument, `/documents/${ids.documentId}/archive`, { key }),
    state: "sent",
  },
  {
    name: "unarchive",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(unarchiveDocument, `/documents/${ids.documentId}/unarchive`, { key }),
    state: "archived",
  },
  {
    name: "delete",
    scope: "documents:write",
    call: async (key: string | undefined, ids: { documentId: string }) =>
      callApi(deleteDocument, `/documents/${ids.documentId}`, { key }),
    state: "inbox",
  },
] as const satisfies readonly {
  name: string;
  scope: "documents:read" | "documents:write";
  call: (key: string | undefined, ids: { dossierId: string; documentId: string }) => Promise<Response>;
  state: DocumentState | null;
}[];

describe("who may call the document operations", () => {
  /** A fresh document of office A (or of `dossier`) in the operation's state, and its snapshot. */
  async function subjectFor(operation: (typeof OPERATIONS)[number], dossier = mailDossier) {
    const document = await newDocument(operation.state ?? "inbox", dossier);
    return {
      ids: { dossierId: dossier.id, documentId: document.id },
      snapshot: () => documentSnapshot(opened.db, document.id),
      count: () => documentCountOf(dossier.id),
    };
  }

  it.each(OPERATIONS)("$name: 401 without a key or with an unknown one, and nothing changes", async (operation) => {
    const subject = await subjectFor(operation);
    const [before, count] = [await subject.snapshot(), await subject.count()];
    for (const key of [undefined, `kop_${"A".repeat(43)}`]) {
      const response = await operation.call(key, subject.ids);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "unauthenticated" });
    }
    expect(await subject.snapshot()).toEqual(before);
    expect(await subject.count()).toBe(count);
  });

  it.each(OPERATIONS)("$name: 403 for a key of the office without $scope", async (operation) => {
    const subject = await subjectFor(operation);
    const [before, count] = [await subject.snapshot(), await subject.count()];
    const keyWithout = operation.scope === "documents:read" ? keys.writeOnly : keys.readOnly;
    for (const key of [keyWithout, keys.dossiersOnly]) {
      const response = await operation.call(key, subject.ids);
      expect(response.status).toBe(403);
      const problem = await response.json();
      expect(problem).toMatchObject({ code: "forbidden" });
      expect(problem.detail).toContain(operation.scope);
    }
    expect(await subject.snapshot()).toEqual(before);
    expect(await subject.count()).toBe(count);
  });

  it.each(OPERATIONS)("$name: 404 for another office's key, as for an id that does not exist", async (operation) => {
    const subject = await subjectFor(operation);
    const [before, count] = [await subject.snapshot(), await subject.count()];
    const foreign = await operation.call(keys.otherOffice, subject.ids);
    expect(foreign.status).toBe(404);
    const missing = await operation.call(keys.admin, {
      dossierId: "00000000-0000-4000-8000-000000000000",
      documentId: "00000000-0000-4000-8000-000000000000",
    });
    expect(missing.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    expect(await subject.snapshot()).toEqual(before);
    expect(await subject.count()).toBe(count);
  });

  it.each(OPERATIONS)("$name: 404 for office A's admin key on office B's dossier and documents", async (operation) => {
    const subject = await subjectFor(operation, world.otherDossier);
    const response = await operation.call(keys.admin, subject.ids);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });

  it.each(OPERATIONS)("$name: allowed to an accountant's key", async (operation) => {
    const subject = await subjectFor(operation);
    const response = await operation.call(keys.accountant, subject.ids);
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
  });

  it("no key acts as an entrepreneur: the database takes admin or accountant only", async () => {
    await expect(insertApiKey(opened.db, world.portal.id, { role: "entrepreneur" as "accountant" })).rejects.toThrow();
  });
});
