import Link from "next/link";
import { useTranslations } from "next-intl";
import { PageHeader } from "@/components/ui/page-header";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { DossierOverview } from "@/lib/dossiers/get";
import { DossierSummary } from "./dossier-summary";
import { DossierTabs } from "./dossier-tabs";

/** What every dossier tab starts with: the way back to the office, name, number, summary, tabs. */
export function DossierHeader({
  overview,
  active,
}: {
  overview: DossierOverview;
  active: Parameters<typeof DossierTabs>[0]["active"];
}) {
  const t = useTranslations("dossier");
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
            <span className="tabular-nums">
              {t("companyNumber", { number: formatCompanyNumber(overview.companyNumber) })}
            </span>
          }
        />
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
