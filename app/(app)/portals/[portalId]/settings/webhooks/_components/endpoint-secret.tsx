"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { RevealableSecret } from "@/components/ui/revealable-secret";
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
  const [isConfirming, setIsConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A new key after each rotation: the field forgets the value it showed.
  const [generation, setGeneration] = useState(0);
  const [isPending, startTransition] = useTransition();

  async function fetchSecret(): Promise<string | null> {
    const result = await revealWebhookSecretAction({ endpointId });
    if (!result.ok) {
      setError(errorMessage(result.error.messageKey));
      return null;
    }
    return result.secret;
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
      setGeneration((current) => current + 1);
      setNotice(t("rotated"));
    });
  }

  return (
    <div className="flex flex-col gap-3">
      <RevealableSecret
        key={generation}
        fetchSecret={fetchSecret}
        onError={setError}
        labels={{ reveal: t("reveal"), hide: t("hide"), hiddenValue: t("hiddenValue"), label: t("label") }}
      />
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
