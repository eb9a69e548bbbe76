import Link from "next/link";
import { useTranslations } from "next-intl";

const TABS = [
  { id: "documents", path: "" },
  { id: "integration", path: "/integration" },
  { id: "access", path: "/access" },
] as const;

export type DossierTab = (typeof TABS)[number]["id"];

/** Where one of a dossier's tabs lives. */
export function dossierTabPath(dossierId: string, tab: DossierTab): string {
  return `/dossiers/${dossierId}${TABS.find((entry) => entry.id === tab)?.path ?? ""}`;
}

/**
 * "Documenten | Integraties | Toegang": the parts of a dossier, as a segmented control so it
 * reads as one level above the document status tabs. Plain links: they work before JavaScript
 * loads. `isVisible` says which the actor may open (the permission table, asked by the page):
 * "Toegang" (who may use the dossier) is for the office's people only, never its entrepreneurs.
 */
export function DossierTabs({
  dossierId,
  active,
  isVisible,
}: {
  dossierId: string;
  active: DossierTab;
  isVisible: Record<DossierTab, boolean>;
}) {
  const t = useTranslations("integrations.tabs");
  const tClients = useTranslations("clients");
  return (
    <nav aria-label={t("label")}>
      <ul className="flex w-full gap-1 rounded-lg bg-slate-100 p-1 sm:inline-flex sm:w-auto">
        {TABS.filter((tab) => isVisible[tab.id]).map((tab) => {
          const isActive = tab.id === active;
          return (
            <li key={tab.id} className="flex-1 sm:flex-none">
              <Link
                href={dossierTabPath(dossierId, tab.id)}
                aria-current={isActive ? "page" : undefined}
                className={`flex min-h-10 items-center justify-center rounded-md px-4 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-brand-500 ${
                  isActive
                    ? "bg-white text-slate-900 shadow-sm ring-1 ring-slate-900/5"
                    : "text-slate-600 hover:text-slate-900"
                }`}
              >
                {tab.id === "access" ? tClients("tab") : t(tab.id)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
