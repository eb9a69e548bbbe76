/** Message keys that services store as a reason ("connectors.errors.timeout", "dispatch.errors.…"). */
const STORED_KEY = /^(connectors|dispatch)\.[A-Za-z0-9_.]+$/;

/**
 * A stored failure reason as plain text, outside React (the delivery log): our own message key in
 * the reader's language, a package's own words as they are, and the generic message for a key
 * that has no translation (never the raw key). The same rule as components/documents'
 * useReasonText, which the pages use.
 */
export function reasonTextOf(
  reason: string | null | undefined,
  translate: (key: string) => string | null,
  generic: string,
): string | null {
  if (!reason) return null;
  if (!STORED_KEY.test(reason)) return reason;
  return translate(reason) ?? generic;
}
