import { useAutoSendSkipText, useReasonText } from "./use-reason-text";

/** A stored failure reason (message key, or a package's own words) in the user's language. */
export function ReasonText({ reason, fallback }: { reason: string | null; fallback: string }) {
  return <>{useReasonText()(reason) ?? fallback}</>;
}

/** Why a document was not sent automatically; nothing when it has no such reason. */
export function AutoSendSkipText({ code }: { code: string | null }) {
  const text = useAutoSendSkipText()(code);
  return text;
}
