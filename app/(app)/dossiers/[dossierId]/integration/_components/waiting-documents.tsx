"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { type SendWholeTabTotals, sendWholeTab } from "@/components/documents/send-whole-tab";
import { useRefusalText } from "@/components/documents/use-reason-text";
import { HelpLink } from "@/components/help/help-link";
import type { IntegrationSavedOutcome } from "@/lib/dispatch/waiting";
import type { SendRefusal } from "@/lib/documents/refusals";
import { isSendRefusal } from "@/lib/documents/refusals";
import { refusalHelpHref } from "@/lib/help/links";
import { sendAllInTabAction } from "../../actions";
import { useIntegrationMessage } from "./use-integration-message";

/**
 * Refusals of documents the offer never counted: "send all" walks the whole Inbox, where the
 * documents without a type and those held as possible duplicates wait for a person, not for this.
 */
const NOT_OFFERED = new Set<SendRefusal>(["not_recognised", "possible_duplicate"]);

/**
 * After a save, what became of the dossier's waiting recognised documents: how many auto-send sent
 * at once, and an offer to send the ones still waiting. The offer is the list's own "send all in
 * this tab" of the Inbox (sendAllInTabAction: the server finds the documents, in batches, through
 * requestSend), called again from where the server stopped until the tab is done. Nothing is
 * offered for a dossier that sends nothing ("no integration needed").
 */
export function WaitingDocuments({
  dossierId,
  outcome,
  sendsDocuments,
}: {
  dossierId: string;
  outcome: IntegrationSavedOutcome;
  sendsDocuments: boolean;
}) {
  const t = useTranslations("waitingDocuments");
  const message = useIntegrationMessage();
  const refusalText = useRefusalText();
  const [sent, setSent] = useState<SendWholeTabTotals | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const isOffered = sendsDocuments && outcome.waiting > 0 && !sent;
  if (outcome.autoSent === 0 && !isOffered && !sent && !error) return null;

  const sendWaiting = () =>
    startTransition(async () => {
      setError(null);
      const sent = await sendWholeTab(sendAllInTabAction, { dossierId, tab: "inbox" });
      if (!sent.ok) {
        setError(sent.messageKey);
        return;
      }
      const refused = sent.totals.refused.filter((entry) => !NOT_OFFERED.has(entry.reason as SendRefusal));
      setSent({ ...sent.totals, refused });
    });

  const refusedCount = sent?.refused.reduce((sum, entry) => sum + entry.count, 0) ?? 0;
  return (
    <div className="mt-2 flex flex-col gap-2 border-t border-emerald-600/20 pt-2" data-waiting-documents>
      {outcome.autoSent > 0 ? <p>{t("autoSent", { count: outcome.autoSent })}</p> : null}
      {isOffered ? (
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-3">
          <p className="min-w-0">{t("offer", { count: outcome.waiting })}</p>
          <button
            type="button"
            onClick={sendWaiting}
            disabled={isPending}
            className="min-h-11 w-full shrink-0 rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
          >
            {isPending ? t("sending") : t("button", { count: outcome.waiting })}
          </button>
        </div>
      ) : null}
      <div aria-live="polite">
        {sent ? (
          <div className="flex flex-col gap-1">
            <p className="font-medium">{t("sent", { count: sent.queued })}</p>
            {refusedCount > 0 ? (
              <>
                <p className="text-amber-900">{t("notSent", { count: refusedCount })}</p>
                <ul className="list-disc pl-5 text-amber-900">
                  {sent.refused.map((entry) => (
                    <li key={entry.reason}>
                      <span className="inline-flex flex-wrap items-center gap-1.5">
                        {entry.count} × {refusalText(entry.reason)}
                        {isSendRefusal(entry.reason) ? (
                          <HelpLink href={refusalHelpHref(entry.reason)} topic={refusalText(entry.reason)} />
                        ) : null}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {sent.isInterrupted ? <p className="text-amber-900">{t("interrupted")}</p> : null}
            <Link href={`/dossiers/${dossierId}`} className="font-medium text-emerald-900 underline">
              {t("toInbox")}
            </Link>
          </div>
        ) : null}
        {error ? (
          <p role="alert" className="text-red-800">
            {message(error)}
          </p>
        ) : null}
      </div>
    </div>
  );
}
