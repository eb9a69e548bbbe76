"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { outlineButtonClass } from "@/components/ui/button-class";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { resendMemberInvitationAction, revokeMemberInvitationAction } from "../actions";
import { MEMBER_CONFIRM_LAYOUT } from "./member-actions";

type Message = { tone: "success" | "warning" | "error"; text: string };

const MESSAGE_CLASSES = {
  success: "text-emerald-800",
  warning: "rounded-md bg-amber-50 p-2 text-amber-950 ring-1 ring-amber-600/20 ring-inset",
  error: "text-red-700",
} as const;

/**
 * "Send again": a new link and a new week; the old link stops working. A mail that could not go
 * out, or a rate-limit refusal ("wait N minutes"), is said plainly under the button.
 */
export function ResendInvitationButton({
  portalId,
  invitationId,
  email,
  label,
}: {
  portalId: string;
  invitationId: string;
  email: string;
  /** The button's own words where it is the way out of a mail that did not go. */
  label?: string;
}) {
  const t = useTranslations("members.invitations");
  const errorMessage = useErrorMessage();
  const [message, setMessage] = useState<Message | null>(null);
  const [isPending, startTransition] = useTransition();

  function resend() {
    setMessage(null);
    startTransition(async () => {
      const result = await resendMemberInvitationAction({ portalId, invitationId });
      if (!result.ok) {
        setMessage({ tone: "error", text: errorMessage(result.error.messageKey, result.error.messageValues) });
      } else if (result.isMailed) {
        setMessage({ tone: "success", text: t("resent", { email: result.email }) });
      } else {
        setMessage({ tone: "warning", text: t("resentNotMailed", { email: result.email }) });
      }
    });
  }

  return (
    <div className="flex min-w-0 flex-col gap-2 sm:items-end">
      <button type="button" onClick={resend} disabled={isPending} className={outlineButtonClass("regular")}>
        {isPending ? t("resending") : (label ?? t("resend"))}
        <span className="sr-only"> {email}</span>
      </button>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`text-sm sm:max-w-sm ${MESSAGE_CLASSES[message.tone]}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}

/** An open invitation's buttons: send again, and withdraw (which asks first). */
export function InvitationActions({
  portalId,
  invitationId,
  email,
}: {
  portalId: string;
  invitationId: string;
  email: string;
}) {
  const t = useTranslations("members.invitations");

  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-start sm:justify-end">
      <ResendInvitationButton portalId={portalId} invitationId={invitationId} email={email} />
      <ConfirmAction
        {...MEMBER_CONFIRM_LAYOUT}
        label={t("revoke")}
        srLabel={email}
        title={t("revokeTitle", { email })}
        body={t("revokeBody")}
        confirmLabel={t("revokeConfirm")}
        pendingLabel={t("revoking")}
        cancelLabel={t("cancel")}
        action={() => revokeMemberInvitationAction({ portalId, invitationId })}
      />
    </div>
  );
}
