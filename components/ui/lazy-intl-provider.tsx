"use client";

import dynamic from "next/dynamic";

/**
 * next-intl's client provider, fetched when it is first rendered: for client components that show
 * only on request (components/ui/lazy-client-messages.tsx), so next-intl's client runtime is not in
 * the JavaScript of every page that might show them.
 */
export const LazyIntlProvider = dynamic(() =>
  import("./next-intl-client-provider").then((m) => m.NextIntlClientProvider),
);
