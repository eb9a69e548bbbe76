import { z } from "zod";
import type { Db } from "@/db";
import {
  attemptOutcomeEnum,
  dispatchStatusEnum,
  dispatchTriggerEnum,
  documentSourceEnum,
  documentStatusEnum,
} from "@/db/schema";
import type { ApiKeyActor } from "@/lib/api-keys/authenticate";
import { requestSendDocument } from "@/lib/dispatch/request-send";
import { confirmDocumentNotDuplicate } from "@/lib/documents/confirm-not-duplicate";
import { removeDocument } from "@/lib/documents/delete";
import { recognisedFieldsSchema } from "@/lib/documents/fields";
import { storedDocumentFileResponse } from "@/lib/documents/file-response";
import { type DocumentDetail, getDocumentDetailById } from "@/lib/documents/get";
import type { IngestedDocument } from "@/lib/documents/ingest";
import {
  archiveDocument as archiveDocumentService,
  type DocumentLifeView,
  unarchiveDocument as unarchiveDocumentService,
} from "@/lib/documents/life";
import { DOCUMENT_PAGE_SIZE, type DocumentListItem, listDocuments as listDocumentsService } from "@/lib/documents/list";
import { sendRefusalMessageKey } from "@/lib/documents/refusals";
import { DOCUMENT_TABS, documentTypeSchema, encodedDocumentCursorSchema } from "@/lib/documents/schemas";
import { setDocumentRecognition as setDocumentRecognitionService } from "@/lib/documents/set-type";
import {
  discardUpload,
  ingestUpload,
  MAX_FILES_PER_UPLOAD,
  MAX_UPLOAD_REQUEST_BYTES,
  receiveUpload,
  uploadFormSchema,
} from "@/lib/documents/upload";
import { ValidationError } from "@/lib/errors";
import { reasonTextOf } from "@/lib/failures/reason";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { recognitionDeliverySchema } from "@/lib/recognition/webhook";
import { FileStoreError } from "@/lib/storage/file-store";
import { ApiProblemError, defineApiOperation, type MultipartReceiveContext } from "../operation";
import { API_ERROR_CODES, apiDocumentPath } from "../problems";
import { dossierIdParamsSchema } from "./dossiers";

/*
 * The documents of a dossier under /api/v1: upload, list, read, set the recognition result, send,
 * retry, archive, unarchive and delete. Each operation calls one lib service with the key's actor;
 * the services authorize and apply the document-life rules (lib/documents/life.ts), so the API can
 * do exactly what the dossier page can, and refuses with the same codes.
 */

const TAG = "Documents";

const documentIdParamsSchema = z.object({
  documentId: z.guid().meta({ description: "The document's id." }),
});

const timestampSchema = z.iso.datetime();
const nullableTimestamp = (description: string) => timestampSchema.nullable().meta({ description });

const documentTypeOutputSchema = documentTypeSchema.nullable().meta({
  id: "DocumentType",
  description:
    "What the document is; null while it is not recognised (a document without a type cannot be sent). Purchase and sales invoices and credit notes, receipts, or other.",
});

const documentStatusSchema = z.enum(documentStatusEnum.enumValues).meta({
  id: "DocumentStatus",
  description:
    "Where the document stands: `inbox` (received, not sent), `sending` (a delivery is on its way), `sent` (the package acknowledged it), `failed` (the delivery failed; it can be retried) or `rejected` (the package refused it after accepting it; it can be corrected and sent again). An archived document keeps its status (`sent`) and has `archivedAt` set.",
});

const documentTabSchema = z.enum(DOCUMENT_TABS).meta({
  id: "DocumentListStatus",
  description:
    "Which documents to list, as the dossier page's tabs split them: `inbox` (inbox and sending), `sent`, `failed`, `rejected`, or `archived` (archived sent documents, which no other tab shows).",
});

const possibleDuplicateOfSchema = z.guid().nullable().meta({
  description:
    "Held as a possible duplicate of this earlier document of the dossier (the same supplier VAT number and invoice number, and the same amount when both have one): it is not sent, by anyone, until POST /documents/{documentId}/confirm-not-duplicate or a delete. Null when not held.",
});

const uploadedDocumentSchema = z
  .object({
    id: z.guid(),
    dossierId: z.guid(),
    fileName: z.string().meta({
      description: "The file's name, made safe: no path, no control characters, the extension of what it really is.",
    }),
    mimeType: z
      .string()
      .meta({ description: "Judged from the content: application/pdf, image/jpeg, image/png or application/xml." }),
    sizeBytes: z.number().int(),
    sha256: z.string().meta({ description: "SHA-256 of the file, hex." }),
    documentType: documentTypeOutputSchema,
    status: documentStatusSchema,
    possibleDuplicateOf: possibleDuplicateOfSchema,
  })
  .meta({ id: "UploadedDocument" });

const fileRefusalSchema = z
  .object({
    index: z.number().int().meta({ description: "The position of the file among the form's `file` parts, from 0." }),
    fileName: z.string().meta({ description: "The name the file was sent with." }),
    status: z.number().int().meta({
      description:
        "The HTTP status this refusal alone would have: 400, 409, 413, 415, or 507 / 503 when Koppel's file storage is full / failing.",
    }),
    code: z.enum(API_ERROR_CODES).meta({
      description:
        "Stable: `file_empty`, `file_too_large` (over 20 MB), `file_type_unsupported` (not PDF, JPEG, PNG or UBL), `duplicate_file` (the dossier already has this very file; 409), `storage_full` (507) or `storage_unavailable` (503): Koppel's own file storage is full or failing, nothing of the file was kept, try again later.",
    }),
    detail: z.string().meta({ description: "Why, in the caller's language." }),
    existingDocumentId: z.guid().optional().meta({
      description: "For `duplicate_file`: the document of the dossier that already has this file.",
    }),
    existingDocumentUrl: z.string().optional().meta({
      description: "For `duplicate_file`: that document, as a path of this API (`/api/v1/documents/{id}`).",
    }),
  })
  .meta({ id: "FileRefusal" });

const uploadResultSchema = z
  .object({
    documents: z.array(uploadedDocumentSchema).meta({ description: "The new documents, in the order of their files." }),
    refused: z.array(fileRefusalSchema).meta({ description: "The files that did not become a document." }),
  })
  .meta({ id: "UploadResult" });

const documentSummarySchema = z
  .object({
    id: z.guid(),
    fileName: z.string(),
    documentType: documentTypeOutputSchema,
    status: documentStatusSchema,
    archivedAt: nullableTimestamp("When it was archived; null when it is not."),
    createdAt: timestampSchema.meta({ description: "When it arrived." }),
    invoiceDate: z.string().nullable().meta({ description: "As recognised (`YYYY-MM-DD`)." }),
    supplierName: z.string().nullable(),
    totalAmount: z.number().nullable(),
    currency: z.string().nullable(),
    lastErrorReason: z
      .string()
      .nullable()
      .meta({ description: "Why the last delivery failed or the package refused it, in the caller's language." }),
  })
  .meta({ id: "DocumentSummary" });

const documentPageSchema = z
  .object({
    items: z.array(documentSummarySchema).meta({ description: "Newest first (in `archived`: last archived first)." }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .meta({ id: "DocumentPage" });

const attemptSchema = z
  .object({
    number: z.number().int().meta({ description: "1 for the first try of its dispatch." }),
    connector: z
      .string()
      .meta({ description: "The channel or package that was tried (`email`, `ftp`, `exact-online`, …)." }),
    outcome: z.enum(attemptOutcomeEnum.enumValues).meta({
      description:
        "`running`, `succeeded`, `retryable_error` (tried again later), `permanent_error` or `auth_error` (the connection needs to be re-authorised).",
    }),
    errorCode: z.string().nullable().meta({ description: "Stable code of the failure, for scripts." }),
    reason: z
      .string()
      .nullable()
      .meta({ description: "The failure in words: ours in the caller's language, or the package's own." }),
    packageReference: z
      .string()
      .nullable()
      .meta({ description: "The package's id for the document, when it gave one." }),
    startedAt: timestampSchema,
    finishedAt: nullableTimestamp("Null while it runs."),
  })
  .meta({ id: "Attempt" });

const dispatchSchema = z
  .object({
    id: z.guid(),
    trigger: z.enum(dispatchTriggerEnum.enumValues).meta({
      description:
        "What asked for it: `manual` (one document, by a person or a key), `bulk`, `auto` (auto-send) or `retry`.",
    }),
    status: z.enum(dispatchStatusEnum.enumValues),
    packageReference: z.string().nullable(),
    createdAt: timestampSchema,
    finishedAt: nullableTimestamp("Null while it is on its way."),
    attempts: z.array(attemptSchema).meta({ description: "Oldest first." }),
  })
  .meta({ id: "Dispatch", description: "One request to deliver the document, with its tries." });

const allowedActionsSchema = z
  .object({
    send: z.boolean().meta({ description: "POST /documents/{documentId}/send: an inbox document with a type." }),
    retry: z.boolean().meta({ description: "POST /documents/{documentId}/retry: a failed document." }),
    sendAgain: z
      .boolean()
      .meta({ description: "POST /documents/{documentId}/send: a rejected document, after correction." }),
    setRecognition: z.boolean().meta({ description: "PUT /documents/{documentId}/recognition." }),
    delete: z.boolean(),
    archive: z.boolean(),
    unarchive: z.boolean(),
    confirmNotDuplicate: z.boolean().meta({
      description: "POST /documents/{documentId}/confirm-not-duplicate: a document held as a possible duplicate.",
    }),
  })
  .meta({
    id: "AllowedActions",
    description: "What this key may do with the document now: its scopes and the document's state both allow it.",
  });

const documentSchema = z
  .object({
    id: z.guid(),
    dossierId: z.guid(),
    fileName: z.string(),
    mimeType: z.string(),
    sizeBytes: z.number().int(),
    source: z.enum(documentSourceEnum.enumValues).meta({
      description: "How it arrived: `upload` (the app), `email`, `sales` (the sales module) or `api`.",
    }),
    documentType: documentTypeOutputSchema,
    recognisedFields: recognisedFieldsSchema.meta({
      id: "RecognisedFields",
      description: "What recognition read from the document; every field is optional.",
    }),
    recognitionConfidence: z
      .number()
      .nullable()
      .meta({ description: "The recognition step's confidence in the type, 0 to 1; null when a person set it." }),
    status: documentStatusSchema,
    archivedAt: nullableTimestamp("When it was archived; null when it is not."),
    sentAt: nullableTimestamp("When the package acknowledged it."),
    importedAt: nullableTimestamp(
      "When a read-back proved that the package took it in (a sent document stays `sent`).",
    ),
    packageReference: z
      .string()
      .nullable()
      .meta({ description: "The package's id for the document, once sent (when the package gives one)." }),
    lastErrorCode: z
      .string()
      .nullable()
      .meta({ description: "Why the last delivery failed or was rejected: a stable code." }),
    lastErrorReason: z
      .string()
      .nullable()
      .meta({ description: "The same in words: ours in the caller's language, or the package's own." }),
    autoSendSkipReason: z
      .string()
      .nullable()
      .meta({ description: "Why auto-send left this recognised document in the inbox (a refusal code), if it did." }),
    possibleDuplicateOf: possibleDuplicateOfSchema,
    createdAt: timestampSchema,
    allowedActions: allowedActionsSchema,
    dispatches: z.array(dispatchSchema).meta({ description: "Every request to deliver it, newest first." }),
  })
  .meta({ id: "Document" });

const documentStateSchema = z
  .object({
    id: z.guid(),
    status: documentStatusSchema,
    documentType: documentTypeOutputSchema,
    archivedAt: nullableTimestamp("When it was archived; null when it is not."),
    importedAt: nullableTimestamp("When a read-back proved that the package took it in."),
    possibleDuplicateOf: possibleDuplicateOfSchema,
  })
  .meta({ id: "DocumentState", description: "The document's state after the change." });

const sendRequestedSchema = z
  .object({
    documentId: z.guid(),
    dispatchId: z.guid().meta({ description: "The new dispatch: GET /documents/{documentId} shows its attempts." }),
    status: z.literal("sending"),
  })
  .meta({ id: "SendRequested" });

/** The body of PUT …/recognition: the recognition webhook's fields, less the document id (it is in the path). */
const recognitionBodySchema = recognitionDeliverySchema.omit({ documentId: true });

// ---------------------------------------------------------------------------------------------
// Views

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

/** A stored reason in the caller's language (lib/failures/reason.ts), or the package's own words. */
function reasonTranslator(locale: Locale) {
  const t = translatorFor(locale);
  const generic = t("errors.generic");
  const translate = (key: string) => (t.has(key as never) ? String(t(key as never)) : null);
  return (reason: string | null) => reasonTextOf(reason, translate, generic);
}

function uploadedDocumentOf(document: IngestedDocument): z.input<typeof uploadedDocumentSchema> {
  return {
    id: document.id,
    dossierId: document.dossierId,
    fileName: document.fileName,
    mimeType: document.mimeType,
    sizeBytes: document.sizeBytes,
    sha256: document.sha256,
    documentType: document.documentType,
    status: document.status,
    possibleDuplicateOf: document.possibleDuplicateOf,
  };
}

function summaryOf(item: DocumentListItem, reasonText: (reason: string | null) => string | null) {
  return {
    id: item.id,
    fileName: item.fileName,
    documentType: item.documentType,
    status: item.status,
    archivedAt: isoOrNull(item.archivedAt),
    createdAt: iso(item.createdAt),
    invoiceDate: item.invoiceDate,
    supplierName: item.supplierName,
    totalAmount: item.totalAmount,
    currency: item.currency,
    lastErrorReason: reasonText(item.lastErrorReason),
  } satisfies z.input<typeof documentSummarySchema>;
}

function documentOf(detail: DocumentDetail, locale: Locale): z.input<typeof documentSchema> {
  const reasonText = reasonTranslator(locale);
  return {
    id: detail.id,
    dossierId: detail.dossierId,
    fileName: detail.fileName,
    mimeType: detail.mimeType,
    sizeBytes: detail.sizeBytes,
    source: detail.source,
    documentType: detail.documentType,
    recognisedFields: detail.recognisedFields,
    recognitionConfidence: detail.recognitionConfidence,
    status: detail.status,
    archivedAt: isoOrNull(detail.archivedAt),
    sentAt: isoOrNull(detail.sentAt),
    importedAt: isoOrNull(detail.importedAt),
    packageReference: detail.packageReference,
    lastErrorCode: detail.lastErrorCode,
    lastErrorReason: reasonText(detail.lastErrorReason),
    autoSendSkipReason: detail.autoSendSkipReason,
    possibleDuplicateOf: detail.possibleDuplicateOf,
    createdAt: iso(detail.createdAt),
    allowedActions: {
      send: detail.allowed.send,
      retry: detail.allowed.retry,
      sendAgain: detail.allowed.sendAgain,
      setRecognition: detail.allowed.type,
      delete: detail.allowed.delete,
      archive: detail.allowed.archive,
      unarchive: detail.allowed.unarchive,
      confirmNotDuplicate: detail.allowed.confirmNotDuplicate,
    },
    dispatches: detail.history.map((dispatch) => ({
      id: dispatch.id,
      trigger: dispatch.trigger,
      status: dispatch.status,
      packageReference: dispatch.packageReference,
      createdAt: iso(dispatch.createdAt),
      finishedAt: isoOrNull(dispatch.finishedAt),
      attempts: dispatch.attempts.map((attempt) => ({
        number: attempt.number,
        connector: attempt.connector,
        outcome: attempt.outcome,
        errorCode: attempt.errorCode,
        reason: reasonText(attempt.reason),
        packageReference: attempt.packageReference,
        startedAt: iso(attempt.startedAt),
        finishedAt: isoOrNull(attempt.finishedAt),
      })),
    })),
  };
}

function stateOf(view: DocumentLifeView): z.input<typeof documentStateSchema> {
  return {
    id: view.id,
    status: view.status,
    documentType: view.documentType,
    archivedAt: isoOrNull(view.archivedAt),
    importedAt: isoOrNull(view.importedAt ?? null),
    possibleDuplicateOf: view.possibleDuplicateOf ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Operations

export const uploadDocuments = defineApiOperation({
  operationId: "uploadDocuments",
  method: "post",
  path: "/dossiers/{dossierId}/documents",
  summary: "Upload documents to a dossier",
  description: [
    `Send \`multipart/form-data\` with one to ${MAX_FILES_PER_UPLOAD} \`file\` parts; each file becomes a document in the dossier's inbox, exactly as an upload in the app.`,
    "Files are judged by their content: PDF, JPEG, PNG, or a UBL invoice or credit note (XML), at most 20 MB each; the whole request at most 20 MB and 256 KB, so send large files one per request.",
    "With `documentType` the documents are recognised at once, and sent at once when the dossier's auto-send is on and its integration is usable.",
    "",
    "201: every file became a document. 200: some did; `refused` says why the others did not. When no file did, the answer is a problem with the first refusal's status and code (`file_empty` 400, `file_too_large` 413, `file_type_unsupported` 415, `duplicate_file` 409 with `existingDocumentId`, `storage_full` 507, `storage_unavailable` 503) and one `errors` entry per file.",
    "The same file (SHA-256) twice in one dossier is refused (`duplicate_file`), naming the document that has it. A document with the same supplier VAT number and invoice number as an earlier one (and the same amount when both have one) is stored but held: `possibleDuplicateOf`.",
    "Repeat safely with an `Idempotency-Key`: send the very same bytes (the same multipart boundary) again.",
  ].join("\n"),
  tags: [TAG],
  scope: "documents:write",
  params: dossierIdParamsSchema,
  body: {
    kind: "multipart" as const,
    schema: uploadFormSchema,
    maxBytes: MAX_UPLOAD_REQUEST_BYTES,
    // Streamed into the store as it arrives (lib/documents/upload.ts), before the key is claimed.
    receive: ({ db, actor, params, request, maxBytes }: MultipartReceiveContext) =>
      receiveUpload(db, actor, { dossierId: String(params.dossierId), request, maxBytes }),
    discard: discardUpload,
  },
  responses: {
    201: { description: "Every file became a document.", schema: uploadResultSchema },
    200: { description: "Some files became documents; `refused` lists the others.", schema: uploadResultSchema },
  },
  async handle({ db, actor, body, locale }) {
    const upload = await ingestUpload(db, actor, { source: "api", upload: body });
    const t = translatorFor(locale);
    const documents = upload.files.flatMap((outcome) => (outcome.ok ? [uploadedDocumentOf(outcome.document)] : []));
    const refusals = upload.files.flatMap((outcome) => (outcome.ok ? [] : [outcome]));
    const refused = refusals.map((refusal) => ({
      index: refusal.index,
      fileName: refusal.fileName,
      status: refusal.httpStatus,
      code: refusal.code,
      detail: t(`errors.${refusal.messageKey}` as never),
      ...(refusal.existingDocumentId
        ? {
            existingDocumentId: refusal.existingDocumentId,
            existingDocumentUrl: apiDocumentPath(refusal.existingDocumentId),
          }
        : {}),
    })) satisfies z.input<typeof fileRefusalSchema>[];
    const first = refusals[0];
    if (documents.length === 0 && first) {
      // No document at all: a problem, with what became of each file.
      throw new ApiProblemError({
        status: first.httpStatus,
        code: first.code,
        messageKey: first.messageKey,
        errors: refused.map((refusal) => ({ path: `file.${refusal.index}`, message: refusal.detail })),
        existingDocumentId: first.existingDocumentId,
      });
    }
    return { status: upload.httpStatus, body: { documents, refused } satisfies z.input<typeof uploadResultSchema> };
  },
});

export const listDocuments = defineApiOperation({
  operationId: "listDocuments",
  method: "get",
  path: "/dossiers/{dossierId}/documents",
  summary: "List a dossier's documents",
  description:
    "One page of the dossier's documents with one status, newest first. Follow `nextCursor` until it is null; a cursor belongs to the `status` it was made for.",
  tags: [TAG],
  scope: "documents:read",
  params: dossierIdParamsSchema,
  query: z.object({
    status: documentTabSchema.default("inbox"),
    cursor: encodedDocumentCursorSchema.optional().meta({ description: "The `nextCursor` of the previous page." }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(DOCUMENT_PAGE_SIZE)
      .meta({ description: `Documents per page, 1 to 100 (default ${DOCUMENT_PAGE_SIZE}).` }),
  }),
  responses: { 200: { description: "One page of documents.", schema: documentPageSchema } },
  async handle({ db, actor, params, query, locale }) {
    if (query.cursor && query.cursor.tab !== query.status) throw new ValidationError({ "query.cursor": ["invalid"] });
    const page = await listDocumentsService(db, actor, {
      dossierId: params.dossierId,
      tab: query.status,
      cursor: query.cursor ?? null,
      direction: "older",
      limit: query.limit,
      pastEnd: "empty",
    });
    const reasonText = reasonTranslator(locale);
    return {
      status: 200,
      body: {
        items: page.items.map((item) => summaryOf(item, reasonText)),
        nextCursor: page.olderCursor,
      } satisfies z.input<typeof documentPageSchema>,
    };
  },
});

export const getDocument = defineApiOperation({
  operationId: "getDocument",
  method: "get",
  path: "/documents/{documentId}",
  summary: "Get a document",
  description:
    "The document's status, type and recognised fields, its file's facts, and every delivery request with its attempts (time, outcome, error code); the package's reference once it is sent.",
  tags: [TAG],
  scope: "documents:read",
  params: documentIdParamsSchema,
  responses: { 200: { description: "The document.", schema: documentSchema } },
  async handle({ db, actor, params, locale }) {
    const detail = await getDocumentDetailById(db, actor, params.documentId);
    return { status: 200, body: documentOf(detail, locale) };
  },
});

export const getDocumentFile = defineApiOperation({
  operationId: "getDocumentFile",
  method: "get",
  path: "/documents/{documentId}/file",
  summary: "Download a document's file",
  description: [
    "The file as it was received, with the content type judged at upload (application/pdf, image/jpeg, image/png or application/xml) and its name in Content-Disposition.",
    "Streamed from storage. One range may be asked for with `Range: bytes=<first>-<last>` (also `<first>-` and `-<suffix length>`): the answer is 206 with Content-Range, or 416 with `Content-Range: bytes */<size>` when the range selects no byte; several or malformed ranges get the whole file. A storage that does not answer is a 503 `storage_unavailable`.",
  ].join("\n"),
  tags: [TAG],
  scope: "documents:read",
  params: documentIdParamsSchema,
  responses: {
    200: {
      description: "The file, with the content type judged from its content at upload, and `Accept-Ranges: bytes`.",
      schema: z.file(),
      contentType: "application/pdf",
      alternatives: { "image/jpeg": z.file(), "image/png": z.file(), "application/xml": z.file() },
    },
    206: {
      description: "The one range asked for, with `Content-Range: bytes <first>-<last>/<size>`.",
      schema: z.file(),
      contentType: "application/pdf",
      alternatives: { "image/jpeg": z.file(), "image/png": z.file(), "application/xml": z.file() },
    },
    416: { description: "The range selects no byte of the file; `Content-Range: bytes */<size>` gives its size." },
  },
  problems: [503],
  async handle({ db, actor, params, request }) {
    try {
      return await storedDocumentFileResponse(db, actor, params.documentId, {
        rangeHeader: request.headers.get("range"),
        disposition: "attachment",
      });
    } catch (error) {
      if (error instanceof FileStoreError) {
        console.error("[api] the file store cannot be read", error.cause);
        throw new ApiProblemError({ status: 503, code: "storage_unavailable", messageKey: "storage.readUnavailable" });
      }
      throw error;
    }
  },
});

export const setDocumentRecognition = defineApiOperation({
  operationId: "setDocumentRecognition",
  method: "put",
  path: "/documents/{documentId}/recognition",
  summary: "Set a document's type and fields",
  description: [
    "Reports a recognition result, exactly as the recognition webhook does: the type, the fields read from the document and, optionally, the confidence in the type.",
    "Inbox, failed and rejected documents only: a sent document's type is final (409 `already_sent`), and one being sent waits (409 `already_sending`).",
    "Once recognised, the document is sent at once when the dossier's auto-send is on and its integration is usable.",
  ].join("\n"),
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  body: { kind: "json", schema: recognitionBodySchema },
  responses: { 200: { description: "The document, recognised.", schema: documentStateSchema } },
  problems: [409],
  async handle({ db, actor, params, body }) {
    const recognised = await setDocumentRecognitionService(db, actor, params.documentId, body);
    return { status: 200, body: stateOf(recognised) };
  },
});

/** Both send and retry: requestSend for one document, 202 with its dispatch or 409 with the refusal. */
async function sendOne(context: { db: Db; actor: ApiKeyActor }, documentId: string, trigger: "manual" | "retry") {
  const result = await requestSendDocument(context.db, context.actor, { documentId, trigger });
  if (!result.isAccepted) {
    throw new ApiProblemError({ status: 409, code: result.reason, catalogKey: sendRefusalMessageKey(result.reason) });
  }
  return {
    status: 202,
    body: {
      documentId: result.documentId,
      dispatchId: result.dispatchId,
      status: "sending",
    } satisfies z.input<typeof sendRequestedSchema>,
  };
}

const SEND_REFUSAL_TEXT =
  "409 with the reason as `code`: `not_recognised` (set its type first), `possible_duplicate` (held as a possible duplicate: confirm it is a different document first), `already_sent`, `already_sending`, `archived`, or the dossier's integration: `no_integration`, `integration_none`, `integration_incomplete`, `connection_needs_reauth`, `connection_disabled`, `connector_unavailable`.";

export const sendDocument = defineApiOperation({
  operationId: "sendDocument",
  method: "post",
  path: "/documents/{documentId}/send",
  summary: "Send a document to the package",
  description: [
    "Sends an inbox document (or a rejected one, after correction) through the dossier's integration, as the Send button does. The delivery runs in the background: 202 with the dispatch; GET /documents/{documentId} shows how it went.",
    "A document is delivered at most once, whoever asks and however often.",
    SEND_REFUSAL_TEXT,
  ].join("\n"),
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 202: { description: "The delivery is on its way.", schema: sendRequestedSchema } },
  async handle({ db, actor, params }) {
    return sendOne({ db, actor }, params.documentId, "manual");
  },
});

export const retryDocument = defineApiOperation({
  operationId: "retryDocument",
  method: "post",
  path: "/documents/{documentId}/retry",
  summary: "Send a failed document again",
  description: [
    "Sends a failed document again once the cause is fixed, as the Retry button does; the history records it as a retry. The same rules as sending apply.",
    SEND_REFUSAL_TEXT,
  ].join("\n"),
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 202: { description: "The delivery is on its way.", schema: sendRequestedSchema } },
  async handle({ db, actor, params }) {
    return sendOne({ db, actor }, params.documentId, "retry");
  },
});

export const archiveDocument = defineApiOperation({
  operationId: "archiveDocument",
  method: "post",
  path: "/documents/{documentId}/archive",
  summary: "Archive a sent document",
  description:
    "Moves a sent document to the archive. Only sent documents can be archived: 409 `not_sent`, or `already_archived`.",
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 200: { description: "The document, archived.", schema: documentStateSchema } },
  async handle({ db, actor, params }) {
    return { status: 200, body: stateOf(await archiveDocumentService(db, actor, params.documentId)) };
  },
});

export const unarchiveDocument = defineApiOperation({
  operationId: "unarchiveDocument",
  method: "post",
  path: "/documents/{documentId}/unarchive",
  summary: "Take a document out of the archive",
  description: "The document shows with the sent documents again. 409 `not_archived` when it is not in the archive.",
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 200: { description: "The document, out of the archive.", schema: documentStateSchema } },
  async handle({ db, actor, params }) {
    return { status: 200, body: stateOf(await unarchiveDocumentService(db, actor, params.documentId)) };
  },
});

export const confirmNotDuplicate = defineApiOperation({
  operationId: "confirmNotDuplicate",
  method: "post",
  path: "/documents/{documentId}/confirm-not-duplicate",
  summary: "Confirm a possible duplicate is a different document",
  description: [
    "A document with the same supplier VAT number and invoice number as an earlier document of the dossier (and the same amount when both have one) is held as a possible duplicate (`possibleDuplicateOf`): it is not sent, by anyone. This says it is a different document: the hold is lifted (and recorded), and the document is sent at once when it is recognised, the dossier's auto-send is on and its integration is usable. The same fields reported again later do not hold it again.",
    "To get rid of a real duplicate instead, DELETE /documents/{documentId}.",
    "409 `not_held` when the document is not held (any more), `already_sent`, `already_sending` or `archived`.",
  ].join("\n"),
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 200: { description: "The document, no longer held.", schema: documentStateSchema } },
  problems: [409],
  async handle({ db, actor, params }) {
    return { status: 200, body: stateOf(await confirmDocumentNotDuplicate(db, actor, params.documentId)) };
  },
});

export const deleteDocument = defineApiOperation({
  operationId: "deleteDocument",
  method: "delete",
  path: "/documents/{documentId}",
  summary: "Delete a document",
  description:
    "Deletes an inbox, failed or rejected document and its file. A sent document cannot be deleted (409 `already_sent`; archive it instead), nor one being sent (409 `already_sending`) or archived (409 `archived`).",
  tags: [TAG],
  scope: "documents:write",
  params: documentIdParamsSchema,
  responses: { 204: { description: "Deleted." } },
  problems: [409],
  async handle({ db, actor, params }) {
    await removeDocument(db, actor, params.documentId);
    return { status: 204 };
  },
});

/** The document operations, in the order the reference shows them. */
export const DOCUMENT_OPERATIONS = [
  uploadDocuments,
  listDocuments,
  getDocument,
  getDocumentFile,
  setDocumentRecognition,
  sendDocument,
  retryDocument,
  archiveDocument,
  unarchiveDocument,
  confirmNotDuplicate,
  deleteDocument,
] as const;
