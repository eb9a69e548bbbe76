import { useTranslations } from "next-intl";
import { useErrorMessage } from "@/components/ui/use-error-message";

// The keys come from this area's services (see below); the page sends both namespaces whole.
// i18n-dynamic-keys: integrations connectors

/**
 * Translates a message key from this area's services: full keys ("integrations.errors.…",
 * "integrations.problems.…", "connectors.errors.…") from the root, plain ones ("emailAddress.invalid",
 * "forbidden") from the shared "errors" namespace. Unknown keys become the generic message, never
 * raw text from the server.
 */
export function useIntegrationMessage(): (key: string | null | undefined, values?: Record<string, string>) => string {
  const t = useTranslations();
  const errorMessage = useErrorMessage();
  type Key = Parameters<typeof t>[0];
  return (key, values) => {
    if (key && (key.startsWith("integrations.") || key.startsWith("connectors."))) {
      if (t.has(key as Key)) return t(key as Key, values as never);
      return errorMessage(null);
    }
    return errorMessage(key);
  };
}
