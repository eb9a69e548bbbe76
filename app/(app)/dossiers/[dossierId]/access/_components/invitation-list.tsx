import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { DossierClientInvitation } from "@/lib/members/dossier-clients";
import { RevokeInvitationButton } from "./access-actions";
import { ResendInvitationButton } from "./resend-invitation-button";

/**
 * Invitations nobody accepted yet, newest first: address, language, who sent it and when, until
 * when it works (expired ones are marked, and can be sent again with a new week), resend, revoke.
 */
export function InvitationList({
  dossierId,
  invitations,
}: {
  dossierId: string;
  invitations: DossierClientInvitation[];
}) {
  const t = useTranslations("clients");
  const format = useFormatter();
  const dateOf = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });

  return (
    <section aria-labelledby="invitations-title" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h3
        id="invitations-title"
        className="border-b border-slate-100 px-4 py-3 text-base font-semibold text-slate-900 sm:px-5"
      >
        {t("invitations.title")} <span className="font-normal text-slate-500 tabular-nums">({invitations.length})</span>
      </h3>
      {invitations.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600 sm:px-5">{t("invitations.empty")}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {invitations.map((invitation) => (
            <li
              key={invitation.id}
              data-invitation-email={invitation.email}
              className={`flex flex-col gap-3 px-4 py-4 sm:px-5 ${invitation.isExpired ? "bg-slate-50" : ""}`}
            >
              <div className="flex min-w-0 flex-wrap items-start justify-between gap-2">
                <p className="min-w-0 font-medium break-all text-slate-900">{invitation.email}</p>
                <Badge tone={invitation.isExpired ? "grey" : "yellow"}>
                  {invitation.isExpired ? t("invitations.expired") : t("invitations.pending")}
                </Badge>
              </div>
              <ul className="flex flex-col gap-0.5 text-sm text-slate-600">
                <li>
                  {invitation.invitedBy
                    ? t("invitations.sentBy", { date: dateOf(invitation.sentAt), person: invitation.invitedBy })
                    : t("invitations.sent", { date: dateOf(invitation.sentAt) })}
                </li>
                <li className={invitation.isExpired ? "font-medium text-red-700" : ""}>
                  {t(invitation.isExpired ? "invitations.expiredOn" : "invitations.validUntil", {
                    date: dateOf(invitation.expiresAt),
                  })}
                </li>
                <li>{t("invitations.language", { language: t(`languages.${invitation.locale}`) })}</li>
              </ul>
              <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-start">
                <ResendInvitationButton dossierId={dossierId} invitationId={invitation.id} email={invitation.email} />
                <RevokeInvitationButton dossierId={dossierId} invitationId={invitation.id} email={invitation.email} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
