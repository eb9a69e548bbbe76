import { getLocale, getMessages, getTimeZone } from "next-intl/server";
import type { ReactNode } from "react";
import { CLIENT_MESSAGE_AREAS, type ClientMessageArea, pickMessages } from "@/lib/i18n/client-messages";
import { LazyIntlProvider } from "./lazy-intl-provider";

/**
 * <ClientMessages> (components/ui/client-messages.tsx) for client components that show only on
 * request and are themselves loaded lazily (next/dynamic in a client module): a server component
 * that imports next-intl's provider puts next-intl's client runtime (about 17 KB gzipped) in the
 * page's JavaScript whether it renders or not; this one fetches it with the first render. The
 * request's locale and time zone are passed as the server provider would (no formats or `now` are
 * configured: lib/i18n/request.ts).
 */
export async function LazyClientMessages({ area, children }: { area: ClientMessageArea; children: ReactNode }) {
  const [messages, locale, timeZone] = await Promise.all([getMessages(), getLocale(), getTimeZone()]);
  return (
    <LazyIntlProvider locale={locale} timeZone={timeZone} messages={pickMessages(messages, CLIENT_MESSAGE_AREAS[area])}>
      {children}
    </LazyIntlProvider>
  );
}
