import { useTranslations } from "next-intl";
import { useErrorMessage } from "@/components/ui/use-error-message";

/**
 * Message keys from the connection services: first this page's own (connections.errors: field
 * errors of generated forms, "connector not built yet"), then the common "errors" namespace.
 */
export function useConnectionErrorMessage(): (
  key: string | null | undefined,
  values?: Record<string, string | number>,
) => string {
  const t = useTranslations("connections.errors");
  const common = useErrorMessage();
  type Key = Parameters<typeof t>[0];
  return (key, values) => (key && t.has(key as Key) ? t(key as Key, values as never) : common(key, values));
}

/** A connector error code's plain reason (connectors.errors.<code>), or null when unknown. */
export function useConnectorReason(): (code: string | null | undefined) => string | null {
  const t = useTranslations("connectors.errors");
  type Key = Parameters<typeof t>[0];
  return (code) => (code && t.has(code as Key) ? t(code as Key) : null);
}
