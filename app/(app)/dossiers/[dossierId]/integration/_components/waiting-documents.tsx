"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { useRefusalText } from "@/components/documents/use-reason-text";
import type { IntegrationSavedOutcome } from "@/lib/dispatch/waiting";
import { type SendWaitingState, sendWaitingDocumentsAction } from "../actions";
import { useIntegrationMessage } from "./use-integration-message";

/**
 * After a save, what became of the dossier's waiting recognised documents: how many auto-send sent
 * at once, and an offer to send the ones still waiting (a bulk send the server chooses), with
 * what came of it. Nothing is offered for a dossier that sends nothing ("no integration needed").
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
  const [state, formAction, isPending] = useActionState<SendWaitingState, FormData>(sendWaitingDocumentsAction, null);
  const isOffered = sendsDocuments && outcome.waiting > 0 && !state?.ok;
  if (outcome.autoSent === 0 && !isOffered && !state) return null;

  return (
    <div className="mt-2 flex flex-col gap-2 border-t border-emerald-600/20 pt-2" data-waiting-documents>
      {outcome.autoSent > 0 ? <p>{t("autoSent", { count: outcome.autoSent })}</p> : null}
      {isOffered ? (
        <form action={formAction} className="flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-3">
          <input type="hidden" name="dossierId" value={dossierId} />
          <p className="min-w-0">{t("offer", { count: outcome.waiting })}</p>
          <button
            type="submit"
            disabled={isPending}
            className="min-h-11 w-full shrink-0 rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
          >
            {isPending ? t("sending") : t("button", { count: outcome.waiting })}
          </button>
        </form>
      ) : null}
      <div aria-live="polite">
        {state?.ok ? (
          <div className="flex flex-col gap-1">
            <p className="font-medium">{t("sent", { count: state.sent })}</p>
            {state.refused.length > 0 ? (
              <>
                <p className="text-amber-900">
                  {t("notSent", { count: state.refused.reduce((sum, entry) => sum + entry.count, 0) })}
                </p>
                <ul className="list-disc pl-5 text-amber-900">
                  {state.refused.map((entry) => (
                    <li key={entry.reason}>
                      {entry.count} × {refusalText(entry.reason)}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <Link href={`/dossiers/${dossierId}`} className="font-medium text-emerald-900 underline">
              {t("toInbox")}
            </Link>
          </div>
        ) : null}
        {state && !state.ok ? (
          <p role="alert" className="text-red-800">
            {message(state.error.messageKey)}
          </p>
        ) : null}
      </div>
    </div>
  );
}
