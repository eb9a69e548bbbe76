import Link from "next/link";
import { useTranslations } from "next-intl";

const TABS = ["dossiers", "integrations", "failures"] as const;
export type PortalTab = (typeof TABS)[number];

/**
 * The office's sections: its dossiers (the overview), its integrations (portal connections) and
 * its failure queue (failed and rejected documents of every dossier).
 */
export function PortalTabs({ portalId, active }: { portalId: string; active: PortalTab }) {
  const t = useTranslations("connections.tabs");
  const tFailures = useTranslations("failures");
  const hrefOf = (tab: PortalTab) => (tab === "dossiers" ? `/portals/${portalId}` : `/portals/${portalId}/${tab}`);
  const labelOf = (tab: PortalTab) => (tab === "failures" ? tFailures("nav") : t(tab));
  return (
    <nav aria-label={t("label")} className="-mt-2 mb-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {TABS.map((tab) => {
          const isActive = tab === active;
          return (
            <li key={tab}>
              <Link
                href={hrefOf(tab)}
                aria-current={isActive ? "page" : undefined}
                className={`inline-flex min-h-11 items-center border-b-2 px-0.5 text-sm font-medium ${
                  isActive
                    ? "border-brand-600 text-brand-700"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {labelOf(tab)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
