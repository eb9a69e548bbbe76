"use client";

import { createContext, type ReactNode, useContext } from "react";

type Messages = Record<string, unknown>;

const RootMessagesContext = createContext<Messages>({});

/**
 * The messages of the root area (lib/i18n/client-messages.ts: the error boundary's), handed to the
 * browser without next-intl's client provider: its runtime (about 17 KB gzipped) then loads only on
 * pages whose own client components translate, not on every page for a boundary that rarely shows.
 */
export function RootMessagesProvider({ messages, children }: { messages: Messages; children: ReactNode }) {
  return <RootMessagesContext value={messages}>{children}</RootMessagesContext>;
}

/**
 * next-intl's useTranslations for the root area's messages, which are plain text with `{name}`
 * arguments (tests/unit/components/root-messages.test.ts holds them to that): no plurals, no rich
 * text. A missing message shows its key, as next-intl does.
 */
export function useTranslations(namespace: string) {
  const messages = useContext(RootMessagesContext);
  return (key: string, values?: Record<string, string | number>) =>
    formatRootMessage(messages, `${namespace}.${key}`, values);
}

/** The message at a key path, its `{name}` arguments filled in; the key path when there is none. */
export function formatRootMessage(
  messages: Messages,
  keyPath: string,
  values?: Record<string, string | number>,
): string {
  const message = keyPath
    .split(".")
    .reduce<unknown>(
      (node, part) => (node !== null && typeof node === "object" ? (node as Messages)[part] : undefined),
      messages,
    );
  if (typeof message !== "string") return keyPath;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values && name in values ? String(values[name]) : whole,
  );
}
