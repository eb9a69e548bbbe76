import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { documentFileResponse } from "@/lib/documents/file-response";
import { getDocumentFile } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { getUblPdfView } from "@/lib/ubl/preview";
import { problemResponse, unexpectedErrorResponse } from "../../responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ documentId: string }> };

/**
 * A document's original file, for the document page's preview and for download (`?download=1`),
 * with the headers of documentFileResponse (nosniff, a sandbox unless it is an image). Unknown,
 * malformed and other tenants' ids: 404. `?view=pdf`: for a UBL e-invoice, the PDF it carries or
 * Koppel's rendering of it (lib/ubl/preview.ts), with the same checks and headers; 404 for any
 * other document. The original XML stays what the plain URL serves.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { documentId } = await params;
    const searchParams = new URL(request.url).searchParams;
    const isPdfView = searchParams.get("view") === "pdf";
    let file: Awaited<ReturnType<typeof getDocumentFile>>;
    try {
      file = isPdfView
        ? await getUblPdfView(await getDb(), actor, documentId)
        : await getDocumentFile(await getDb(), actor, documentId);
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      throw error;
    }
    const isDownload = searchParams.get("download") === "1";
    return documentFileResponse(file, isDownload ? "attachment" : "inline");
  } catch (error) {
    return unexpectedErrorResponse(error, t, "document file");
  }
}
