"use client";

import { useEffect, useSyncExternalStore } from "react";
import { RootMessagesProvider, useTranslations } from "@/components/ui/root-messages";
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE, type Locale, localeFromAcceptLanguage } from "@/lib/i18n/config";
import enErrorPages from "@/lib/i18n/messages/en/errorPages.json";
import frErrorPages from "@/lib/i18n/messages/fr/errorPages.json";
import nlErrorPages from "@/lib/i18n/messages/nl/errorPages.json";
import "./globals.css";

// Only the error pages' own namespace: this module is in every page's JavaScript, so a whole catalog
// file here (all three languages of it) would be downloaded on every first visit.
const ERROR_PAGES = { nl: nlErrorPages, fr: frErrorPages, en: enErrorPages } satisfies Record<Locale, unknown>;

/** The language switch's cookie, else the browser's language; the server render says Dutch. */
function browserLocale(): Locale {
  const cookie = document.cookie
    .split("; ")
    .find((entry) => entry.startsWith(`${LOCALE_COOKIE}=`))
    ?.split("=")[1];
  if (isLocale(cookie)) return cookie;
  return localeFromAcceptLanguage(navigator.languages.join(",")) ?? DEFAULT_LOCALE;
}
const subscribe = () => () => {};

/**
 * Errors in the root layout itself: it replaces the whole document, so it brings its own <html>,
 * styles and (only the "errorPages") messages. Generic text, never the error's message or stack.
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const locale = useSyncExternalStore(subscribe, browserLocale, () => DEFAULT_LOCALE);
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <html lang={locale}>
      <body className="min-h-dvh bg-slate-50 font-sans text-slate-900 antialiased">
        <RootMessagesProvider messages={{ errorPages: ERROR_PAGES[locale] }}>
          <GlobalErrorPanel retry={retry} />
        </RootMessagesProvider>
      </body>
    </html>
  );
}

function GlobalErrorPanel({ retry }: { retry: () => void }) {
  const t = useTranslations("errorPages.error");
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-lg flex-col justify-center px-4 py-10">
      <p className="mb-6 text-2xl font-semibold tracking-tight text-brand-700">Koppel</p>
      <section role="alert" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-2 text-sm text-slate-600">{t("body")}</p>
        <div className="mt-6 flex flex-wrap gap-2">
          <button
            type="button"
            onClick={() => retry()}
            className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
          >
            {t("retry")}
          </button>
          {/* A full page load: the client router may be what broke. */}
          <a
            href="/"
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          >
            {t("home")}
          </a>
        </div>
      </section>
    </main>
  );
}
