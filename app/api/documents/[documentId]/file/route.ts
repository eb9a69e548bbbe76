import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { documentFileResponse, storedDocumentFileResponse } from "@/lib/documents/file-response";
import { NotFoundError } from "@/lib/errors";
import { FileStoreError } from "@/lib/storage/file-store";
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
 *
 * The original is streamed from the store, never whole in memory; both answer one `Range: bytes=`
 * range (206, or 416 when it selects no byte) and send the whole file for several or malformed ones.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { documentId } = await params;
    const searchParams = new URL(request.url).searchParams;
    const isPdfView = searchParams.get("view") === "pdf";
    const isDownload = searchParams.get("download") === "1";
    const disposition = isDownload ? "attachment" : "inline";
    const rangeHeader = request.headers.get("range");
    try {
      if (isPdfView) {
        return documentFileResponse(await getUblPdfView(await getDb(), actor, documentId), disposition, rangeHeader);
      }
      return await storedDocumentFileResponse(await getDb(), actor, documentId, { rangeHeader, disposition });
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      if (error instanceof FileStoreError) {
        console.error("[document file] the file store cannot be read", error.cause);
        return problemResponse(503, "storage-unavailable", "Storage unavailable", t("errors.storage.readUnavailable"));
      }
      throw error;
    }
  } catch (error) {
    return unexpectedErrorResponse(error, t, "document file");
  }
}
