import { useFormatter, useNow, useTranslations } from "next-intl";
import type { DossierClient } from "@/lib/members/dossier-clients";
import { RemoveClientButton } from "./access-actions";

/**
 * The entrepreneurs with access: name and address, last sign-in and since when, and "Remove
 * access". One card per person, stacked on phones, one row each from the small breakpoint up.
 */
export function ClientList({ dossierId, clients }: { dossierId: string; clients: DossierClient[] }) {
  const t = useTranslations("clients.clients");
  const format = useFormatter();
  const now = useNow();
  const timeOf = (date: Date, content: string) => (
    <time dateTime={date.toISOString()} title={format.dateTime(date, { dateStyle: "medium", timeStyle: "short" })}>
      {content}
    </time>
  );

  return (
    <section aria-labelledby="clients-title" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h3
        id="clients-title"
        className="border-b border-slate-100 px-4 py-3 text-base font-semibold text-slate-900 sm:px-5"
      >
        {t("title")} <span className="font-normal text-slate-500 tabular-nums">({clients.length})</span>
      </h3>
      {clients.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600 sm:px-5">{t("empty")}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {clients.map((client) => (
            <li
              key={client.userId}
              data-client-email={client.email}
              className="flex flex-col gap-3 px-4 py-4 sm:flex-row sm:items-start sm:justify-between sm:px-5"
            >
              <div className="min-w-0">
                <p className="font-medium break-words text-slate-900">{client.name || client.email}</p>
                {client.name ? <p className="text-sm break-all text-slate-600">{client.email}</p> : null}
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm">
                  <dt className="text-slate-500">{t("lastSignedIn")}</dt>
                  <dd className="text-slate-800">
                    {client.lastSignedInAt
                      ? timeOf(client.lastSignedInAt, format.relativeTime(client.lastSignedInAt, now))
                      : t("neverSignedIn")}
                  </dd>
                  <dt className="text-slate-500">{t("since")}</dt>
                  <dd className="text-slate-800">
                    {timeOf(client.since, format.dateTime(client.since, { dateStyle: "medium" }))}
                  </dd>
                </dl>
              </div>
              <RemoveClientButton dossierId={dossierId} userId={client.userId} name={client.name || client.email} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
