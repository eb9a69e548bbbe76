import { getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import { CLIENT_MESSAGE_AREAS, pickMessages } from "@/lib/i18n/client-messages";
import { RootMessagesProvider } from "./root-messages";

/**
 * The root area's messages (the error boundary's, app/error.tsx) for the whole app, through a plain
 * context instead of next-intl's client provider (components/ui/root-messages.tsx). Pages whose
 * client components translate wrap them in <ClientMessages> (components/ui/client-messages.tsx).
 */
export async function RootClientMessages({ children }: { children: ReactNode }) {
  const messages = await getMessages();
  return (
    <RootMessagesProvider messages={pickMessages(messages, CLIENT_MESSAGE_AREAS.root)}>{children}</RootMessagesProvider>
  );
}
