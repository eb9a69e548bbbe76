import { randomUUID } from "node:crypto";
import { samplePdf } from "../../fixtures/documents";
import { fileParts, multipartBody } from "../../integration/lib/api/documents-setup";
import { insertSendableDocument, pdfBytes } from "../../integration/lib/dispatch/setup";
import type { ApiExample, ApiWorld } from "./world";

type State = "inbox" | "unrecognised" | "sent" | "archived" | "failed";

/** A fresh document of the world's e-mail dossier, its file in the store, in one state of its life. */
async function documentIn(world: ApiWorld, state: State) {
  const values =
    state === "unrecognised"
      ? { documentType: null }
      : state === "archived"
        ? { status: "sent" as const, archivedAt: new Date() }
        : { status: state };
  return insertSendableDocument(world.db, world.dossier, values);
}

/** An upload of one PDF to a fresh dossier: never the same body or path twice. */
async function uploadCall(world: ApiWorld, extra: { documentType?: string } = {}) {
  const dossier = await world.newDossier();
  const form = multipartBody([
    ...fileParts({ fileName: `factuur-${randomUUID().slice(0, 8)}.pdf`, content: samplePdf(512) }),
    ...(extra.documentType ? [{ name: "documentType", value: extra.documentType }] : []),
  ]);
  return { path: `/dossiers/${dossier.id}/documents`, body: form.body, headers: form.headers };
}

/** Example calls of the document operations (lib/api/operations/documents.ts). */
export const DOCUMENT_EXAMPLES: ApiExample[] = [
  { operationId: "uploadDocuments", title: "uploads a PDF", status: 201, prepare: (world) => uploadCall(world) },
  {
    operationId: "uploadDocuments",
    title: "uploads a recognised document, as an accountant",
    as: "accountant",
    status: 201,
    prepare: (world) => uploadCall(world, { documentType: "purchase_invoice" }),
  },
  {
    operationId: "uploadDocuments",
    title: "keeps the PDF and refuses the program beside it",
    status: 200,
    prepare: async (world) => {
      const form = multipartBody([
        ...fileParts({ fileName: "factuur.pdf", content: samplePdf(256) }),
        { name: "file", value: new Uint8Array([0x4d, 0x5a, 0x90, 0x00]), fileName: "setup.exe" },
      ]);
      return { path: `/dossiers/${(await world.newDossier()).id}/documents`, body: form.body, headers: form.headers };
    },
  },
  {
    operationId: "uploadDocuments",
    title: "refuses a file of a type it does not take",
    status: 415,
    prepare: (world) => {
      const form = multipartBody([
        { name: "file", value: new Uint8Array([0x4d, 0x5a, 0x90, 0x00]), fileName: "x.pdf" },
      ]);
      return { path: `/dossiers/${world.dossier.id}/documents`, body: form.body, headers: form.headers };
    },
  },
  {
    operationId: "uploadDocuments",
    title: "refuses a form without a file",
    status: 400,
    prepare: (world) => {
      const form = multipartBody([{ name: "documentType", value: "receipt" }]);
      return { path: `/dossiers/${world.dossier.id}/documents`, body: form.body, headers: form.headers };
    },
  },
  {
    operationId: "uploadDocuments",
    title: "refuses a file the dossier already has, naming its document",
    status: 409,
    prepare: async (world) => {
      const content = pdfBytes(randomUUID());
      await insertSendableDocument(world.db, world.dossier, { content });
      const form = multipartBody(fileParts({ fileName: "again.pdf", content }));
      return { path: `/dossiers/${world.dossier.id}/documents`, body: form.body, headers: form.headers };
    },
  },
  {
    operationId: "listDocuments",
    title: "lists the inbox",
    status: 200,
    prepare: async (world) => {
      await documentIn(world, "inbox");
      return { path: `/dossiers/${world.dossier.id}/documents` };
    },
  },
  {
    operationId: "listDocuments",
    title: "lists the failed documents a page at a time, as an accountant",
    as: "accountant",
    status: 200,
    prepare: async (world) => {
      await documentIn(world, "failed");
      await documentIn(world, "failed");
      return { path: `/dossiers/${world.dossier.id}/documents?status=failed&limit=1` };
    },
  },
  {
    operationId: "listDocuments",
    title: "refuses an unknown status",
    status: 400,
    prepare: (world) => ({ path: `/dossiers/${world.dossier.id}/documents?status=all` }),
  },
  {
    operationId: "getDocument",
    title: "reads a document with its failed delivery",
    status: 200,
    prepare: (world) => ({ path: `/documents/${world.document.id}` }),
  },
  {
    operationId: "getDocument",
    title: "reads an archived document, as an accountant",
    as: "accountant",
    status: 200,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "archived")).id}` }),
  },
  {
    operationId: "getDocumentFile",
    title: "downloads the file",
    status: 200,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "inbox")).id}/file` }),
  },
  {
    operationId: "setDocumentRecognition",
    title: "sets the type and fields",
    status: 200,
    prepare: async (world) => ({
      path: `/documents/${(await documentIn(world, "unrecognised")).id}/recognition`,
      json: { documentType: "purchase_invoice", confidence: 0.9, fields: { supplierName: "Bakkerij Peeters" } },
    }),
  },
  {
    operationId: "setDocumentRecognition",
    title: "refuses a sent document",
    status: 409,
    prepare: async (world) => ({
      path: `/documents/${(await documentIn(world, "sent")).id}/recognition`,
      json: { documentType: "receipt" },
    }),
  },
  {
    operationId: "setDocumentRecognition",
    title: "refuses an unknown type",
    status: 400,
    prepare: async (world) => ({
      path: `/documents/${(await documentIn(world, "unrecognised")).id}/recognition`,
      json: { documentType: "invoice" },
    }),
  },
  {
    operationId: "sendDocument",
    title: "sends an inbox document",
    status: 202,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "inbox")).id}/send` }),
  },
  {
    operationId: "sendDocument",
    title: "refuses a document that is not recognised",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "unrecognised")).id}/send` }),
  },
  {
    operationId: "retryDocument",
    title: "sends a failed document again",
    status: 202,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "failed")).id}/retry` }),
  },
  {
    operationId: "retryDocument",
    title: "refuses a sent document",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "sent")).id}/retry` }),
  },
  {
    operationId: "archiveDocument",
    title: "archives a sent document",
    status: 200,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "sent")).id}/archive` }),
  },
  {
    operationId: "archiveDocument",
    title: "refuses an inbox document",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "inbox")).id}/archive` }),
  },
  {
    operationId: "unarchiveDocument",
    title: "takes a document out of the archive",
    status: 200,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "archived")).id}/unarchive` }),
  },
  {
    operationId: "unarchiveDocument",
    title: "refuses a document that is not archived",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "sent")).id}/unarchive` }),
  },
  {
    operationId: "confirmNotDuplicate",
    title: "lets a document held as a possible duplicate go",
    status: 200,
    prepare: async (world) => {
      const earlier = await documentIn(world, "inbox");
      const held = await insertSendableDocument(world.db, world.dossier, { possibleDuplicateOf: earlier.id });
      return { path: `/documents/${held.id}/confirm-not-duplicate` };
    },
  },
  {
    operationId: "confirmNotDuplicate",
    title: "refuses a document that is not held",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "inbox")).id}/confirm-not-duplicate` }),
  },
  {
    operationId: "deleteDocument",
    title: "deletes an inbox document",
    status: 204,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "inbox")).id}` }),
  },
  {
    operationId: "deleteDocument",
    title: "refuses a sent document",
    status: 409,
    prepare: async (world) => ({ path: `/documents/${(await documentIn(world, "sent")).id}` }),
  },
];
