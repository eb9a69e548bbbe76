"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { SettingSwitch } from "@/components/ui/setting-switch";
import { useErrorMessage } from "@/components/ui/use-error-message";
import {
  deleteWebhookEndpointAction,
  replayWebhookDeliveryAction,
  sendWebhookTestAction,
  setWebhookEndpointEnabledAction,
} from "../actions";

const secondaryButton =
  "inline-flex min-h-11 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

/** On or off by hand. Switching on gives an endpoint that was switched off for failing a fresh start. */
export function EndpointSwitch({ endpointId, isEnabled }: { endpointId: string; isEnabled: boolean }) {
  const t = useTranslations("webhooks.endpoint");
  const router = useRouter();
  return (
    <SettingSwitch
      label={t("switchTitle")}
      description={(isOn) => (isOn ? t("isActive") : t("isDisabled"))}
      isEnabled={isEnabled}
      save={async (enabled) => {
        const result = await setWebhookEndpointEnabledAction({ endpointId, enabled });
        if (result.ok) router.refresh();
        return result;
      }}
      testId="webhook-endpoint-switch"
    />
  );
}

/** "Send test message": a webhook.test message to this endpoint, tried once, shown in the log. */
export function SendTestButton({ endpointId }: { endpointId: string }) {
  const t = useTranslations("webhooks.test");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [isPending, startTransition] = useTransition();
  return (
    <div className="flex flex-col gap-2">
      <button
        type="button"
        disabled={isPending}
        className={`${secondaryButton} self-start`}
        onClick={() =>
          startTransition(async () => {
            const result = await sendWebhookTestAction({ endpointId });
            setMessage(
              result.ok ? { ok: true, text: t("sent") } : { ok: false, text: errorMessage(result.error.messageKey) },
            );
            if (result.ok) router.refresh();
          })
        }
      >
        {isPending ? t("sending") : t("send")}
      </button>
      {message ? (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-sm ${message.ok ? "text-emerald-800" : "text-red-700"}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}

/** Delete, behind a confirmation; then back to the list. */
export function DeleteEndpointButton({ endpointId }: { endpointId: string }) {
  const t = useTranslations("webhooks.delete");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [isConfirming, setIsConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  if (!isConfirming) {
    return (
      <button
        type="button"
        onClick={() => setIsConfirming(true)}
        className="inline-flex min-h-11 items-center self-start rounded-md border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50"
      >
        {t("button")}
      </button>
    );
  }
  return (
    <div className="flex flex-col gap-2 rounded-md bg-red-50 p-3 ring-1 ring-red-600/20 ring-inset">
      <p className="text-sm text-red-900">{t("confirm")}</p>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          disabled={isPending}
          onClick={() =>
            startTransition(async () => {
              const result = await deleteWebhookEndpointAction({ endpointId });
              if (!result.ok) {
                setError(errorMessage(result.error.messageKey));
                return;
              }
              router.push(`/portals/${result.portalId}/settings/webhooks`);
            })
          }
          className="inline-flex min-h-11 items-center rounded-md bg-red-600 px-3 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
        >
          {t("confirmYes")}
        </button>
        <button type="button" onClick={() => setIsConfirming(false)} className={secondaryButton}>
          {t("cancel")}
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** "Send again" for a finished delivery: the same message, pending again. */
export function ReplayButton({ deliveryId }: { deliveryId: string }) {
  const t = useTranslations("webhooks.log");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [isPending, startTransition] = useTransition();
  return (
    <span className="inline-flex flex-col gap-1">
      <button
        type="button"
        disabled={isPending}
        className={secondaryButton}
        onClick={() =>
          startTransition(async () => {
            const result = await replayWebhookDeliveryAction({ deliveryId });
            setMessage(
              result.ok
                ? { ok: true, text: t("replayed") }
                : { ok: false, text: errorMessage(result.error.messageKey) },
            );
            if (result.ok) router.refresh();
          })
        }
      >
        {t("replay")}
      </button>
      {message ? (
        <span
          role={message.ok ? "status" : "alert"}
          className={`text-xs ${message.ok ? "text-emerald-800" : "text-red-700"}`}
        >
          {message.text}
        </span>
      ) : null}
    </span>
  );
}
