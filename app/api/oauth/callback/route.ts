import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { runAfterResponse } from "@/lib/actions/after-response";
import { AUTH_PAGES } from "@/lib/auth/auth.config";
import { getActor } from "@/lib/auth/session";
import { runAfterConnectionSaved } from "@/lib/connections/hooks";
import {
  completeAuthorization,
  OAuthCallbackError,
  type OAuthOutcome,
  type OAuthTarget,
} from "@/lib/connections/oauth";
import { escapeHtml } from "@/lib/text/html";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The code and state are in this URL: keep it out of caches and out of the next page's Referer.
const PRIVATE_HEADERS = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

function redirectTo(request: Request, location: string): Response {
  return new Response(null, {
    status: 303,
    headers: { ...PRIVATE_HEADERS, location: new URL(location, request.url).toString() },
  });
}

/** Back to the connection's Integrations page, whose banner reads the outcome. */
function backToIntegrations(request: Request, target: OAuthTarget, outcome: OAuthOutcome, reason?: string | null) {
  const query = new URLSearchParams({ oauth: outcome, connection: target.connectionId });
  if (reason) query.set("reason", reason);
  return redirectTo(request, `/portals/${target.portalId}/integrations?${query}#connection-${target.connectionId}`);
}

/** For a callback that names no portal this user may see: a short page in their language. */
async function outcomePage(outcome: OAuthOutcome, status: number): Promise<Response> {
  const t = await getTranslations("connections.oauth");
  const title = escapeHtml(t("callbackTitle"));
  const body = escapeHtml(t(`outcome.${outcome}`, { package: t("thePackage"), reason: "" }));
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.25rem">${title}</h1><p role="alert">${body}</p><p><a href="/">${escapeHtml(t("backHome"))}</a></p></body></html>`;
  return new Response(html, { status, headers: { ...PRIVATE_HEADERS, "content-type": "text/html; charset=utf-8" } });
}

/**
 * Where every OAuth package sends the admin back (`GET /api/oauth/callback?state&code` or
 * `?state&error`). Needs a session: without one, sign in first and come back here. The service
 * (lib/connections/oauth.ts) consumes the state, re-checks the admin and stores the grant; this
 * route only turns its answer into a redirect to the portal's Integrations page with an outcome
 * the page shows as a banner.
 */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const actor = await getActor();
  if (!actor) {
    const back = `${url.pathname}${url.search}`;
    return redirectTo(request, `${AUTH_PAGES.signIn}?callbackUrl=${encodeURIComponent(back)}`);
  }
  const input = {
    state: url.searchParams.get("state"),
    code: url.searchParams.get("code"),
    error: url.searchParams.get("error"),
  };
  try {
    const db = await getDb();
    const result = await completeAuthorization(db, actor, input);
    if (result.outcome === "connected" || result.outcome === "connectedCheckFailed") {
      // The connector may act now that the grant is there (Exact Online subscribes the divisions
      // of dossiers mapped before); after the redirect is sent.
      runAfterResponse("connection-saved-hooks", () => runAfterConnectionSaved(db, result.target));
    }
    return backToIntegrations(request, result.target, result.outcome);
  } catch (error) {
    if (error instanceof OAuthCallbackError) {
      return error.target
        ? backToIntegrations(request, error.target, error.outcome, error.reason)
        : outcomePage(error.outcome, error.httpStatus);
    }
    console.error("[oauth callback] failed", error);
    const t = await getTranslations("errors");
    return new Response(t("generic"), {
      status: 500,
      headers: { ...PRIVATE_HEADERS, "content-type": "text/plain; charset=utf-8" },
    });
  }
}
