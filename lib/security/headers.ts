/**
 * The security headers of Koppel's responses, in one place so next.config.ts (every response),
 * proxy.ts (the pages' Content-Security-Policy) and the tests read the same values. No imports:
 * next.config.ts loads this file at build time, and proxy.ts runs before any route.
 *
 * Where each header is set, and why there:
 * - next.config.ts `headers()` sends SECURITY_HEADERS on every response: pages, API answers,
 *   document files, static files. proxy.ts's matcher leaves api/, /share and _next/static out
 *   (they must receive whole bodies), so it cannot carry headers that apply everywhere.
 * - Strict-Transport-Security goes by X-Forwarded-Proto (see HSTS_FORWARDED_PROTO_PATTERN).
 * - proxy.ts sends pageContentSecurityPolicy() with a fresh nonce on each page. Responses that are
 *   not Next.js pages set their own policy: document files (lib/documents/file-response.ts), the
 *   API reference (lib/api/reference/assets.ts).
 */

/**
 * Powerful features: the camera for our own pages only (a phone photographs a receipt; frames
 * and other origins never get it); the rest, which Koppel never uses, for nobody. Only features
 * Chromium knows are named: an unknown one is a console error on every page.
 */
export const PERMISSIONS_POLICY = [
  "camera=(self)",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "display-capture=()",
].join(", ");

/** Headers for every response, whatever it is. */
export const SECURITY_HEADERS = [
  // A file is what its Content-Type says: an uploaded document is never sniffed into HTML.
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Other sites learn our origin at most, never a dossier's or document's path (ids) from a link.
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
] as const;

/**
 * Answers that send no referrer at all, and set `Referrer-Policy: no-referrer` themselves: a
 * document's file (a link inside a PDF must not tell its host the file's URL), the OAuth callback
 * (its URL carries the authorization code) and the API reference. A header of next.config.ts
 * replaces the one a route sets, so next.config.ts repeats theirs, after the common one (of two
 * matching rules the last wins).
 */
export const NO_REFERRER_SOURCES = [
  "/api/documents/:documentId/file",
  "/api/v1/documents/:documentId/file",
  "/api/oauth/callback",
  "/docs/api",
] as const;

/**
 * Two years, subdomains included (a Koppel host has no plain-http subdomain to keep); no
 * `preload`, which is a promise to the browsers' list that the operator makes for the domain.
 */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/**
 * HSTS is sent when the request came in over https as the TLS-terminating proxy in front of
 * Koppel reports it: `X-Forwarded-Proto: https` (Vercel and the usual load balancers set it;
 * nginx needs `proxy_set_header X-Forwarded-Proto $scheme`). Not by AUTH_URL's scheme: the
 * headers of next.config.ts are fixed when the app is built, and AUTH_URL is read where it runs.
 * A forged header does no harm: a browser ignores HSTS received over plain http (RFC 6797 §8.1).
 * A regular expression for next.config.ts's `has` (matched whole); the first hop counts.
 */
export const HSTS_FORWARDED_PROTO_PATTERN = "https(?:\\s*,.*)?";

/** A nonce for one response: 128 random bits, base64 (what a CSP nonce-source allows). */
export function generateNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy of the app's pages (every page is rendered per request, so each gets
 * a nonce; see docs/architecture.md, "Security headers"). proxy.ts sets it on the request too:
 * Next.js reads the nonce from there and puts it on its own scripts and stylesheet links.
 */
export function pageContentSecurityPolicy({ nonce, isDevelopment }: { nonce: string; isDevelopment: boolean }) {
  return [
    "default-src 'self'",
    // 'strict-dynamic': the scripts Next.js loads from its nonced ones run too; host sources and
    // 'self' are then ignored (kept for browsers before CSP 3). React's development build needs
    // eval for its debugging information.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDevelopment ? " 'unsafe-eval'" : ""}`,
    // Stylesheets from this origin, and <style> elements only with the nonce. In development
    // Next.js's dev tools add <style> elements without it (and a nonce would switch
    // 'unsafe-inline' off).
    isDevelopment ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    // Style attributes: server-rendered progress bars size themselves with style="width: …".
    // An attribute cannot carry a nonce; CSS can run no script, and what it could fetch is held by
    // img-src and font-src below, so this costs little.
    "style-src-attr 'unsafe-inline'",
    // Images are ours only: icons, and a photographed document through its file route. No page
    // shows a local preview of a picked file (that would need blob:).
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    // The document page frames the document's own file (a PDF) from this origin.
    "frame-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    // Forms post to us, or (the OAuth "Connect" form, before the page's script has loaded) are
    // redirected to a package's authorization server, whose host is a connection setting.
    // Chromium checks redirects after a form post against this too.
    "form-action 'self' https:",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Routes that answer with a Content-Security-Policy of their own, not the pages' one. */
export function hasOwnContentSecurityPolicy(pathname: string): boolean {
  return pathname === "/docs/api" || pathname.startsWith("/docs/api/");
}

/**
 * The pages a browser may keep in its back/forward cache, and restore as they were on Back:
 * the public sign-in and sign-up pages and what they answer ("check your e-mail"). They show
 * nothing of an office or a person, so a restored copy cannot show private data stale or to the
 * next person at the computer. Every other page stays out: Next.js sends dynamic pages
 * `no-store`, which keeps them out of the cache (a dossier's documents must not come back after
 * signing out, nor with statuses from before). The invitation page stays out too: it names the
 * invitee and the office.
 */
export function isBackForwardCacheable(pathname: string): boolean {
  return ["/sign-in", "/sign-in/check-email", "/sign-up", "/sign-up/check-email"].includes(pathname);
}

/**
 * The Cache-Control of those pages: like Next.js's own for dynamic pages (revalidated on every
 * use, and `private`: a page carries a CSP nonce, which a shared cache must never hand to
 * others), without `no-store`, the one thing that keeps a page out of the back/forward cache.
 */
export const BACK_FORWARD_CACHEABLE_CACHE_CONTROL = "private, no-cache, max-age=0, must-revalidate";
