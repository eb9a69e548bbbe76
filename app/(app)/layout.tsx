import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { LanguageSwitch } from "@/components/ui/language-switch";
import { getDb } from "@/db";
import { auth } from "@/lib/auth/auth";
import { requireActor } from "@/lib/auth/session";
import { listActorDossiers } from "@/lib/dossiers/list-for-actor";
import { listActorPortals } from "@/lib/portals/list-for-actor";
import { UserMenu } from "./_components/user-menu";
import { type Workspace, WorkspaceSwitcher } from "./_components/workspace-switcher";

/**
 * The signed-in shell: brand, office/dossier switcher, language and account. Pages render their
 * own heading (components/ui/page-header.tsx) inside <main>; the shell knows nothing about them.
 */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const db = await getDb();
  const [session, portals, dossiers, t] = await Promise.all([
    auth(),
    listActorPortals(db, actor),
    listActorDossiers(db, actor),
    getTranslations("common.shell"),
  ]);
  const workspaces: Workspace[] = [
    ...portals.map((portal) => ({
      kind: "portal" as const,
      id: portal.id,
      name: portal.name,
      href: `/portals/${portal.id}`,
    })),
    ...dossiers.map((dossier) => ({
      kind: "dossier" as const,
      id: dossier.id,
      name: dossier.name,
      href: `/dossiers/${dossier.id}`,
    })),
  ];

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#content"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        {t("skipToContent")}
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur supports-[backdrop-filter]:bg-white/80">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
          <Link
            href="/"
            aria-label={t("home")}
            className="shrink-0 rounded-md text-lg font-semibold tracking-tight text-brand-700 hover:text-brand-600"
          >
            Koppel
          </Link>
          {workspaces.length > 0 ? <span aria-hidden="true" className="h-5 w-px shrink-0 bg-slate-200" /> : null}
          <div className="flex min-w-0 flex-1 items-center">
            <WorkspaceSwitcher
              workspaces={workspaces}
              label={t("switcherLabel")}
              groupLabels={{ portal: t("portals"), dossier: t("dossiers") }}
            />
          </div>
          <div className="flex shrink-0 items-center gap-2 sm:gap-3">
            <div className="hidden sm:block">
              <LanguageSwitch />
            </div>
            <UserMenu
              name={session?.user?.name ?? null}
              email={session?.user?.email ?? ""}
              languageSwitch={<LanguageSwitch />}
            />
          </div>
        </div>
      </header>
      <main id="content" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
