import { getLocale, getMessages, getTimeZone } from "next-intl/server";
import type { ReactNode } from "react";
import { CLIENT_MESSAGE_AREAS, type ClientMessageArea, pickMessages } from "@/lib/i18n/client-messages";
import { NextIntlClientProvider } from "./next-intl-client-provider";

/**
 * The next-intl provider for the client components of one area, holding only the messages
 * lib/i18n/client-messages.ts lists for it: every message in it is written into the page's HTML.
 * The provider is next-intl's client one (components/ui/next-intl-client-provider.ts), so the
 * request's locale and time zone are passed here, as next-intl's server provider would (no formats
 * or `now` are configured: lib/i18n/request.ts).
 */
export async function ClientMessages({ area, children }: { area: ClientMessageArea; children: ReactNode }) {
  const [messages, locale, timeZone] = await Promise.all([getMessages(), getLocale(), getTimeZone()]);
  return (
    <NextIntlClientProvider
      locale={locale}
      timeZone={timeZone}
      messages={pickMessages(messages, CLIENT_MESSAGE_AREAS[area])}
    >
      {children}
    </NextIntlClientProvider>
  );
}
