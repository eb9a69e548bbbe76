import { DATABASE_RETRY_AFTER_SECONDS } from "@/db/unreachable";
import { DEFAULT_LOCALE, isLocale, type Locale, localeFromAcceptLanguage } from "@/lib/i18n/config";
import en from "@/lib/i18n/messages/en/errorPages.json";
import fr from "@/lib/i18n/messages/fr/errorPages.json";
import nl from "@/lib/i18n/messages/nl/errorPages.json";

const TEXTS = { nl: nl.databaseUnavailable, fr: fr.databaseUnavailable, en: en.databaseUnavailable } satisfies Record<
  Locale,
  { title: string; body: string; retry: string }
>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The language of the person: the language switch's cookie, else Accept-Language, else Dutch. */
export function localeOfRequest(cookieLocale: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieLocale)) return cookieLocale;
  return localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}

/**
 * The page every page request gets while the database is out of reach: 503 with Retry-After, in
 * the person's language, with no script (its own strict policy: one nonce'd style, nothing else)
 * and a refresh after Retry-After so it goes on by itself when the database is back.
 */
export function databaseUnavailablePage(locale: Locale, nonce: string): Response {
  const t = TEXTS[locale];
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${DATABASE_RETRY_AFTER_SECONDS}">
<title>${escapeHtml(t.title)} — Koppel</title>
<style nonce="${nonce}">
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f8fafc;color:#0f172a}
main{max-width:32rem;margin:0 auto;padding:4rem 1rem}
section{background:#fff;border:1px solid #e2e8f0;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 2px rgba(0,0,0,.05)}
h1{font-size:1.25rem;margin:0 0 .5rem}p{font-size:.875rem;color:#475569;line-height:1.5;margin:0}
a{display:inline-block;margin-top:1.5rem;background:#2563eb;color:#fff;text-decoration:none;border-radius:.375rem;padding:.5rem 1rem;font-size:.875rem;font-weight:500}
</style></head>
<body><main><section role="alert"><h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.body)}</p>
<a href="">${escapeHtml(t.retry)}</a></section></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": String(DATABASE_RETRY_AFTER_SECONDS),
      "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    },
  });
}
