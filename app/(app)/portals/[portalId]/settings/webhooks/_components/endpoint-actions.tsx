"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { ConfirmAction } from "@/components/ui/confirm-action";
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
  const router = useRouter();
  return (
    <ConfirmAction
      label={t("button")}
      title={t("confirm")}
      confirmLabel={t("confirmYes")}
      cancelLabel={t("cancel")}
      action={() => deleteWebhookEndpointAction({ endpointId })}
      onDone={({ portalId }) => router.push(`/portals/${portalId}/settings/webhooks`)}
    />
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
