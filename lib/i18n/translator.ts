// use-intl/core is next-intl's own React-free core (next-intl re-exports it): the "next-intl" entry
// pulls in React hooks, which the react-server build of React lacks outside Next's bundler, so
// the operator's scripts (`tsx --conditions=react-server`, e.g. office:invite mailing an
// invitation) could not load it.
import { createTranslator } from "use-intl/core";
import type { Locale } from "./config";
import { MESSAGES } from "./messages";

/** Translations outside a request (e-mails, jobs, scripts), in the recipient's language. */
export function translatorFor(locale: Locale) {
  return createTranslator({ locale, messages: MESSAGES[locale] });
}
