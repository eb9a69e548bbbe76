import { type NextRequest, NextResponse } from "next/server";
import { databaseUnreachableSince } from "@/db/health-flag";
import { isPublicPath, SESSION_COOKIE_NAMES } from "@/lib/auth/auth.config";
import { databaseUnavailablePage, localeOfRequest } from "@/lib/http/database-unavailable-page";
import { LOCALE_COOKIE } from "@/lib/i18n/config";
import {
  BACK_FORWARD_CACHEABLE_CACHE_CONTROL,
  generateNonce,
  hasOwnContentSecurityPolicy,
  isBackForwardCacheable,
  pageContentSecurityPolicy,
} from "@/lib/security/headers";

/**
 * Sends visitors without a session cookie to the sign-in page. Only a redirect: the session is
 * verified and every permission checked in lib, where pages, actions and the API all pass.
 *
 * Gives every page it lets through its Content-Security-Policy with a fresh nonce, on the response
 * and on the request: Next.js reads the nonce from the request's policy and puts it on the scripts
 * it writes into the page. The headers every response carries are in next.config.ts. The public
 * sign-in and sign-up pages may be kept in the back/forward cache (isBackForwardCacheable).
 *
 * While this process finds its database out of reach (db/health.ts: a page or route that failed
 * on it sets the flag, a probe clears it), every page answers the 503 page "Koppel cannot reach its
 * database; your documents are safe" with Retry-After, instead of each failing with a generic
 * error.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (databaseUnreachableSince() !== undefined && !hasOwnContentSecurityPolicy(pathname)) {
    const locale = localeOfRequest(request.cookies.get(LOCALE_COOKIE)?.value, request.headers.get("accept-language"));
    return databaseUnavailablePage(locale, generateNonce());
  }
  const hasSession = SESSION_COOKIE_NAMES.some((name) => request.cookies.has(name));
  if (!hasSession && !isPublicPath(pathname)) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = pathname === "/" ? "" : `?callbackUrl=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  if (hasOwnContentSecurityPolicy(pathname)) return NextResponse.next();
  const policy = pageContentSecurityPolicy({
    nonce: generateNonce(),
    isDevelopment: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  // Set here, Next.js keeps it instead of its `no-store` for dynamic pages (lib/security/headers.ts).
  if (isBackForwardCacheable(pathname)) response.headers.set("cache-control", BACK_FORWARD_CACHEABLE_CACHE_CONTROL);
  return response;
}

// API routes and the share target (POST /share) authenticate themselves (session, token or
// signature) and must receive whole bodies: behind a proxy Next buffers only the first 10 MB, and
// uploads and shares may be 20 MB. None of them is a page, so none needs the pages' policy.
export const config = { matcher: ["/((?!api/|share$|_next/static|_next/image|favicon.ico).*)"] };
