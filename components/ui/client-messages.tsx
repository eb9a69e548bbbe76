import { NextIntlClientProvider } from "next-intl";
import { getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import { CLIENT_MESSAGE_AREAS, type ClientMessageArea, pickMessages } from "@/lib/i18n/client-messages";

/**
 * The next-intl provider for the client components of one area, holding only the messages
 * lib/i18n/client-messages.ts lists for it: every message in it is written into the page's HTML.
 * Locale, time zone and formats come from the request, as for any provider.
 */
export async function ClientMessages({ area, children }: { area: ClientMessageArea; children: ReactNode }) {
  const messages = await getMessages();
  return (
    <NextIntlClientProvider messages={pickMessages(messages, CLIENT_MESSAGE_AREAS[area])}>
      {children}
    </NextIntlClientProvider>
  );
}
