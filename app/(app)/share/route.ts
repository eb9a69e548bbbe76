import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { AUTH_PAGES } from "@/lib/auth/auth.config";
import { getActor } from "@/lib/auth/session";
import { ValidationError } from "@/lib/errors";
import { isShareTargetRequest } from "@/lib/http/same-origin";
import { type ShareNotice, shareNoticePath, shareOutcomeQuery } from "@/lib/share/outcome";
import { receiveShareRequest } from "@/lib/share/share";
import { FileStoreError } from "@/lib/storage/file-store";
import { escapeHtml } from "@/lib/text/html";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/** 303: the browser follows with a GET, so a reload of the landing page never posts the files again. */
function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { ...NO_STORE, location } });
}

async function crossSitePage(): Promise<Response> {
  const t = await getTranslations("share.crossSite");
  const title = escapeHtml(t("title"));
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.25rem">${title}</h1><p role="alert">${escapeHtml(t("body"))}</p><p><a href="/">${escapeHtml(t("home"))}</a></p></body></html>`;
  return new Response(html, { status: 403, headers: { ...NO_STORE, "content-type": "text/html; charset=utf-8" } });
}

const VALIDATION_NOTICES: Record<string, ShareNotice> = {
  "upload.noFiles": "no-files",
  "upload.tooManyFiles": "too-many-files",
};

/** Someone opening /share itself (a bookmark, the back button): there is nothing to see here. */
export function GET(): Response {
  return seeOther("/");
}

/**
 * The web app manifest's share target: a phone's share sheet posts the shared files here
 * (multipart/form-data, `file` parts). Every answer is a page for the person who shared:
 * - from another site (lib/http/same-origin.ts, isShareTargetRequest): 403, nothing read;
 * - signed out: to the sign-in page, which brings them to a page asking to share again (the files
 *   are not kept: nobody could say whose they are);
 * - a body over what one upload may carry, a body that is not a form, no files or too many: a
 *   notice page that says so;
 * - one dossier to upload to: the files are uploaded there (lib/share/share.ts, the upload
 *   service) and the dossier's page shows how many arrived and why any were refused;
 * - several: the pick page of the waiting share; none: a notice page.
 */
export async function POST(request: Request): Promise<Response> {
  if (!isShareTargetRequest(request)) return crossSitePage();
  const actor = await getActor();
  if (actor?.kind !== "user") {
    return seeOther(`${AUTH_PAGES.signIn}?callbackUrl=${encodeURIComponent(shareNoticePath("signed-in"))}`);
  }

  try {
    // Streamed: the files go to the store as they arrive, and a larger body stops being read at the
    // limit, whatever Content-Length says (lib/share/share.ts). Outside proxy.ts's matcher.
    const receipt = await receiveShareRequest(await getDb(), actor, { request });
    if (receipt === "tooLarge") return seeOther(shareNoticePath("too-large"));
    if (receipt === "unreadable") return seeOther(shareNoticePath("unreadable"));
    switch (receipt.kind) {
      case "noDossier":
        return seeOther(shareNoticePath("no-dossier"));
      case "ingested":
        return seeOther(`/dossiers/${receipt.dossierId}?${shareOutcomeQuery(receipt.files)}`);
      case "pending":
        return seeOther(`/share/${receipt.shareId}`);
    }
  } catch (error) {
    if (error instanceof ValidationError) {
      const key = Object.values(error.fieldErrors ?? {})[0]?.[0] ?? "";
      return seeOther(shareNoticePath(VALIDATION_NOTICES[key] ?? "no-files"));
    }
    if (error instanceof FileStoreError) {
      console.error("[share] the file store could not keep the shared files", error.cause);
      return seeOther(shareNoticePath(error.code === "storage_full" ? "storage-full" : "storage-unavailable"));
    }
    console.error("[share] failed", error);
    return seeOther(shareNoticePath("failed"));
  }
}
