import Link from "next/link";
import { useTranslations } from "next-intl";
import { IntegrationBadge } from "@/components/integrations/integration-badge";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { DocumentCounts, PortalDossierRow } from "@/lib/portals/overview";

const COUNT_COLUMNS = [
  "inbox",
  "sending",
  "sent",
  "failed",
  "rejected",
  "archived",
] as const satisfies (keyof DocumentCounts)[];

/** Colour only where it asks for attention: failures and rejections. */
function countClass(column: keyof DocumentCounts, value: number): string {
  if (value === 0) return "text-slate-300";
  if (column === "failed") return "font-semibold text-red-700";
  if (column === "rejected") return "font-semibold text-orange-700";
  if (column === "inbox") return "font-medium text-slate-900";
  return "text-slate-700";
}

/**
 * The portal's dossiers: a table on desktop, stacked cards on phones (same markup, so each
 * dossier is in the page once). The whole row opens the dossier.
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
            <tr
              key={row.id}
              className="relative sm:hover:bg-slate-50 max-sm:grid max-sm:grid-cols-3 max-sm:gap-x-2 max-sm:gap-y-3 max-sm:rounded-xl max-sm:border max-sm:border-slate-200 max-sm:bg-white max-sm:p-4 max-sm:shadow-sm max-sm:hover:border-slate-300"
            >
              <td className="px-4 py-3 align-top max-sm:col-span-3 max-sm:p-0">
                {/* The link's ::after covers the row, so the whole row (or card) is the target. */}
                <Link
                  href={`/dossiers/${row.id}`}
                  className="font-medium text-slate-900 after:absolute after:inset-0 after:content-[''] hover:text-brand-700 focus-visible:outline-none focus-visible:after:rounded-xl focus-visible:after:ring-2 focus-visible:after:ring-brand-500"
                >
                  {row.name}
                </Link>
                <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-500 tabular-nums">
                  <span>{formatCompanyNumber(row.companyNumber)}</span>
                  {row.vatNumber ? <span>{t("overview.vatNumber", { number: row.vatNumber })}</span> : null}
                </div>
              </td>
              <td className="px-4 py-3 align-top max-sm:col-span-3 max-sm:p-0">
                <IntegrationBadge state={row.integration} />
              </td>
              {COUNT_COLUMNS.map((column) => (
                <td
                  key={column}
                  data-label={t(`status.${column}`)}
                  className={`px-3 py-3 text-right align-top tabular-nums max-sm:flex max-sm:flex-col-reverse max-sm:items-start max-sm:rounded-md max-sm:bg-slate-50 max-sm:px-2.5 max-sm:py-1.5 max-sm:text-left max-sm:before:text-xs max-sm:before:font-normal max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)] ${
                    column === "archived" ? "sm:border-l sm:border-slate-100" : ""
                  }`}
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
