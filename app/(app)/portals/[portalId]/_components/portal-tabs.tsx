import Link from "next/link";
import { useTranslations } from "next-intl";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";

const TABS = ["dossiers", "integrations", "failures", "members"] as const;
export type PortalTab = (typeof TABS)[number];

/** What each tab's page authorizes. */
const TAB_ACTIONS = {
  dossiers: "portal.view",
  integrations: "connection.view",
  failures: "failure.view",
  members: "member.manage",
} as const satisfies Record<PortalTab, Action>;

/** The tabs the actor may open, by the permission table (the pages compute it on the server). */
export function portalTabsFor(actor: Actor, portalId: string): PortalTab[] {
  return TABS.filter((tab) => can(actor, TAB_ACTIONS[tab], { portalId }));
}

/** Where each tab leads: the overview is the office's own page; members live under its settings. */
function hrefOf(portalId: string, tab: PortalTab): string {
  if (tab === "dossiers") return `/portals/${portalId}`;
  if (tab === "members") return `/portals/${portalId}/settings/members`;
  return `/portals/${portalId}/${tab}`;
}

/**
 * The office's sections: its dossiers (the overview), its integrations (portal connections), its
 * failure queue (failed and rejected documents of every dossier) and, for admins, its members;
 * `tabs` are those the actor may open (portalTabsFor).
 */
export function PortalTabs({
  portalId,
  active,
  tabs,
}: {
  portalId: string;
  active: PortalTab;
  tabs: readonly PortalTab[];
}) {
  const t = useTranslations("connections.tabs");
  const tFailures = useTranslations("failures");
  const tMembers = useTranslations("members.page");
  const labelOf = (tab: PortalTab) =>
    tab === "failures" ? tFailures("nav") : tab === "members" ? tMembers("tab") : t(tab);
  return (
    <nav aria-label={t("label")} className="-mt-2 mb-6 overflow-x-auto border-b border-slate-200">
      <ul className="-mb-px flex gap-3 sm:gap-6">
        {TABS.filter((tab) => tabs.includes(tab)).map((tab) => {
          const isActive = tab === active;
          return (
            <li key={tab}>
              <Link
                href={hrefOf(portalId, tab)}
                aria-current={isActive ? "page" : undefined}
                className={`inline-flex min-h-11 items-center border-b-2 px-0.5 text-sm font-medium whitespace-nowrap ${
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
