"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { RevealableSecret } from "@/components/ui/revealable-secret";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { revealWebhookSecretAction, rotateWebhookSecretAction } from "../actions";

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
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A new key after each rotation: the field forgets the value it showed.
  const [generation, setGeneration] = useState(0);

  async function fetchSecret(): Promise<string | null> {
    const result = await revealWebhookSecretAction({ endpointId });
    if (!result.ok) {
      setError(errorMessage(result.error.messageKey));
      return null;
    }
    return result.secret;
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
      <ConfirmAction
        label={t("rotate")}
        title={t("rotateConfirm")}
        confirmLabel={t("rotateYes")}
        cancelLabel={t("cancel")}
        tone="normal"
        action={() => rotateWebhookSecretAction({ endpointId })}
        onDone={() => {
          setError(null);
          setGeneration((current) => current + 1);
          setNotice(t("rotated"));
        }}
      />
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
