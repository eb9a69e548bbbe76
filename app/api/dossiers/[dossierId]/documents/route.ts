import { getTranslations } from "next-intl/server";
import type { UploadFileResult } from "@/components/documents/types";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { ingestDocument } from "@/lib/documents/ingest";
import type { DocumentType } from "@/lib/documents/list";
import { documentTypeSchema } from "@/lib/documents/schemas";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { type AppError, isAppError, NotFoundError } from "@/lib/errors";
import { problemResponse } from "../../../documents/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Files per request; the dossier page sends one file per request. */
const MAX_FILES_PER_REQUEST = 20;
/**
 * A request body larger than one document (plus the form's own overhead) is refused before it is
 * read: a body is held in memory while it is parsed. Several small files may share a request;
 * large ones go one per request, as the dossier page sends them.
 */
const MAX_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024;

type Params = { params: Promise<{ dossierId: string }> };

/**
 * Upload to a dossier: `multipart/form-data` with one or more `file` parts and an optional
 * `documentType` (a document with a type is recognised at once). Each file goes through the one
 * ingestion service as the signed-in person, which checks the content (PDF, JPEG, PNG, UBL), the
 * 20 MB limit and the permission.
 *
 * Answers `{ results: UploadFileResult[] }`, in the order of the files: 201 when every file
 * became a document, 200 when some did. When none did, the status of the first refusal (400,
 * 413, 415) as a problem with the same `results`. Anonymous: 401; a dossier the person may not
 * see: 404; a body that is not a form with files: 400; a body larger than one document: 413.
 * Always problem+json for errors.
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { dossierId } = await params;
    const db = await getDb();
    // Before reading a byte of the body: nobody learns what the dossier takes by uploading to it.
    try {
      await resolveDossierScope(db, actor, dossierId, "document.upload");
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      if (isAppError(error)) return problemResponse(error.httpStatus, error.code, "Refused", t("errors.forbidden"));
      throw error;
    }

    const declaredLength = Number(request.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declaredLength) && declaredLength > MAX_REQUEST_BYTES) {
      return problemResponse(413, "too-large", "Request too large", t("errors.upload.tooLarge"));
    }
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return problemResponse(400, "unreadable", "Not a multipart form", t("documents.upload.problems.unreadable"));
    }
    const files = form.getAll("file").filter((part): part is File => part instanceof File);
    if (files.length === 0) {
      return problemResponse(400, "no-files", "No files", t("documents.upload.problems.noFiles"));
    }
    if (files.length > MAX_FILES_PER_REQUEST) {
      return problemResponse(
        400,
        "too-many-files",
        "Too many files",
        t("documents.upload.problems.tooManyFiles", { max: MAX_FILES_PER_REQUEST }),
      );
    }
    const rawType = form.get("documentType");
    let documentType: DocumentType | null = null;
    if (typeof rawType === "string" && rawType !== "") {
      const parsed = documentTypeSchema.safeParse(rawType);
      if (!parsed.success) {
        return problemResponse(400, "invalid-type", "Unknown document type", t("errors.document.invalidType"));
      }
      documentType = parsed.data;
    }

    const refusal = (fileName: string, error: Pick<AppError, "httpStatus" | "code" | "messageKey">) =>
      ({
        fileName,
        ok: false,
        status: error.httpStatus,
        code: error.code,
        messageKey: `errors.${error.messageKey}`,
        message: t(`errors.${error.messageKey}` as never),
      }) as const;

    const results: UploadFileResult[] = [];
    for (const file of files) {
      // Too large is known from the part's size: it is refused without being read.
      if (file.size > MAX_DOCUMENT_BYTES) {
        results.push(refusal(file.name, { httpStatus: 413, code: "validation_failed", messageKey: "upload.tooLarge" }));
        continue;
      }
      try {
        const document = await ingestDocument(db, actor, {
          dossierId,
          source: "upload",
          fileName: file.name,
          content: new Uint8Array(await file.arrayBuffer()),
          documentType,
        });
        results.push({
          fileName: file.name,
          ok: true,
          document: {
            id: document.id,
            fileName: document.fileName,
            status: document.status,
            documentType: document.documentType,
          },
        });
      } catch (error) {
        if (!isAppError(error)) throw error;
        results.push(refusal(file.name, error));
      }
    }

    const created = results.filter((result) => result.ok).length;
    if (created === results.length) return Response.json({ results }, { status: 201 });
    if (created > 0) return Response.json({ results }, { status: 200 });
    const first = results.find((result) => !result.ok);
    return problemResponse(
      first && !first.ok ? first.status : 400,
      "refused",
      "No file was accepted",
      first && !first.ok ? first.message : t("errors.generic"),
      { results },
    );
  } catch (error) {
    console.error("[upload] failed", error);
    return problemResponse(500, "internal", "Internal error", t("errors.generic"));
  }
}
