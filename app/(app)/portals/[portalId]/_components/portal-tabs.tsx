import Link from "next/link";
import { useTranslations } from "next-intl";

const TABS = ["dossiers", "integrations"] as const;
export type PortalTab = (typeof TABS)[number];

/** The office's sections: its dossiers (the overview) and its integrations (portal connections). */
export function PortalTabs({ portalId, active }: { portalId: string; active: PortalTab }) {
  const t = useTranslations("connections.tabs");
  const hrefOf = (tab: PortalTab) =>
    tab === "dossiers" ? `/portals/${portalId}` : `/portals/${portalId}/integrations`;
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
                {t(tab)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
