"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { HelpLink } from "@/components/help/help-link";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { isSendRefusal } from "@/lib/documents/refusals";
import { refusalHelpHref } from "@/lib/help/links";
import { useDocumentWorkspace } from "./document-workspace";
import { DocumentStatusBadge } from "./status-badge";
import { useReasonText, useRefusalText } from "./use-reason-text";

/**
 * The answer to the last send, per document, kept up to date while the documents are on their
 * way: how many were accepted and have since ended Sent or Failed (with the reason), and which
 * were refused and why, in the user's language.
 */
export function SendResults() {
  const t = useTranslations("documents.sendResults");
  const workspace = useDocumentWorkspace();
  const reasonText = useReasonText();
  const refusalText = useRefusalText();
  const errorMessage = useErrorMessage();
  const { lastSend, sendError } = workspace;

  if (sendError) {
    return (
      <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset">
        {errorMessage(sendError)}
      </p>
    );
  }
  if (workspace.lastSendAll) return <SendAllResults />;
  if (!lastSend) return null;

  const accepted = lastSend.accepted.map((document) => ({
    document,
    state: workspace.statusOf(document.id) ?? { id: document.id, status: "sending" as const, lastErrorReason: null },
  }));
  const count = (status: string) => accepted.filter((entry) => entry.state.status === status).length;
  const sending = count("sending");
  const sent = count("sent");
  const failed = accepted.filter((entry) => entry.state.status === "failed");
  const isDone = sending === 0;

  return (
    <section
      aria-label={t("label")}
      data-testid="send-results"
      className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex items-start justify-between gap-3">
        <div aria-live="polite" className="min-w-0">
          <p className="text-sm font-semibold text-slate-900">
            {t("summary", { accepted: lastSend.accepted.length, refused: lastSend.refused.length })}
          </p>
          {lastSend.accepted.length > 0 ? (
            <p className="mt-0.5 text-sm text-slate-600" data-testid="send-progress">
              {isDone
                ? t("done", { sent, failed: failed.length })
                : t("progress", { sending, sent, failed: failed.length })}
            </p>
          ) : null}
        </div>
        <button
          type="button"
          onClick={workspace.dismissLastSend}
          className="-m-1 inline-flex min-h-10 shrink-0 items-center rounded-md px-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        >
          {t("dismiss")}
        </button>
      </div>
      {lastSend.accepted.length > 0 ? (
        <div
          aria-hidden="true"
          className="flex h-2 overflow-hidden rounded-full bg-slate-100"
          title={t("progress", { sending, sent, failed: failed.length })}
        >
          <div className="bg-emerald-500 transition-all" style={{ width: `${(sent / accepted.length) * 100}%` }} />
          <div className="bg-red-500 transition-all" style={{ width: `${(failed.length / accepted.length) * 100}%` }} />
        </div>
      ) : null}
      {failed.length > 0 ? (
        <ul className="flex flex-col gap-1.5">
          {failed.map(({ document, state }) => (
            <li key={document.id} className="flex flex-col gap-0.5 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
              <span className="flex flex-wrap items-center gap-2">
                <Link href={document.href} className="font-medium break-all hover:underline">
                  {document.fileName}
                </Link>
                <DocumentStatusBadge status="failed" />
              </span>
              <span>{reasonText(state.lastErrorReason) ?? t("noReason")}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {lastSend.refused.length > 0 ? (
        <div>
          <p className="text-sm font-medium text-slate-900">{t("refusedTitle")}</p>
          <ul className="mt-1.5 flex flex-col gap-1.5">
            {lastSend.refused.map(({ document, reason }) => (
              <li
                key={document.id}
                data-testid="send-refusal"
                className="flex flex-col gap-0.5 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950"
              >
                <Link href={document.href} className="font-medium break-all hover:underline">
                  {document.fileName}
                </Link>
                <span className="flex flex-wrap items-center gap-1.5">
                  {refusalText(reason)}
                  {isSendRefusal(reason) ? (
                    <HelpLink href={refusalHelpHref(reason)} topic={refusalText(reason)} />
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {accepted.length > 0 && accepted.length <= 10 ? (
        <ul className="flex flex-col gap-1">
          {accepted
            .filter((entry) => entry.state.status !== "failed")
            .map(({ document, state }) => (
              <li key={document.id} className="flex items-center justify-between gap-2 text-sm">
                <Link
                  href={document.href}
                  className="min-w-0 flex-1 truncate text-slate-800 hover:underline"
                  title={document.fileName}
                >
                  {document.fileName}
                </Link>
                <span className="shrink-0">
                  <DocumentStatusBadge status={state.status} />
                </span>
              </li>
            ))}
        </ul>
      ) : null}
    </section>
  );
}

/**
 * The answer to "send all N in this tab": how many went on their way and how many were not sent,
 * per reason, in the user's language. Counts only: the documents themselves show their status in
 * the list, which follows them while they are sent.
 */
function SendAllResults() {
  const t = useTranslations("sendAll");
  const { lastSendAll, dismissLastSendAll } = useDocumentWorkspace();
  if (!lastSendAll) return null;
  const refused = lastSendAll.refused.reduce((sum, entry) => sum + entry.count, 0);
  return (
    <section
      aria-label={t("resultLabel")}
      data-testid="send-all-results"
      className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex items-start justify-between gap-3">
        <div aria-live="polite" className="min-w-0">
          <p className="text-sm font-semibold text-slate-900">{t("queued", { count: lastSendAll.queued, refused })}</p>
          {lastSendAll.isInterrupted ? (
            <p role="alert" className="mt-0.5 text-sm text-red-800">
              {t("interrupted")}
            </p>
          ) : null}
        </div>
        <button
          type="button"
          onClick={dismissLastSendAll}
          className="-m-1 inline-flex min-h-10 shrink-0 items-center rounded-md px-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        >
          {t("dismiss")}
        </button>
      </div>
      {lastSendAll.refused.length > 0 ? (
        <div>
          <p className="text-sm font-medium text-slate-900">{t("refusedTitle")}</p>
          <ul className="mt-1.5 flex flex-col gap-1.5">
            {lastSendAll.refused.map(({ reason, count }) => (
              <li
                key={reason}
                className="flex flex-wrap items-center gap-1.5 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950"
              >
                <span data-testid="send-all-refusal">
                  {isSendRefusal(reason) ? t(`reasons.${reason}`, { count }) : `${count} × ${reason}`}
                </span>
                {isSendRefusal(reason) ? (
                  <HelpLink href={refusalHelpHref(reason)} topic={t(`reasons.${reason}`, { count })} />
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
