import Link from "next/link";
import { useTranslations } from "next-intl";
import { IntegrationBadge } from "@/components/integrations/integration-badge";
import { Icon } from "@/components/ui/icon";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { IntegrationEvaluation } from "@/lib/integrations/status";
import type { DocumentCounts, PortalDossierRow } from "@/lib/portals/overview";

const COUNT_COLUMNS = [
  "inbox",
  "sending",
  "sent",
  "failed",
  "rejected",
  "archived",
] as const satisfies (keyof DocumentCounts)[];

/**
 * Colour only where it asks for attention: failures and rejections. Zero is quieter, yet still
 * readable: slate-500 has a contrast of 4.77:1 on white and 4.55:1 on the slate-50 of a hovered row
 * or a phone's count cell (WCAG AA asks 4.5:1; tests/unit/app/dossier-table.test.ts computes it).
 */
export function countClass(column: keyof DocumentCounts, value: number): string {
  if (value === 0) return "text-slate-500";
  if (column === "failed") return "font-semibold text-red-700";
  if (column === "rejected") return "font-semibold text-orange-700";
  if (column === "inbox") return "font-medium text-slate-900";
  return "text-slate-700";
}

/**
 * The integration's health under its badge: a green "all set", or a clear "needs attention" with
 * what is missing. Connection problems are already named by the badge, so they only raise the mark.
 * "Not configured" is the badge itself.
 */
function HealthMark({ health }: { health: IntegrationEvaluation }) {
  const t = useTranslations();
  if (health.state === "not_configured") return null;
  if (health.state === "ok") {
    return (
      <span className="inline-flex items-center gap-1 text-xs text-emerald-700">
        <Icon name="check" className="size-3.5 shrink-0" />
        {t("portal.health.ok")}
      </span>
    );
  }
  const details = health.problems.filter((problem) => !problem.code.startsWith("connection_"));
  const [first, ...rest] = details;
  return (
    <span className="flex min-w-0 flex-col items-start gap-0.5">
      <span className="inline-flex items-center gap-1 rounded-full bg-red-50 px-2 py-0.5 text-xs font-semibold text-red-800 ring-1 ring-red-600/20 ring-inset">
        <Icon name="warning" className="size-3.5 shrink-0" />
        {t("portal.health.needsAttention")}
      </span>
      {first ? (
        <span className="max-w-64 text-xs text-red-800" title={t(first.messageKey as Parameters<typeof t>[0])}>
          {t(first.shortMessageKey as Parameters<typeof t>[0])}
          {rest.length > 0 ? ` ${t("portal.health.more", { count: rest.length })}` : null}
        </span>
      ) : null}
    </span>
  );
}

/**
 * The portal's dossiers: a table on desktop, stacked cards on phones (same markup, so each
 * dossier is in the page once). The whole row opens the dossier's documents; its integration
 * opens the dossier's Integration tab.
 */
export function DossierTable({ rows }: { rows: PortalDossierRow[] }) {
  const t = useTranslations("portal");
  return (
    <div className="overflow-hidden sm:rounded-xl sm:border sm:border-slate-200 sm:bg-white sm:shadow-sm">
      <table className="w-full text-sm max-sm:block">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500 max-sm:sr-only">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("overview.columns.dossier")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("overview.columns.integration")}
            </th>
            {COUNT_COLUMNS.map((column) => (
              <th
                key={column}
                scope="col"
                className={`px-3 py-2.5 text-right font-medium ${column === "archived" ? "border-l border-slate-200" : ""}`}
              >
                {t(`status.${column}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 max-sm:flex max-sm:flex-col max-sm:gap-3 max-sm:divide-y-0">
          {rows.map((row) => (
            <tr key={row.id} className="overview-row">
              <td className="px-4 py-3 align-top max-sm:col-span-3 max-sm:p-0">
                {/* The link's ::after covers the row, so the whole row (or card) is the target. No
                    prefetch (here and on the integration link): a page of fifty dossiers would fetch a
                    hundred pages' shells while the list is read, as the document list's rows would. */}
                <Link href={`/dossiers/${row.id}`} className="overview-row-link" prefetch={false}>
                  {row.name}
                </Link>
                <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-500 tabular-nums">
                  <span>{formatCompanyNumber(row.companyNumber)}</span>
                  {row.vatNumber ? <span>{t("overview.vatNumber", { number: row.vatNumber })}</span> : null}
                </div>
              </td>
              <td className="px-4 py-3 align-top max-sm:col-span-3 max-sm:p-0">
                {/* Above the row's link: the integration opens the dossier's Integration tab. */}
                <Link href={`/dossiers/${row.id}/integration`} className="overview-integration-link" prefetch={false}>
                  <span className="sr-only">{t("overview.integrationLink", { name: row.name })} </span>
                  <IntegrationBadge state={row.integration} />
                  <HealthMark health={row.health} />
                </Link>
              </td>
              {COUNT_COLUMNS.map((column) => (
                <td
                  key={column}
                  data-label={t(`status.${column}`)}
                  className={column === "archived" ? "overview-count overview-count-archived" : "overview-count"}
                >
                  <span className={`${countClass(column, row.counts[column])} max-sm:text-base`}>
                    {row.counts[column]}
                  </span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
