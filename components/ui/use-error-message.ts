import { useTranslations } from "next-intl";

/**
 * Turns a message key from a server action or service (a key under "errors") into the user's
 * language; unknown keys fall back to the generic message, never to raw text from the server.
 */
export function useErrorMessage(): (
  key: string | null | undefined,
  values?: Record<string, string | number>,
) => string {
  const t = useTranslations("errors");
  type Key = Parameters<typeof t>[0];
  return (key, values) => {
    if (key && t.has(key as Key)) {
      const message = t(key as Key, values as never);
      // A key that names a group of messages ("companyNumber") is no message.
      if (typeof message === "string" && message !== `errors.${key}`) return message;
    }
    return t("generic");
  };
}
