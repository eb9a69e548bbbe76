import "server-only";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { type AppError, type AppErrorCode, isAppError } from "@/lib/errors";
import { DOCUMENT_TYPES } from "./document-types";
import { DuplicateFileError } from "./duplicates";
import { FileRefusedError, type IngestedDocument, ingestDocument } from "./ingest";
import type { DocumentSource } from "./life";
import { FILE_REFUSAL_CODES, type FileRefusalCode, MAX_DOCUMENT_BYTES } from "./sniff";

/** Files per upload request; the dossier page sends one file per request. */
export const MAX_FILES_PER_UPLOAD = 20;

/**
 * A request body larger than one document (plus the form's own overhead) is refused before it is
 * read: a body is held in memory while it is parsed. Several small files may share a request;
 * large ones go one per request, as the dossier page sends them.
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

/** The parts of a form as uploadFormSchema reads them: the `file` parts that are files, and a type ("" is none). */
function uploadFormInputOf(form: FormData) {
  const documentType = form.get("documentType");
  return {
    file: form.getAll("file").filter((part): part is File => part instanceof File),
    documentType: documentType === "" || documentType === null ? undefined : documentType,
  };
}

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

function refusedFile(index: number, file: File, error: AppError): UploadedFileOutcome {
  return {
    index,
    fileName: file.name,
    ok: false,
    httpStatus: error.httpStatus,
    code: error instanceof FileRefusedError ? FILE_REFUSAL_CODES[error.reason] : error.code,
    messageKey: error.messageKey,
    ...(error instanceof DuplicateFileError ? { existingDocumentId: error.existingDocumentId } : {}),
  };
}

/**
 * Uploads the files of a form to a dossier, each through the one ingestion service
 * (lib/documents/ingest.ts), which judges the content (PDF, JPEG, PNG, UBL), the 20 MB limit and
 * the permission. The dossier is authorized first, before the form is looked at, so nobody learns
 * what a dossier they may not see would take; a form without files, with too many, or with an
 * unknown type is a ValidationError. A refused file does not stop the others: each gets its own
 * outcome. The upload route of the UI and the REST API both call this.
 *
 * `db` must not be an open transaction (see ingestDocument).
 */
export async function uploadDocuments(
  db: DbOrTx,
  actor: Actor,
  input: { dossierId: string; source: DocumentSource; form: FormData },
): Promise<UploadResult> {
  await resolveDossierScope(db, actor, input.dossierId, "document.upload");
  const { file: files, documentType } = parseInput(uploadFormSchema, uploadFormInputOf(input.form));

  const outcomes: UploadedFileOutcome[] = [];
  for (const [index, file] of files.entries()) {
    // Too large is known from the part's size: it is refused without being read.
    if (file.size > MAX_DOCUMENT_BYTES) {
      outcomes.push(refusedFile(index, file, new FileRefusedError("tooLarge")));
      continue;
    }
    try {
      const document = await ingestDocument(db, actor, {
        dossierId: input.dossierId,
        source: input.source,
        fileName: file.name,
        content: new Uint8Array(await file.arrayBuffer()),
        documentType: documentType ?? null,
      });
      outcomes.push({ index, fileName: file.name, ok: true, document });
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcomes.push(refusedFile(index, file, error));
    }
  }

  const created = outcomes.filter((outcome) => outcome.ok).length;
  const firstRefusal = outcomes.find((outcome) => !outcome.ok);
  let httpStatus = 201;
  if (created < outcomes.length)
    httpStatus = created > 0 ? 200 : firstRefusal && !firstRefusal.ok ? firstRefusal.httpStatus : 400;
  return { files: outcomes, httpStatus };
}
