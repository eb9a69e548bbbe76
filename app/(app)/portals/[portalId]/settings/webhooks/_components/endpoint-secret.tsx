"use client";

import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { revealWebhookSecretAction, rotateWebhookSecretAction } from "../actions";

const buttonClass =
  "inline-flex min-h-11 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * The endpoint's signing secret, masked until an admin asks for it (only then does a server action
 * fetch it, so it is never part of the page's HTML), and "Make a new key" behind a confirmation.
 */
export function EndpointSecret({
  endpointId,
  previousValidUntil,
}: {
  endpointId: string;
  previousValidUntil: string | null;
}) {
  const t = useTranslations("webhooks.secret");
  const errorMessage = useErrorMessage();
  const [secret, setSecret] = useState<string | null>(null);
  const [isShown, setIsShown] = useState(false);
  const [isConfirming, setIsConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const valueId = useId();

  async function fetchSecret(): Promise<string | null> {
    if (secret) return secret;
    const result = await revealWebhookSecretAction({ endpointId });
    if (!result.ok) {
      setError(errorMessage(result.error.messageKey));
      return null;
    }
    setSecret(result.secret);
    return result.secret;
  }

  function toggle() {
    setError(null);
    if (isShown) {
      setIsShown(false);
      return;
    }
    startTransition(async () => {
      if (await fetchSecret()) setIsShown(true);
    });
  }

  function rotate() {
    setError(null);
    startTransition(async () => {
      const result = await rotateWebhookSecretAction({ endpointId });
      setIsConfirming(false);
      if (!result.ok) {
        setError(errorMessage(result.error.messageKey));
        return;
      }
      setSecret(null);
      setIsShown(false);
      setNotice(t("rotated"));
    });
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code
          id={valueId}
          className="block min-w-0 flex-1 overflow-x-auto rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all text-slate-900 ring-1 ring-slate-200 ring-inset"
        >
          {isShown && secret ? (
            secret
          ) : (
            <>
              <span aria-hidden="true">{"•".repeat(24)}</span>
              <span className="sr-only">{t("hiddenValue")}</span>
            </>
          )}
        </code>
        <div className="flex shrink-0 flex-wrap items-center gap-2">
          <button
            type="button"
            onClick={toggle}
            disabled={isPending}
            aria-controls={valueId}
            aria-expanded={isShown}
            className={buttonClass}
          >
            {isShown ? t("hide") : t("reveal")}
          </button>
          <CopyButton getValue={fetchSecret} label={t("label")} />
        </div>
      </div>
      {previousValidUntil ? (
        <p className="text-sm text-slate-600">{t("previousValid", { until: previousValidUntil })}</p>
      ) : null}
      {notice ? (
        <p role="status" className="text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}
      {isConfirming ? (
        <div className="flex flex-col gap-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20 ring-inset">
          <p className="text-sm text-amber-950">{t("rotateConfirm")}</p>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              onClick={rotate}
              disabled={isPending}
              className="inline-flex min-h-11 items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
            >
              {t("rotateYes")}
            </button>
            <button type="button" onClick={() => setIsConfirming(false)} className={buttonClass}>
              {t("cancel")}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setIsConfirming(true)} className={`${buttonClass} self-start`}>
          {t("rotate")}
        </button>
      )}
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
