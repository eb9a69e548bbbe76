import { REFERENCE_CONTENT_SECURITY_POLICY } from "@/lib/api/reference/assets";
import { referencePageHtml } from "@/lib/api/reference/page";
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE, localeFromAcceptLanguage } from "@/lib/i18n/config";

export const runtime = "nodejs";

const LOCALE_COOKIE_PATTERN = new RegExp(`(?:^|;\\s*)${LOCALE_COOKIE}=([a-z]{2})`);

/** The API reference, public like /api/v1/openapi.json (lib/auth/auth.config.ts lets it through). */
export function GET(request: Request): Response {
  const cookieLocale = LOCALE_COOKIE_PATTERN.exec(request.headers.get("cookie") ?? "")?.[1];
  const locale = isLocale(cookieLocale)
    ? cookieLocale
    : (localeFromAcceptLanguage(request.headers.get("accept-language")) ?? DEFAULT_LOCALE);
  return new Response(referencePageHtml(locale), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": REFERENCE_CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "public, max-age=300",
      vary: "accept-language, cookie",
    },
  });
}
