import Link from "next/link";
import { useTranslations } from "next-intl";
import { PageHeader } from "@/components/ui/page-header";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { DossierOverview } from "@/lib/dossiers/get";
import { DossierDetailsForm } from "./dossier-details-form";
import { DossierSummary } from "./dossier-summary";
import { DossierTabs, dossierTabPath } from "./dossier-tabs";

/** BE0123456749 → BE 0123.456.749; anything else as stored. */
function formatVatNumber(vatNumber: string): string {
  return /^BE\d{10}$/.test(vatNumber) ? `BE ${formatCompanyNumber(vatNumber.slice(2))}` : vatNumber;
}

/**
 * What every dossier tab starts with: the way back to the office, name, numbers, language, summary,
 * tabs. Admins and accountants get "Edit details", which opens the form on the same tab (`?edit=1`,
 * so it works before JavaScript loads); entrepreneurs see the same values without it.
 */
export function DossierHeader({
  overview,
  active,
  isEditing = false,
}: {
  overview: DossierOverview;
  active: Parameters<typeof DossierTabs>[0]["active"];
  /** The page's `?edit=1`: shown only to those who may edit. */
  isEditing?: boolean;
}) {
  const t = useTranslations("dossier");
  const tabPath = dossierTabPath(overview.id, active);
  const isEditorOpen = overview.canUpdate && isEditing;
  return (
    <>
      <div>
        {overview.canViewPortal ? (
          <Link
            href={`/portals/${overview.portalId}`}
            className="-my-2 mb-1 inline-flex min-h-11 items-center gap-1.5 text-sm font-medium text-brand-700 hover:text-brand-600 hover:underline"
          >
            <span aria-hidden="true">←</span>
            {t("backToPortal")}
          </Link>
        ) : null}
        <PageHeader
          title={overview.name}
          description={
            <span className="flex flex-wrap gap-x-4 gap-y-0.5">
              <span className="tabular-nums">
                {t("companyNumber", { number: formatCompanyNumber(overview.companyNumber) })}
              </span>
              {overview.vatNumber ? (
                <span className="tabular-nums">{t("vatNumber", { number: formatVatNumber(overview.vatNumber) })}</span>
              ) : null}
              <span>{t("locale.summary", { language: t(`locale.names.${overview.locale}`) })}</span>
            </span>
          }
          actions={
            overview.canUpdate && !isEditorOpen ? (
              <Link
                href={`${tabPath}?edit=1`}
                scroll={false}
                className="inline-flex min-h-11 items-center gap-1.5 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-slate-300 hover:bg-slate-50 sm:min-h-0"
              >
                <span aria-hidden="true">✎</span>
                {t("edit.open")}
              </Link>
            ) : null
          }
        />
        {isEditorOpen ? (
          <DossierDetailsForm
            dossier={{
              id: overview.id,
              name: overview.name,
              companyNumber: overview.companyNumber,
              vatNumber: overview.vatNumber,
              locale: overview.locale,
            }}
            closeHref={tabPath}
          />
        ) : null}
        <DossierSummary overview={overview} />
      </div>
      <DossierTabs
        dossierId={overview.id}
        active={active}
        isVisible={{
          documents: overview.canViewDocuments,
          integration: overview.canViewIntegration,
          access: overview.canManageClients,
        }}
      />
    </>
  );
}
