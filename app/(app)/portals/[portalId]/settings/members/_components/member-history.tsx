import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { MemberEventView } from "@/lib/members/list";

const KNOWN_ROLES = ["admin", "accountant", "entrepreneur"] as const;

/**
 * Who did what to whom, and when, newest first: one line per change, with the dossier for an
 * entrepreneur's access. Older changes a page at a time ("older"), by keyset.
 */
export function MemberHistory({
  events,
  newestHref,
  olderHref,
}: {
  events: MemberEventView[];
  /** Set when this is not the first page. */
  newestHref: string | null;
  olderHref: string | null;
}) {
  const t = useTranslations("members.history");
  const tRoles = useTranslations("invitations.roles");
  const format = useFormatter();

  const roleName = (role: string | null) =>
    role && (KNOWN_ROLES as readonly string[]).includes(role)
      ? tRoles(role as (typeof KNOWN_ROLES)[number])
      : (role ?? "");
  const actorName = (event: MemberEventView) =>
    event.actorKind === "operator" ? t("operator") : event.actorKind === "apiKey" ? t("viaApiKey") : event.actorLabel;
  const strong = (chunks: ReactNode) => <strong className="font-semibold text-slate-900">{chunks}</strong>;

  return (
    <div className="flex flex-col gap-3">
      {events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-6 text-center text-sm text-slate-600">
          {t("empty")}
        </p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm">
          {events.map((event) => (
            <li
              key={event.id}
              data-member-event={event.action}
              className="flex flex-col gap-1 px-4 py-3 text-sm sm:flex-row sm:items-baseline sm:justify-between sm:gap-4"
            >
              <div className="min-w-0 break-words text-slate-700">
                <p>
                  {t.rich(`events.${event.action}`, {
                    actor: actorName(event),
                    subject: event.subjectName ? `${event.subjectName} (${event.subjectEmail})` : event.subjectEmail,
                    role: roleName(event.role),
                    previousRole: roleName(event.previousRole),
                    b: strong,
                  })}
                </p>
                {event.dossierId ? (
                  <p className="text-xs text-slate-500">
                    {event.dossierName ? t("dossier", { name: event.dossierName }) : t("deletedDossier")}
                  </p>
                ) : null}
              </div>
              <time dateTime={event.createdAt.toISOString()} className="shrink-0 text-xs text-slate-500 tabular-nums">
                {format.dateTime(event.createdAt, { dateStyle: "medium", timeStyle: "short" })}
              </time>
            </li>
          ))}
        </ol>
      )}
      {newestHref || olderHref ? (
        <nav className="flex flex-wrap gap-4 text-sm">
          {newestHref ? (
            <Link href={newestHref} className="inline-flex min-h-11 items-center font-medium text-brand-700 underline">
              {t("newest")}
            </Link>
          ) : null}
          {olderHref ? (
            <Link href={olderHref} className="inline-flex min-h-11 items-center font-medium text-brand-700 underline">
              {t("older")}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
