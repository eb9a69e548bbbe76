import { useFormatter, useNow, useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { MemberView } from "@/lib/members/list";
import { MemberActions } from "./member-actions";

/**
 * The office's people: a table on desktop, stacked cards on phones (the same markup, as the
 * dossier table does). Each row: who, their role, when they last signed in ("never" if they have
 * not), since when they are a member, and the buttons. The office's only admin gets a line on why
 * their row has none.
 */
export function MemberList({
  portalId,
  officeName,
  members,
}: {
  portalId: string;
  officeName: string;
  members: MemberView[];
}) {
  const t = useTranslations("members");
  const format = useFormatter();
  const now = useNow();
  const adminCount = members.filter((member) => member.role === "admin").length;
  const cellLabel =
    "max-sm:flex max-sm:flex-col max-sm:gap-0.5 max-sm:p-0 max-sm:before:text-xs max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)]";

  return (
    <div className="sm:overflow-hidden sm:rounded-xl sm:border sm:border-slate-200 sm:bg-white sm:shadow-sm">
      <table className="w-full text-sm max-sm:block">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500 max-sm:sr-only">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("list.columns.person")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("list.columns.role")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("list.columns.lastSignedIn")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("list.columns.joined")}
            </th>
            <th scope="col" className="px-4 py-2.5 text-right font-medium">
              <span className="sr-only">{t("list.columns.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 max-sm:flex max-sm:flex-col max-sm:gap-3 max-sm:divide-y-0">
          {members.map((member) => {
            const label = member.name ? `${member.name} (${member.email})` : member.email;
            const isOnlyAdmin = member.role === "admin" && adminCount <= 1;
            return (
              <tr
                key={member.userId}
                data-member-email={member.email}
                className="align-top max-sm:grid max-sm:grid-cols-2 max-sm:gap-x-3 max-sm:gap-y-3 max-sm:rounded-xl max-sm:border max-sm:border-slate-200 max-sm:bg-white max-sm:p-4 max-sm:shadow-sm"
              >
                <td className="px-4 py-3 max-sm:col-span-2 max-sm:p-0">
                  <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="min-w-0 font-medium break-words text-slate-900">
                      {member.name ?? member.email}
                    </span>
                    {member.isYou ? <Badge tone="blue">{t("list.you")}</Badge> : null}
                  </div>
                  {member.name ? <div className="mt-0.5 text-xs break-all text-slate-500">{member.email}</div> : null}
                </td>
                <td data-label={t("list.columns.role")} className={`px-4 py-3 ${cellLabel}`}>
                  <span>
                    <Badge tone={member.role === "admin" ? "brand" : "grey"}>{t(`roles.${member.role}.label`)}</Badge>
                  </span>
                </td>
                <td data-label={t("list.columns.lastSignedIn")} className={`px-4 py-3 text-slate-700 ${cellLabel}`}>
                  {member.lastSignedInAt ? (
                    <time
                      dateTime={member.lastSignedInAt.toISOString()}
                      title={format.dateTime(member.lastSignedInAt, { dateStyle: "medium", timeStyle: "short" })}
                    >
                      {format.relativeTime(member.lastSignedInAt, now)}
                    </time>
                  ) : (
                    <span className="text-slate-500">{t("list.never")}</span>
                  )}
                </td>
                <td
                  data-label={t("list.columns.joined")}
                  className={`px-4 py-3 text-slate-700 max-sm:col-span-2 ${cellLabel}`}
                >
                  <time dateTime={member.joinedAt.toISOString()}>
                    {format.dateTime(member.joinedAt, { dateStyle: "medium" })}
                  </time>
                </td>
                <td className="px-4 py-3 max-sm:col-span-2 max-sm:border-t max-sm:border-slate-100 max-sm:p-0 max-sm:pt-3">
                  {isOnlyAdmin ? (
                    <p className="text-xs text-slate-500 sm:ml-auto sm:max-w-56 sm:text-right">{t("list.lastAdmin")}</p>
                  ) : (
                    <MemberActions
                      portalId={portalId}
                      officeName={officeName}
                      member={{ userId: member.userId, label, role: member.role, isYou: member.isYou }}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
