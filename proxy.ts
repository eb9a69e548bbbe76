import { type NextRequest, NextResponse } from "next/server";
import { isPublicPath, SESSION_COOKIE_NAMES } from "@/lib/auth/auth.config";

/**
 * Sends visitors without a session cookie to the sign-in page. Only a redirect: the session is
 * verified and every permission checked in lib, where pages, actions and the API all pass.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (isPublicPath(pathname)) return NextResponse.next();
  const hasSession = SESSION_COOKIE_NAMES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = pathname === "/" ? "" : `?callbackUrl=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

// API routes and the share target (POST /share) authenticate themselves (session, token or
// signature) and must receive whole bodies: behind a proxy Next buffers only the first 10 MB, and
// uploads and shares may be 20 MB.
export const config = { matcher: ["/((?!api/|share$|_next/static|_next/image|favicon.ico).*)"] };
