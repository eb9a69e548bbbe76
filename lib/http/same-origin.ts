import { env } from "@/lib/env";

/**
 * Cross-site request forgery guard for route handlers that change state and are authenticated by
 * the session cookie (a browser sends the cookie along with a form posted from any site). Next.js
 * does the same check for server actions; route handlers get it from here. Requests authenticated
 * by an API key (/api/v1) and signed webhooks carry no cookie and do not use this.
 *
 * Accepted: an `Origin` equal to the app's own, which is AUTH_URL's origin when that is set, else
 * the scheme-less host of the request's `Host` header (as Next.js compares for server actions).
 * Refused: a foreign Origin, `Origin: null`, and no Origin at all, except:
 *
 * Hook for the installed app's share target (issue 12): a same-origin POST from the installed app
 * may arrive without an Origin header on some phones; the browser's own `Sec-Fetch-Site:
 * same-origin` (a forbidden header name, which no page can set) lets it through. Nothing else
 * stands in for a missing Origin.
 */
export function isSameOriginRequest(request: Request, appUrl: string | undefined = env().AUTH_URL): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return request.headers.get("sec-fetch-site") === "same-origin";
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, some redirects) and anything unparseable
  }
  if (appUrl) return originUrl.origin === new URL(appUrl).origin;
  const host = request.headers.get("host");
  return host !== null && host !== "" && originUrl.host === host.toLowerCase();
}

/**
 * The guard of the share target (POST /share): what isSameOriginRequest accepts, and the request a
 * phone's share sheet makes. That one is started by the browser itself when someone shares a file
 * to the installed app: no page initiated it, so it has no Origin to send (none, or "null") and its
 * `Sec-Fetch-Site` is "none". No page can cause that: a post from another site is "cross-site", from
 * a sandboxed frame too, and Sec-Fetch-Site is a header pages cannot set. A browser that sends no
 * fetch metadata is refused, as for an upload.
 */
export function isShareTargetRequest(request: Request, appUrl: string | undefined = env().AUTH_URL): boolean {
  if (isSameOriginRequest(request, appUrl)) return true;
  const origin = request.headers.get("origin");
  return (origin === null || origin === "null") && request.headers.get("sec-fetch-site") === "none";
}
