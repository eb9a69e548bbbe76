/**
 * Edge-safe parts of the Auth.js configuration: pages and the cookie names proxy.ts looks for.
 * The full configuration with the database adapter is lib/auth/auth.ts.
 */
export const AUTH_PAGES = { signIn: "/sign-in", verifyRequest: "/sign-in/check-email", error: "/sign-in" } as const;

export const SESSION_COOKIE_NAMES = ["authjs.session-token", "__Secure-authjs.session-token"] as const;

/** Paths that anonymous visitors may open. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname.startsWith("/sign-in") ||
    // Office sign-up and invitation links are opened before their person has an account.
    pathname === "/sign-up" ||
    pathname.startsWith("/sign-up/") ||
    pathname.startsWith("/invitations/") ||
    pathname.startsWith("/api/") ||
    // The API reference is public, like the OpenAPI document it renders.
    pathname === "/docs/api" ||
    pathname.startsWith("/docs/api/") ||
    // The help is public: an office reads how integrations work before it signs up.
    pathname === "/help" ||
    pathname.startsWith("/help/") ||
    pathname.startsWith("/dev/outbox") ||
    pathname.startsWith("/_next/") ||
    pathname === "/favicon.ico" ||
    // "Add to home screen" fetches the manifest and its icons without the session cookie.
    pathname === "/manifest.webmanifest" ||
    pathname.startsWith("/icons/") ||
    pathname === "/apple-touch-icon.png" ||
    // The share target: it answers anonymous shares itself (sign in, then share again), since a
    // redirect from here would repeat the POST with its files to the sign-in page.
    pathname === "/share"
  );
}
