import { createFormatter, NextIntlClientProvider } from "next-intl";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { toListRows } from "@/components/documents/list-rows";
import type { DocumentRow, ListRow } from "@/components/documents/types";
import type { Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

/** The HTML a component renders to in a language, with that language's messages (as the app gives them). */
export function renderInLocale(locale: Locale, element: ReactElement): string {
  return renderToStaticMarkup(
    <NextIntlClientProvider locale={locale} messages={MESSAGES[locale]} timeZone="Europe/Brussels" now={new Date()}>
      {element}
    </NextIntlClientProvider>,
  );
}

/** The document list's rows as the dossier page hands them to the list, formatted in a language. */
export function listRowsIn(locale: Locale, rows: readonly DocumentRow[]): ListRow[] {
  return toListRows(rows, createFormatter({ locale, timeZone: "Europe/Brussels" }));
}
