import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { contentDisposition } from "@/lib/documents/content-disposition";
import { getDocumentFile } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { problemResponse } from "../../responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ documentId: string }> };

/**
 * A document's original file, for the document page's preview and for download (`?download=1`).
 * Served with the type it was stored with (sniffed from its content at upload), never sniffed
 * again by the browser (`nosniff`), and, unless it is an image, in a sandbox (`CSP: sandbox`):
 * an XML or PDF file opened here runs no script with the app's origin. Unknown, malformed and
 * other tenants' ids: 404.
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
    const headers = new Headers({
      "content-type": file.mimeType,
      "content-length": String(file.content.byteLength),
      "content-disposition": contentDisposition(isDownload ? "attachment" : "inline", file.fileName),
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
      "referrer-policy": "no-referrer",
      "cross-origin-resource-policy": "same-origin",
    });
    if (!file.mimeType.startsWith("image/")) headers.set("content-security-policy", "sandbox");
    return new Response(Buffer.from(file.content), { status: 200, headers });
  } catch (error) {
    console.error("[document file] failed", error);
    return problemResponse(500, "internal", "Internal error", t("errors.generic"));
  }
}
