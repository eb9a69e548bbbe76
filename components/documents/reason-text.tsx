import { HelpLink } from "@/components/help/help-link";
import { isAutoSendSkipReason } from "@/lib/documents/refusals";
import { refusalHelpHref } from "@/lib/help/links";
import { useAutoSendSkipText, useReasonText } from "./use-reason-text";

/** A stored failure reason (message key, or a package's own words) in the user's language. */
export function ReasonText({ reason, fallback }: { reason: string | null; fallback: string }) {
  return <>{useReasonText()(reason) ?? fallback}</>;
}

/** Why a document was not sent automatically; nothing when it has no such reason. */
export function AutoSendSkipText({ code }: { code: string | null }) {
  const text = useAutoSendSkipText()(code);
  if (!text || !isAutoSendSkipReason(code)) return text;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      {text}
      <HelpLink href={refusalHelpHref(code)} topic={text} />
    </span>
  );
}
