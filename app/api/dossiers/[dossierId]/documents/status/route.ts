import { getTranslations } from "next-intl/server";
import type { LiveDocumentState } from "@/components/documents/types";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { listDocumentStates, MAX_STATE_IDS } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { problemResponse, unexpectedErrorResponse } from "../../../../documents/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ dossierId: string }> };

/**
 * `GET ?ids=<id>,<id>…`: the status of some documents of the dossier, for the list's live updates
 * while documents are being sent (one small indexed query per poll). Ids that are not the
 * dossier's are left out. Anonymous: 401; a dossier the person may not see: 404; the database out
 * of reach: 503 with Retry-After, a problem whose detail says the documents are safe.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const t = await getTranslations();
  try {
    const actor = await getActor();
    if (!actor) return problemResponse(401, "unauthenticated", "Not signed in", t("errors.unauthenticated"));
    const { dossierId } = await params;
    const ids = (new URL(request.url).searchParams.get("ids") ?? "").split(",").filter(Boolean);
    if (ids.length > MAX_STATE_IDS) {
      return problemResponse(400, "too-many-ids", "Too many ids", t("errors.validationFailed"));
    }
    let documents: LiveDocumentState[];
    try {
      const states = await listDocumentStates(await getDb(), actor, dossierId, ids);
      documents = states.map(({ id, status, lastErrorReason }) => ({ id, status, lastErrorReason }));
    } catch (error) {
      if (error instanceof NotFoundError) return problemResponse(404, "not-found", "Not found", t("errors.notFound"));
      throw error;
    }
    return Response.json({ documents }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    // The database out of reach: 503; the page keeps polling, Retry-After paces scripts that read this too.
    return unexpectedErrorResponse(error, t, "document status");
  }
}
