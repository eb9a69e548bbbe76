"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { rotateRecognitionSecretAction } from "../actions";

const buttonClass =
  "inline-flex min-h-9 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

type Notice = { tone: "success" | "error"; text: string } | null;

/**
 * "Rotate secret", after a confirmation that says the current secret keeps working for 24 hours.
 * The server action refreshes the page, which then shows the new secret's date (still hidden).
 */
export function RotateSecretButton({ portalId }: { portalId: string }) {
  const t = useTranslations("recognition.rotate");
  const format = useFormatter();
  const errorMessage = useErrorMessage();
  const [isConfirming, setIsConfirming] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [isPending, startTransition] = useTransition();
  const confirmId = useId();

  function rotate() {
    setNotice(null);
    startTransition(async () => {
      const result = await rotateRecognitionSecretAction(portalId);
      setIsConfirming(false);
      if (!result.ok) {
        setNotice({ tone: "error", text: errorMessage(result.error.messageKey) });
        return;
      }
      const until = result.previousValidUntil
        ? format.dateTime(new Date(result.previousValidUntil), { dateStyle: "medium", timeStyle: "short" })
        : null;
      setNotice({ tone: "success", text: until ? t("done", { date: until }) : t("doneNoPrevious") });
    });
  }

  return (
    <div>
      {isConfirming ? (
        <div
          role="alertdialog"
          aria-labelledby={`${confirmId}-title`}
          aria-describedby={`${confirmId}-body`}
          className="rounded-lg bg-amber-50 p-4 ring-1 ring-amber-600/20 ring-inset"
        >
          <p id={`${confirmId}-title`} className="text-sm font-semibold text-amber-950">
            {t("confirmTitle")}
          </p>
          <p id={`${confirmId}-body`} className="mt-1 text-sm text-amber-900">
            {t("confirmBody")}
          </p>
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button
              type="button"
              onClick={rotate}
              disabled={isPending}
              className="inline-flex min-h-9 items-center justify-center rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60"
            >
              {isPending ? t("rotating") : t("confirm")}
            </button>
            <button type="button" onClick={() => setIsConfirming(false)} disabled={isPending} className={buttonClass}>
              {t("cancel")}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          onClick={() => {
            setNotice(null);
            setIsConfirming(true);
          }}
          className={buttonClass}
        >
          {t("button")}
        </button>
      )}
      <div aria-live="polite">
        {notice ? (
          <p
            role="status"
            className={`mt-2 text-sm ${notice.tone === "success" ? "text-emerald-800" : "text-red-700"}`}
          >
            {notice.text}
          </p>
        ) : null}
      </div>
    </div>
  );
}
