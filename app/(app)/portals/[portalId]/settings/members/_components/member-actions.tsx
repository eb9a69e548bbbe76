"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { outlineButtonClass } from "@/components/ui/button-class";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { useErrorMessage } from "@/components/ui/use-error-message";
import type { PortalRole } from "@/lib/auth/permissions";
import { changeMemberRoleAction, removeMemberAction } from "../actions";

/** The members page's questions: a column at the row's end, no wider than its buttons need. */
export const MEMBER_CONFIRM_LAYOUT = {
  className: "flex min-w-0 flex-col",
  dialogClassName: "p-3 text-left sm:max-w-sm",
  size: "regular",
} as const;

/**
 * A member's buttons: the other role, and remove. Lowering one's own role and removing anyone ask
 * first; someone who lowers or removes themselves is sent on by the action (they lose this page).
 * The office's only admin gets no buttons here, and the server refuses anyway (lib/members).
 */
export function MemberActions({
  portalId,
  officeName,
  member,
}: {
  portalId: string;
  officeName: string;
  member: { userId: string; label: string; role: PortalRole; isYou: boolean };
}) {
  const t = useTranslations("members");
  const tRoles = useTranslations("invitations.roles");
  const errorMessage = useErrorMessage();
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const [isPending, startTransition] = useTransition();
  const otherRole: PortalRole = member.role === "admin" ? "accountant" : "admin";
  const roleLabel = otherRole === "admin" ? t("role.makeAdmin") : t("role.makeAccountant");

  const changeRole = () => changeMemberRoleAction({ portalId, userId: member.userId, role: otherRole });
  const sayRoleChanged = () =>
    setMessage({ isError: false, text: t("role.changed", { person: member.label, role: tRoles(otherRole) }) });

  return (
    <div className="flex flex-col gap-2 sm:items-end">
      <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:justify-end">
        {member.isYou && otherRole === "accountant" ? (
          <ConfirmAction
            {...MEMBER_CONFIRM_LAYOUT}
            label={roleLabel}
            title={t("role.selfConfirmTitle")}
            body={t("role.selfConfirmBody")}
            confirmLabel={t("role.selfConfirm")}
            pendingLabel={t("role.saving")}
            cancelLabel={t("role.cancel")}
            triggerTone="normal"
            action={changeRole}
            onDone={sayRoleChanged}
          />
        ) : (
          <button
            type="button"
            disabled={isPending}
            className={outlineButtonClass("regular")}
            onClick={() => {
              setMessage(null);
              startTransition(async () => {
                const result = await changeRole();
                if (!result.ok) {
                  const text = errorMessage(result.error.messageKey, result.error.messageValues);
                  setMessage({ isError: true, text });
                  return;
                }
                sayRoleChanged();
              });
            }}
          >
            {isPending ? t("role.saving") : roleLabel}
            <span className="sr-only"> {member.label}</span>
          </button>
        )}
        <ConfirmAction
          {...MEMBER_CONFIRM_LAYOUT}
          label={member.isYou ? t("remove.selfButton") : t("remove.button")}
          srLabel={member.isYou ? undefined : member.label}
          title={
            member.isYou
              ? t("remove.selfConfirmTitle", { office: officeName })
              : t("remove.confirmTitle", { person: member.label })
          }
          body={member.isYou ? t("remove.selfConfirmBody") : t("remove.confirmBody")}
          confirmLabel={member.isYou ? t("remove.selfConfirm") : t("remove.confirm")}
          pendingLabel={t("remove.removing")}
          cancelLabel={t("remove.cancel")}
          action={() => removeMemberAction({ portalId, userId: member.userId })}
        />
      </div>
      {message ? (
        <p
          role={message.isError ? "alert" : "status"}
          className={`text-sm ${message.isError ? "text-red-700" : "text-emerald-800"}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
