"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { outlineButtonClass } from "@/components/ui/button-class";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { resendDossierInvitationAction } from "../actions";

/**
 * "Send again": a new link and a new week for an open invitation (the old link stops working).
 * Says here whether the mail went out, could not be sent, or was refused (too many requests).
 */
export function ResendInvitationButton({
  dossierId,
  invitationId,
  email,
}: {
  dossierId: string;
  invitationId: string;
  email: string;
}) {
  const t = useTranslations("clients.invitations");
  const errorMessage = useErrorMessage();
  const [outcome, setOutcome] = useState<{ tone: "ok" | "error"; message: string } | null>(null);
  const [isPending, startTransition] = useTransition();

  function resend() {
    setOutcome(null);
    startTransition(async () => {
      const result = await resendDossierInvitationAction({ dossierId, invitationId });
      if (!result.ok) {
        setOutcome({ tone: "error", message: errorMessage(result.error.messageKey, result.error.messageValues) });
      } else if (!result.isMailed) {
        setOutcome({ tone: "error", message: t("notMailed", { email }) });
      } else {
        setOutcome({ tone: "ok", message: t("resent", { email }) });
      }
    });
  }

  // A fragment: in a row of buttons (flex-wrap) the answer takes a line of its own below them.
  return (
    <>
      <button
        type="button"
        onClick={resend}
        disabled={isPending}
        className={`${outlineButtonClass("responsive")} w-full sm:w-auto`}
      >
        {isPending ? t("resending") : t("resend")}
        <span className="sr-only"> ({email})</span>
      </button>
      <p
        role="status"
        className={`order-last w-full text-sm empty:hidden ${outcome?.tone === "error" ? "text-red-700" : "text-emerald-800"}`}
      >
        {outcome?.message}
      </p>
    </>
  );
}
