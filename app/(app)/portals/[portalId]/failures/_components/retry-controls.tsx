"use client";

import { useTranslations } from "next-intl";
import { createContext, type ReactNode, useContext, useState, useTransition } from "react";
import { useRefusalText } from "@/components/documents/use-reason-text";
import { HelpLink } from "@/components/help/help-link";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { isSendRefusal } from "@/lib/documents/refusals";
import type { FailureGroup } from "@/lib/failures/groups";
import type { RetryFailureGroupResult } from "@/lib/failures/retry";
import { refusalHelpHref } from "@/lib/help/links";
import { retryFailureGroupAction } from "../actions";

type LastRetry = { group: FailureGroup; result: RetryFailureGroupResult } | { group: FailureGroup; error: string };

type RetryState = {
  lastRetry: LastRetry | null;
  isPending: boolean;
  retry: (group: FailureGroup, after?: string) => void;
  dismiss: () => void;
};

const RetryContext = createContext<RetryState | null>(null);

function useRetry(): RetryState {
  const state = useContext(RetryContext);
  if (!state) throw new Error("useRetry outside RetryProvider");
  return state;
}

/**
 * Holds the answer to the last "retry all" above the groups: a retry usually empties its group,
 * and the answer must outlive the group's section when the page refreshes.
 */
export function RetryProvider({ portalId, children }: { portalId: string; children: ReactNode }) {
  const [lastRetry, setLastRetry] = useState<LastRetry | null>(null);
  const [isPending, startTransition] = useTransition();
  const errorMessage = useErrorMessage();
  const retry = (group: FailureGroup, after?: string) =>
    startTransition(async () => {
      const answer = await retryFailureGroupAction({ portalId, group, after });
      setLastRetry(answer.ok ? { group, result: answer } : { group, error: errorMessage(answer.error.messageKey) });
    });
  return (
    <RetryContext value={{ lastRetry, isPending, retry, dismiss: () => setLastRetry(null) }}>{children}</RetryContext>
  );
}

/** The button of one group: sends its failed documents again, a batch at a time. */
export function RetryGroupButton({ group, count }: { group: FailureGroup; count: number }) {
  const t = useTranslations("failures.retry");
  const { retry, isPending } = useRetry();
  return (
    <button
      type="button"
      disabled={isPending}
      onClick={() => retry(group)}
      className="inline-flex min-h-11 items-center justify-center rounded-md bg-brand-600 px-3.5 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60"
    >
      {isPending ? t("running") : t("button", { count })}
    </button>
  );
}

/** What the last "retry all" did: how many went out again, how many were refused and why. */
export function RetryResult() {
  const t = useTranslations("failures");
  const refusalText = useRefusalText();
  const { lastRetry, isPending, retry, dismiss } = useRetry();
  if (!lastRetry) return null;
  const title = t(`groups.${lastRetry.group}.title`);
  return (
    <section
      aria-label={title}
      data-testid="retry-result"
      className="mb-6 flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm"
    >
      <div className="flex items-start justify-between gap-3">
        <div aria-live="polite" className="min-w-0">
          <p className="font-semibold text-slate-900">{title}</p>
          {"error" in lastRetry ? (
            <p role="alert" className="mt-0.5 text-red-800">
              {lastRetry.error}
            </p>
          ) : (
            <p className="mt-0.5 text-slate-700">{t("retry.queued", { count: lastRetry.result.queued })}</p>
          )}
        </div>
        <button
          type="button"
          onClick={dismiss}
          className="-m-1 inline-flex min-h-10 shrink-0 items-center rounded-md px-2 font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        >
          {t("retry.dismiss")}
        </button>
      </div>
      {"result" in lastRetry && lastRetry.result.refused.length > 0 ? (
        <div>
          <p className="text-slate-700">
            {t("retry.refused", { count: lastRetry.result.refused.reduce((sum, entry) => sum + entry.count, 0) })}
          </p>
          <ul className="mt-1 flex list-disc flex-col gap-0.5 pl-5 text-slate-600">
            {lastRetry.result.refused.map((entry) => (
              <li key={entry.reason} data-testid="retry-refusal">
                <span className="inline-flex flex-wrap items-center gap-1.5">
                  {entry.count} × {refusalText(entry.reason)}
                  {isSendRefusal(entry.reason) ? (
                    <HelpLink href={refusalHelpHref(entry.reason)} topic={refusalText(entry.reason)} />
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {"result" in lastRetry && lastRetry.result.nextCursor ? (
        <div className="flex flex-wrap items-center gap-3">
          <p className="text-slate-700">{t("retry.more")}</p>
          <button
            type="button"
            disabled={isPending}
            onClick={() => retry(lastRetry.group, lastRetry.result.nextCursor ?? undefined)}
            className="inline-flex min-h-10 items-center rounded-md border border-slate-300 bg-white px-3 font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:opacity-60"
          >
            {isPending ? t("retry.running") : t("retry.next")}
          </button>
        </div>
      ) : null}
    </section>
  );
}
