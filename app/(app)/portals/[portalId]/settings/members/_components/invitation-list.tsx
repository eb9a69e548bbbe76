import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { OpenInvitationView } from "@/lib/members/list";
import { InvitationActions } from "./invitation-actions";

/**
 * Invitations nobody accepted or withdrew yet, as cards: address, role, language, who sent it and
 * when, and until when its link works; an expired one says so (its link no longer works, "send
 * again" gives it a new week).
 */
export function InvitationList({ portalId, invitations }: { portalId: string; invitations: OpenInvitationView[] }) {
  const t = useTranslations("members");
  const tLanguage = useTranslations("common.language");
  const format = useFormatter();
  const date = (value: Date) => format.dateTime(value, { dateStyle: "medium", timeStyle: "short" });

  if (invitations.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-6 text-center text-sm text-slate-600">
        {t("invitations.empty")}
      </p>
    );
  }
  return (
    <ul className="flex flex-col gap-3">
      {invitations.map((invitation) => (
        <li
          key={invitation.id}
          data-invitation-email={invitation.email}
          className={`flex flex-col gap-3 rounded-xl border border-slate-200 p-4 shadow-sm sm:flex-row sm:items-start sm:justify-between ${
            invitation.isExpired ? "bg-slate-50" : "bg-white"
          }`}
        >
          <div className="min-w-0 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="min-w-0 font-medium break-all text-slate-900">{invitation.email}</span>
              <Badge tone={invitation.role === "admin" ? "brand" : "grey"}>{t(`roles.${invitation.role}.label`)}</Badge>
              {invitation.isExpired ? (
                <Badge tone="red">{t("invitations.expired")}</Badge>
              ) : (
                <Badge tone="yellow">{t("invitations.pending")}</Badge>
              )}
            </div>
            <p className="mt-1 text-slate-600">
              {invitation.invitedBy
                ? t("invitations.sentBy", { date: date(invitation.sentAt), person: invitation.invitedBy })
                : t("invitations.sent", { date: date(invitation.sentAt) })}
            </p>
            <p className={invitation.isExpired ? "font-medium text-red-800" : "text-slate-600"}>
              <time dateTime={invitation.expiresAt.toISOString()}>
                {invitation.isExpired
                  ? t("invitations.expiredOn", { date: date(invitation.expiresAt) })
                  : t("invitations.validUntil", { date: date(invitation.expiresAt) })}
              </time>
              <span className="text-slate-400"> · </span>
              <span className="font-normal text-slate-600">
                {t("invitations.language", { language: tLanguage(`names.${invitation.locale}`) })}
              </span>
            </p>
          </div>
          <div className="shrink-0">
            <InvitationActions portalId={portalId} invitationId={invitation.id} email={invitation.email} />
          </div>
        </li>
      ))}
    </ul>
  );
}
