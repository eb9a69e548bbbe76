import { useFormatter, useTranslations } from "next-intl";
import type { DossierClientEvent } from "@/lib/members/dossier-clients";
import { OPERATOR_LABEL } from "@/lib/members/history";

/** The latest changes to who may use the dossier: who did what to whom, and when. */
export function AccessHistory({ events }: { events: DossierClientEvent[] }) {
  const t = useTranslations("clients.history");
  const format = useFormatter();

  return (
    <section aria-labelledby="access-history-title" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h3
        id="access-history-title"
        className="border-b border-slate-100 px-4 py-3 text-base font-semibold text-slate-900 sm:px-5"
      >
        {t("title")}
      </h3>
      {events.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600 sm:px-5">{t("empty")}</p>
      ) : (
        <ol className="divide-y divide-slate-100">
          {events.map((event) => (
            <li
              key={event.id}
              className="flex flex-col gap-0.5 px-4 py-2.5 text-sm sm:flex-row sm:items-baseline sm:justify-between sm:gap-4 sm:px-5"
            >
              <span className="min-w-0 break-words text-slate-800">
                {t(`actions.${event.action}`, {
                  actor: event.actorLabel === OPERATOR_LABEL ? t("operator") : event.actorLabel,
                  subject: event.subjectEmail,
                })}
              </span>
              <time dateTime={event.createdAt.toISOString()} className="shrink-0 text-slate-500 tabular-nums">
                {format.dateTime(event.createdAt, { dateStyle: "medium", timeStyle: "short" })}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
