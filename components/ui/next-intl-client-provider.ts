"use client";

import { IntlMessageFormat } from "intl-messageformat";

/**
 * next-intl's client provider, for <ClientMessages> (components/ui/client-messages.tsx) and its lazy
 * twin (components/ui/lazy-intl-provider.tsx), with one change made before it translates anything.
 *
 * Every message that takes values is compiled by intl-messageformat, whose constructor resolves the
 * locale with Intl.NumberFormat.supportedLocalesOf. The first such call in a page loads the
 * browser's number-format locale data: 35–100 ms of main thread on this machine's Chromium (a long
 * task, times four on Lighthouse's phone), while Intl.Locale and Intl.PluralRules, which the
 * messages need, take about a millisecond. Our locales (nl, fr, en: lib/i18n/config.ts) are in
 * every browser's data, so the check can only give back the locale it was handed: take it as it is.
 * A message that formats a number still creates its Intl.NumberFormat when it is formatted.
 */
IntlMessageFormat.resolveLocale = (locales) => {
  const locale = Array.isArray(locales) ? locales[0] : locales;
  return locale && typeof Intl.Locale === "function" ? new Intl.Locale(locale) : undefined;
};

export { NextIntlClientProvider } from "next-intl";
