import { useTranslations } from "next-intl";

// The stored reasons are keys of these kinds only: ConnectorError.messageKey, dispatchErrorMessageKey,
// sendRefusalMessageKey and the mail bounce reasons (lib/email/webhook.ts). Only these reach the
// browser (lib/i18n/client-messages.ts), so any other key shows the generic message.
// i18n-dynamic-keys: connectors.errors dispatch.errors dispatch.refusals dispatch.bounce

/** Message keys that services store as a reason ("connectors.errors.timeout", "dispatch.errors.…"). */
const STORED_KEY = /^(connectors|dispatch)\.[A-Za-z0-9_.]+$/;

/**
 * A stored reason in the user's language. Failures carry our own message key; a rejection carries
 * the package's own words, which are shown as they are. A key we cannot translate becomes the
 * generic message, never the raw key.
 */
export function useReasonText(): (reason: string | null | undefined) => string | null {
  const t = useTranslations();
  type Key = Parameters<typeof t>[0];
  return (reason) => {
    if (!reason) return null;
    if (!STORED_KEY.test(reason)) return reason;
    return t.has(reason as Key) ? t(reason as Key) : t("errors.generic");
  };
}

/** Why a document was not sent automatically, from its stored code (lib/documents/refusals.ts). */
export function useAutoSendSkipText(): (code: string | null | undefined) => string | null {
  const t = useTranslations("dispatch.autoSendSkipped");
  type Key = Parameters<typeof t>[0];
  return (code) => {
    if (!code) return null;
    return t.has(code as Key) ? t(code as Key) : null;
  };
}

/** Why a send was refused, from the reason code requestSend answered. */
export function useRefusalText(): (code: string) => string {
  const t = useTranslations();
  type Key = Parameters<typeof t>[0];
  return (code) => {
    const key = `dispatch.refusals.${code}`;
    return t.has(key as Key) ? t(key as Key) : t("errors.generic");
  };
}
