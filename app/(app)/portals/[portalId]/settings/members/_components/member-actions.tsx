"use client";

import { useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import type { PortalRole } from "@/lib/auth/permissions";
import { changeMemberRoleAction, removeMemberAction } from "../actions";
import { ConfirmAction, secondaryButtonClass } from "./confirm-action";

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

  async function changeRole(): Promise<string | null> {
    const result = await changeMemberRoleAction({ portalId, userId: member.userId, role: otherRole });
    if (!result.ok) return errorMessage(result.error.messageKey, result.error.messageValues);
    setMessage({
      isError: false,
      text: t("role.changed", { person: member.label, role: tRoles(otherRole) }),
    });
    return null;
  }

  function remove(): Promise<string | null> {
    return removeMemberAction({ portalId, userId: member.userId }).then((result) =>
      result.ok ? null : errorMessage(result.error.messageKey, result.error.messageValues),
    );
  }

  return (
    <div className="flex flex-col gap-2 sm:items-end">
      <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:justify-end">
        {member.isYou && otherRole === "accountant" ? (
          <ConfirmAction
            label={roleLabel}
            title={t("role.selfConfirmTitle")}
            body={t("role.selfConfirmBody")}
            confirmLabel={t("role.selfConfirm")}
            pendingLabel={t("role.saving")}
            cancelLabel={t("role.cancel")}
            run={changeRole}
            buttonClassName={secondaryButtonClass}
          />
        ) : (
          <button
            type="button"
            disabled={isPending}
            className={secondaryButtonClass}
            onClick={() => {
              setMessage(null);
              startTransition(async () => {
                const failure = await changeRole();
                if (failure) setMessage({ isError: true, text: failure });
              });
            }}
          >
            {isPending ? t("role.saving") : roleLabel}
            <span className="sr-only"> {member.label}</span>
          </button>
        )}
        <ConfirmAction
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
          run={remove}
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
