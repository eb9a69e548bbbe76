import { getTranslations } from "next-intl/server";
import type { UploadFileResult } from "@/components/documents/types";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { uploadFromRequest } from "@/lib/documents/upload";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { isAppError, NotFoundError, ValidationError } from "@/lib/errors";
import { isSameOriginRequest } from "@/lib/http/same-origin";
import { problemResponse, unexpectedErrorResponse } from "../../../documents/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ dossierId: string }> };

/**
 * Upload to a dossier: `multipart/form-data` with one or more `file` parts and an optional
 * `documentType` (a document with a type is recognised at once). The files go through
 * uploadDocuments (lib/documents/upload.ts, shared with the REST API) as the signed-in person,
 * which checks the content (PDF, JPEG, PNG, UBL), the 20 MB limit and the permission.
 *
 * Answers `{ results: UploadFileResult[] }`, in the order of the files: 201 when every file
 * became a document, 200 when some did. When none did, the status of the first refusal (400,
 * 413, 415) as a problem with the same `results`. Anonymous: 401; a dossier the person may not
 * see: 404; a body that is not a form with files: 400; a body larger than one document: 413.
 * A request from another site (Origin not ours, or missing): 403 (lib/http/same-origin.ts).
 * Always problem+json for errors.
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    // The session cookie rides along with a form posted from any site: only our own pages may post.
    if (!isSameOriginRequest(request)) {
      return problemResponse(403, "cross-origin", "Cross-origin request refused", t("errors.crossOrigin"));
    }
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

    // Streamed: each file goes to the store as it arrives, and a larger body (chunked or not) stops
    // being read at the limit (lib/documents/upload.ts). Outside proxy.ts's matcher, or Next would
    // buffer the body.
    let upload: Awaited<ReturnType<typeof uploadFromRequest>>;
    try {
      upload = await uploadFromRequest(db, actor, { dossierId, source: "upload", request });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // No files, too many, or an unknown type: the first field's message says which.
      const key = Object.values(error.fieldErrors ?? {})[0]?.[0] ?? "validationFailed";
      return problemResponse(400, "invalid-form", "Invalid upload", t(`errors.${key}` as never));
    }
    if (upload === "tooLarge")
      return problemResponse(413, "too-large", "Request too large", t("errors.upload.tooLarge"));
    if (upload === "unreadable") {
      return problemResponse(400, "unreadable", "Not a multipart form", t("documents.upload.problems.unreadable"));
    }

    const results: UploadFileResult[] = upload.files.map((outcome) =>
      outcome.ok
        ? {
            fileName: outcome.fileName,
            ok: true,
            document: {
              id: outcome.document.id,
              fileName: outcome.document.fileName,
              status: outcome.document.status,
              documentType: outcome.document.documentType,
            },
          }
        : {
            fileName: outcome.fileName,
            ok: false,
            status: outcome.httpStatus,
            code: outcome.code,
            messageKey: `errors.${outcome.messageKey}`,
            message: t(`errors.${outcome.messageKey}` as never),
            ...(outcome.existingDocumentId ? { existingDocumentId: outcome.existingDocumentId } : {}),
          },
    );
    if (upload.httpStatus < 300) return Response.json({ results }, { status: upload.httpStatus });
    const first = results.find((result) => !result.ok);
    return problemResponse(
      upload.httpStatus,
      "refused",
      "No file was accepted",
      first && !first.ok ? first.message : t("errors.generic"),
      { results },
    );
  } catch (error) {
    return unexpectedErrorResponse(error, t, "upload");
  }
}
