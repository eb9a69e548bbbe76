import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { contentDisposition } from "@/lib/documents/content-disposition";
import { NotFoundError } from "@/lib/errors";
import { exportDeliveryLog } from "@/lib/failures/delivery-log";
import { resolveLocale } from "@/lib/i18n/resolve-locale";
import { problemResponse, unexpectedErrorResponse } from "../../../documents/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ portalId: string }> };

/** A browser following a link or submitting a form (not fetch, not a script). */
function isPageNavigation(request: Request): boolean {
  const mode = request.headers.get("sec-fetch-mode");
  if (mode) return mode === "navigate";
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * `GET ?from=YYYY-MM-DD&to=YYYY-MM-DD`: the portal's delivery log (every attempt in those UTC
 * days) as a CSV download for an auditor, streamed page by page. Admins and accountants of the
 * portal; anonymous 401; anyone else 404 (before the dates are looked at); bad dates 400 with the
 * reason in the user's language — or, for a person's form, back to the page with the reason.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { portalId } = await params;
    const search = new URL(request.url).searchParams;
    let result: Awaited<ReturnType<typeof exportDeliveryLog>>;
    try {
      result = await exportDeliveryLog(await getDb(), actor, {
        portalId,
        from: search.get("from"),
        to: search.get("to"),
        locale: await resolveLocale(),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      throw error;
    }
    if (!result.ok) {
      // A person's form (a page navigation) goes back to the page with the reason and what was
      // typed; a script gets the problem.
      if (isPageNavigation(request)) {
        const back = new URL(`/portals/${portalId}/failures`, request.url);
        for (const name of ["from", "to"] as const) {
          const value = search.get(name);
          if (value) back.searchParams.set(name, value);
        }
        back.searchParams.set("exportError", result.error);
        back.hash = "delivery-log-title";
        return new Response(null, { status: 303, headers: { location: `${back.pathname}${back.search}${back.hash}` } });
      }
      return problemResponse(400, "invalid-range", "Invalid date range", t(`failures.export.errors.${result.error}`), {
        code: result.error,
      });
    }
    return new Response(result.stream, {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": contentDisposition("attachment", result.fileName),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (error) {
    return unexpectedErrorResponse(error, t, "delivery log");
  }
}
