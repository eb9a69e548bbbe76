import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { type AppError, type AppErrorCode, isAppError } from "@/lib/errors";
import { readStreamedForm } from "@/lib/http/multipart";
import { getFileStore } from "@/lib/storage";
import { DOCUMENT_TYPES } from "./document-types";
import { DuplicateFileError } from "./duplicates";
import { FileRefusedError, type IngestedDocument, ingestReceivedFile } from "./ingest";
import type { DocumentSource } from "./life";
import type { ReceivedFile } from "./receive-file";
import { receiveFileIntoStore } from "./receive-file";
import { FILE_REFUSAL_CODES, type FileRefusalCode, MAX_DOCUMENT_BYTES } from "./sniff";

/** Files per upload request; the dossier page sends one file per request. */
export const MAX_FILES_PER_UPLOAD = 20;

/**
 * A request body larger than one document (plus the form's own overhead) is refused, and stops
 * being read at this size. Several small files may share a request; large ones go one per
 * request, as the dossier page sends them.
 */
export const MAX_UPLOAD_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024;

/**
 * An upload form: one or more `file` parts and an optional `documentType` (a document with a type
 * is recognised at once). The upload route and the REST API read it with this schema, and the
 * API's reference shows it.
 */
export const uploadFormSchema = z.object({
  file: z
    .array(z.file())
    .min(1, "upload.noFiles")
    .max(MAX_FILES_PER_UPLOAD, "upload.tooManyFiles")
    .meta({
      description: `One part per file, at most ${MAX_FILES_PER_UPLOAD}: PDF, JPEG, PNG or a UBL invoice or credit note (XML), each at most 20 MB. The type is judged by the content, never by the name.`,
    }),
  documentType: z.enum(DOCUMENT_TYPES, { error: "document.invalidType" }).optional().meta({
    description: "Known at upload: every file becomes a recognised document of this type (auto-send then applies).",
  }),
});

/**
 * What uploadFormSchema says of a streamed form, checked once its files are in the store: how many
 * `file` parts it had (reading stops at the first one too many) and its type ("" is none).
 */
const receivedUploadSchema = z.object({
  file: z.number().int().min(1, "upload.noFiles").max(MAX_FILES_PER_UPLOAD, "upload.tooManyFiles"),
  documentType: uploadFormSchema.shape.documentType,
});

/** What became of one file of an upload, in the order of the form's files. */
export type UploadedFileOutcome =
  | { index: number; fileName: string; ok: true; document: IngestedDocument }
  | {
      index: number;
      fileName: string;
      ok: false;
      httpStatus: number;
      /** A file refusal (empty, too large, unsupported type), or the code of the error that refused it. */
      code: FileRefusalCode | AppErrorCode;
      /** A key under "errors". */
      messageKey: string;
      /** For `duplicate_file`: the document of the dossier that already has this file. */
      existingDocumentId?: string;
    };

export type UploadResult = {
  files: UploadedFileOutcome[];
  /** 201 when every file became a document, 200 when some did, else the status of the first refusal. */
  httpStatus: number;
};

function refusedFile(index: number, fileName: string, error: AppError): UploadedFileOutcome {
  return {
    index,
    fileName,
    ok: false,
    httpStatus: error.httpStatus,
    code: error instanceof FileRefusedError ? FILE_REFUSAL_CODES[error.reason] : error.code,
    messageKey: error.messageKey,
    ...(error instanceof DuplicateFileError ? { existingDocumentId: error.existingDocumentId } : {}),
  };
}

/** A ValidationError unless a form's count of `file` parts is one to MAX_FILES_PER_UPLOAD (as uploadFormSchema says). */
export function assertUploadFileCount(fileCount: number): void {
  parseInput(receivedUploadSchema.pick({ file: true }), { file: fileCount });
}

/** A file of a received upload: in the store under the key of the document it may become. */
type ReceivedDocumentFile = ReceivedFile & { documentId: string };

/**
 * An upload whose body was read: its files streamed into the store (under the keys of the
 * documents they may become), its fields, and the SHA-256 of its bytes. ingestUpload turns it into
 * documents; discardUpload drops it (a replayed API request).
 */
export type ReceivedUpload = {
  dossierId: string;
  files: ReceivedDocumentFile[];
  /** `file` parts in the form; more than MAX_FILES_PER_UPLOAD means reading stopped at one too many. */
  fileCount: number;
  documentType: string | undefined;
  sha256: string;
  /** Set by ingestUpload: from then on its files are its to keep or delete, and discardUpload leaves them. */
  isTaken: boolean;
};

/** Why a body is no upload at all: larger than one upload may be, or not a multipart form. */
export type UploadBodyRefusal = "tooLarge" | "unreadable";

/**
 * Reads an upload's body as it streams (lib/http/multipart.ts): each `file` part goes straight to
 * the file store (lib/documents/receive-file.ts), never whole in memory; the request, per-file and
 * file-count limits hold while reading, and a body over the limit stops being read there. The
 * dossier is authorized before a byte is read, so nobody learns what a dossier they may not see
 * would take. When the body is refused, nothing it carried stays in the store.
 */
export async function receiveUpload(
  db: DbOrTx,
  actor: Actor,
  input: {
    dossierId: string;
    request: Request;
    maxBytes?: number;
    /** A share's form carries only files: a `documentType` in it is not read. */
    isFilesOnly?: boolean;
  },
): Promise<ReceivedUpload | UploadBodyRefusal> {
  const scope = await resolveDossierScope(db, actor, input.dossierId, "document.upload");
  const store = getFileStore();
  const files: ReceivedDocumentFile[] = [];
  const read = await readStreamedForm(input.request, {
    maxBytes: input.maxBytes ?? MAX_UPLOAD_REQUEST_BYTES,
    maxFileBytes: MAX_DOCUMENT_BYTES,
    fileField: "file",
    maxFiles: MAX_FILES_PER_UPLOAD,
    onFile: async (part) => {
      const documentId = randomUUID();
      const received = await receiveFileIntoStore(store, `${scope.portalId}/${scope.dossierId}/${documentId}`, part);
      files.push({ ...received, documentId });
    },
  });
  if (typeof read === "string") {
    await deleteReceivedFiles(files);
    return read;
  }
  const documentType = input.isFilesOnly ? undefined : read.fields.get("documentType");
  return {
    dossierId: input.dossierId,
    files: files.sort((a, b) => a.index - b.index),
    fileCount: read.fileCount,
    documentType: documentType === "" ? undefined : documentType,
    sha256: read.sha256,
    isTaken: false,
  };
}

/** Drops what an upload stored (it will not become documents), unless ingestUpload took it. */
export async function discardUpload(upload: ReceivedUpload): Promise<void> {
  if (upload.isTaken) return;
  upload.isTaken = true;
  await deleteReceivedFiles(upload.files);
}

async function deleteReceivedFiles(files: readonly ReceivedDocumentFile[]): Promise<void> {
  const store = getFileStore();
  await Promise.all(
    files
      .filter((file) => file.stored)
      .map((file) =>
        store.delete(file.storageKey).catch((error: unknown) => {
          console.error(`[documents] could not remove the file of a refused upload (${file.storageKey})`, error);
        }),
      ),
  );
}

/**
 * Turns the files of a received upload into documents, each through the one ingestion service
 * (lib/documents/ingest.ts), which judges the content (PDF, JPEG, PNG, UBL), the 20 MB limit and
 * the permission. A form without files, with too many, or with an unknown type is a
 * ValidationError. A refused file does not stop the others: each gets its own outcome. Whatever
 * happens, a stored file that did not become a document is deleted.
 *
 * `db` must not be an open transaction (see ingestDocument).
 */
export async function ingestUpload(
  db: DbOrTx,
  actor: Actor,
  input: { source: DocumentSource; upload: ReceivedUpload },
): Promise<UploadResult> {
  const { upload } = input;
  if (upload.isTaken) throw new Error("this upload was already ingested or discarded");
  upload.isTaken = true;
  const pending = new Set(upload.files);
  try {
    await resolveDossierScope(db, actor, upload.dossierId, "document.upload");
    const { documentType } = parseInput(receivedUploadSchema, {
      file: upload.fileCount,
      documentType: upload.documentType,
    });
    const outcomes: UploadedFileOutcome[] = [];
    for (const file of upload.files) {
      pending.delete(file);
      try {
        const document = await ingestReceivedFile(
          db,
          actor,
          { dossierId: upload.dossierId, source: input.source, documentType: documentType ?? null },
          file,
        );
        outcomes.push({ index: file.index, fileName: file.fileName, ok: true, document });
      } catch (error) {
        if (!isAppError(error)) throw error;
        outcomes.push(refusedFile(file.index, file.fileName, error));
      }
    }
    return { files: outcomes, httpStatus: uploadStatusOf(outcomes) };
  } finally {
    await deleteReceivedFiles([...pending]);
  }
}

/** 201 when every file became a document, 200 when some did, else the status of the first refusal. */
function uploadStatusOf(outcomes: readonly UploadedFileOutcome[]): number {
  const created = outcomes.filter((outcome) => outcome.ok).length;
  const firstRefusal = outcomes.find((outcome) => !outcome.ok);
  if (created === outcomes.length) return 201;
  if (created > 0) return 200;
  return firstRefusal && !firstRefusal.ok ? firstRefusal.httpStatus : 400;
}

/**
 * receiveUpload then ingestUpload: an upload route's whole work (the app's upload route and the
 * share target; the REST API claims its Idempotency-Key in between).
 */
export async function uploadFromRequest(
  db: DbOrTx,
  actor: Actor,
  input: { dossierId: string; source: DocumentSource; request: Request; maxBytes?: number; isFilesOnly?: boolean },
): Promise<UploadResult | UploadBodyRefusal> {
  const upload = await receiveUpload(db, actor, input);
  if (typeof upload === "string") return upload;
  return ingestUpload(db, actor, { source: input.source, upload });
}

/**
 * Uploads the files of a form already in memory (a picked share, tests) through the same streamed
 * path as a request: the form is encoded as the browser would send it, without the request size
 * limit (its files are here already; each file still has the 20 MB limit).
 *
 * `db` must not be an open transaction (see ingestDocument).
 */
export async function uploadDocuments(
  db: DbOrTx,
  actor: Actor,
  input: { dossierId: string; source: DocumentSource; form: FormData },
): Promise<UploadResult> {
  const request = new Request("http://koppel.invalid/upload", { method: "POST", body: input.form });
  const upload = await receiveUpload(db, actor, {
    dossierId: input.dossierId,
    request,
    maxBytes: Number.POSITIVE_INFINITY,
  });
  // Only a malformed body is unreadable, and a FormData always encodes as a well-formed one.
  if (typeof upload === "string") throw new Error(`an in-memory form could not be read as an upload (${upload})`);
  return ingestUpload(db, actor, { source: input.source, upload });
}
