"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { checkStatusNowAction } from "../actions";
import { useConnectionErrorMessage, useConnectorReason } from "./use-connection-error";

type Notice = { tone: "success" | "error" | "neutral"; text: string } | null;

/**
 * "Check status now": asks the package at once what became of the documents sent through this
 * connection (imported, or refused with a reason) and says what it found. Admins and accountants;
 * the server decides (lib/connections/read-back.ts). Rendered inside a row of buttons.
 */
export function CheckStatusButton({ portalId, connectionId }: { portalId: string; connectionId: string }) {
  const t = useTranslations("connections.actions");
  const tCard = useTranslations("connections.card");
  const errorMessage = useConnectionErrorMessage();
  const reasonOf = useConnectorReason();
  const [notice, setNotice] = useState<Notice>(null);
  const [isPending, startTransition] = useTransition();

  function check() {
    setNotice(null);
    startTransition(async () => {
      const result = await checkStatusNowAction(portalId, connectionId);
      if (!result.ok) {
        setNotice({ tone: "error", text: errorMessage(result.error.messageKey) });
        return;
      }
      const readBack = result.readBack;
      if (readBack.outcome === "checked") {
        setNotice({
          tone: readBack.rejected > 0 ? "error" : "success",
          text: t("checkStatusResult.checked", {
            checked: readBack.checked,
            imported: readBack.imported,
            rejected: readBack.rejected,
          }),
        });
      } else if (readBack.outcome === "failed") {
        const reason = reasonOf(readBack.errorCode) ?? tCard("unknownReason");
        setNotice({ tone: "error", text: t("checkStatusResult.failed", { reason }) });
      } else if (readBack.reason === "status") {
        setNotice({ tone: "neutral", text: t("checkStatusResult.unavailable") });
      } else {
        setNotice({ tone: "neutral", text: t("checkStatusResult.nothingSent") });
      }
    });
  }

  // A button and its answer for a flex-wrap row of buttons: the answer takes a line of its own
  // under the row (the live region stays mounted so the answer is announced).
  return (
    <>
      <button
        type="button"
        onClick={check}
        disabled={isPending}
        className="inline-flex min-h-9 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60"
      >
        {isPending ? t("checkingStatus") : t("checkStatus")}
      </button>
      <div aria-live="polite" className="order-last basis-full empty:hidden">
        {notice ? (
          <p
            role="status"
            data-testid="check-status-result"
            className={`text-sm ${
              notice.tone === "success"
                ? "text-emerald-800"
                : notice.tone === "error"
                  ? "text-red-700"
                  : "text-slate-700"
            }`}
          >
            {notice.text}
          </p>
        ) : null}
      </div>
    </>
  );
}
