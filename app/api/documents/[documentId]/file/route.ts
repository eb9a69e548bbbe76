import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { documentFileResponse } from "@/lib/documents/file-response";
import { getDocumentFile } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { problemResponse } from "../../responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ documentId: string }> };

/**
 * A document's original file, for the document page's preview and for download (`?download=1`),
 * with the headers of documentFileResponse (nosniff, a sandbox unless it is an image). Unknown,
 * malformed and other tenants' ids: 404.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { documentId } = await params;
    let file: Awaited<ReturnType<typeof getDocumentFile>>;
    try {
      file = await getDocumentFile(await getDb(), actor, documentId);
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      throw error;
    }
    const isDownload = new URL(request.url).searchParams.get("download") === "1";
    return documentFileResponse(file, isDownload ? "attachment" : "inline");
  } catch (error) {
    console.error("[document file] failed", error);
    return problemResponse(500, "internal", "Internal error", t("errors.generic"));
  }
}
