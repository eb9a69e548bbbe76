"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { sendTestDocumentAction, type TestSendState } from "../actions";
import { useIntegrationMessage } from "./use-integration-message";

/** "Send a test document" and what came of it: where it went and the package's reference, or why not. */
export function TestSend({ dossierId }: { dossierId: string }) {
  const t = useTranslations("integrations.testSend");
  const message = useIntegrationMessage();
  const [state, formAction, isPending] = useActionState<TestSendState, FormData>(sendTestDocumentAction, null);

  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between sm:gap-6">
      <div className="min-w-0">
        <h3 className="text-sm font-semibold text-slate-900">{t("title")}</h3>
        <p className="mt-0.5 max-w-2xl text-sm text-slate-600">{t("body")}</p>
        <div aria-live="polite">
          {state?.ok && state.sent ? (
            <div className="mt-3 rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset">
              <p className="font-medium break-words">{t("sent", { target: state.to ?? state.connection ?? "—" })}</p>
              {state.packageReference ? (
                <p className="mt-0.5 text-xs break-words text-emerald-800">
                  {t("reference", { reference: state.packageReference })}
                </p>
              ) : null}
            </div>
          ) : null}
          {state?.ok && !state.sent ? (
            <div className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-900 ring-1 ring-red-600/20 ring-inset">
              <p className="font-medium">{t("failed")}</p>
              <p className="mt-0.5">{message(state.messageKey)}</p>
              <p className="mt-0.5 text-xs text-red-700">{t("code", { code: state.errorCode })}</p>
            </div>
          ) : null}
          {state && !state.ok ? (
            <p
              role="alert"
              className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset"
            >
              {message(state.error.messageKey)}
            </p>
          ) : null}
        </div>
      </div>
      <form action={formAction} className="shrink-0">
        <input type="hidden" name="dossierId" value={dossierId} />
        <button
          type="submit"
          disabled={isPending}
          className="inline-flex w-full items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium whitespace-nowrap text-slate-800 shadow-xs hover:bg-slate-50 disabled:opacity-60 sm:w-auto"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 text-slate-500">
            <path
              fill="currentColor"
              d="M3.1 3.3a.75.75 0 0 1 .8-.1l13 6.1a.75.75 0 0 1 0 1.4l-13 6.1a.75.75 0 0 1-1-.9L4.6 10 2.9 4.1a.75.75 0 0 1 .2-.8ZM6 10.75l-1.2 4.1L14.4 10 4.8 5.2 6 9.25h4.25a.75.75 0 0 1 0 1.5H6Z"
            />
          </svg>
          {isPending ? t("sending") : t("button")}
        </button>
      </form>
    </div>
  );
}
