import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { EmptyState } from "@/components/ui/empty-state";
import { LazyClientMessages } from "@/components/ui/lazy-client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { getOnboardingChecklist } from "@/lib/portals/checklist";
import { getPortal, listPortalDossiers } from "@/lib/portals/overview";
import { DossierTable } from "./_components/dossier-table";
import { LazyNewDossierForm } from "./_components/lazy-new-dossier-form";
import { OnboardingChecklist, type OnboardingTargets } from "./_components/onboarding-checklist";
import { PortalTabs, portalTabsFor } from "./_components/portal-tabs";

type Props = {
  params: Promise<{ portalId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("portal.overview");
  return { title: t("title") };
}

/**
 * The accountant's home: every dossier of the office, how it delivers, and where its documents
 * stand. Its one client component that translates is the new-dossier form (?new=1): its messages
 * provider wraps that form alone, so the overview's payload carries them only when it shows.
 */
export default async function PortalOverviewPage({ params, searchParams }: Props) {
  const { portalId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const db = await getDb();
  // One round: the portal, its page of dossiers and the checklist each check the actor themselves.
  const [portal, result, checklist] = await Promise.all([
    orNotFound(getPortal(db, actor, portalId)),
    orNotFound(listPortalDossiers(db, actor, { portalId, query: first(search.q), page: first(search.page) })),
    orNotFound(getOnboardingChecklist(db, actor, portalId)),
  ]);
  const t = await getTranslations("portal");
  const pathname = `/portals/${portal.id}`;
  const canCreate = can(actor, "dossier.create", { portalId: portal.id });
  const isCreating = canCreate && first(search.new) === "1";
  const resource = { portalId: portal.id };
  const canManageConnections = can(actor, "connection.manage", resource);
  const canManageMembers = can(actor, "member.manage", resource);
  const { firstDossierId } = checklist;
  // Where each first step is done. Steps an accountant may not take say "ask an admin", with a
  // link only where they can still see the page (the integrations, read-only).
  const onboardingTargets: OnboardingTargets = {
    connection: {
      href: `${pathname}/integrations${canManageConnections ? "?add=1" : ""}`,
      isAllowed: canManageConnections,
    },
    dossier: { href: `${pathname}?new=1`, isAllowed: canCreate },
    colleague: { href: canManageMembers ? `${pathname}/settings/members` : null, isAllowed: canManageMembers },
    // On a dossier, its people are invited; without one, the first step is making it.
    client: firstDossierId
      ? {
          href: `/dossiers/${firstDossierId}/access`,
          isAllowed: can(actor, "dossierMember.manage", { ...resource, dossierId: firstDossierId }),
        }
      : { href: canCreate ? `${pathname}?new=1` : null, isAllowed: canCreate },
    recognition: {
      href: canManageConnections ? `${pathname}/settings/webhook` : null,
      isAllowed: canManageConnections,
    },
  };
  const keep = { q: result.query || undefined, page: result.page > 1 ? String(result.page) : undefined };
  const withParams = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...keep, ...extra })) if (value) params.set(key, value);
    const query = params.toString();
    return query ? `${pathname}?${query}` : pathname;
  };

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: pathname }]}
        title={t("overview.title")}
        description={
          result.query
            ? t("overview.results", { count: result.total, query: result.query })
            : t("overview.summary", { count: result.total })
        }
        actions={
          canCreate && !isCreating ? (
            <Link
              href={withParams({ new: "1" })}
              scroll={false}
              className="inline-flex items-center gap-1.5 rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700"
            >
              <span aria-hidden="true" className="text-base leading-none">
                +
              </span>
              {t("create.open")}
            </Link>
          ) : null
        }
      />
      <PortalTabs portalId={portal.id} active="dossiers" tabs={portalTabsFor(actor, portal.id)} />

      {isCreating ? (
        <LazyClientMessages area="portalOverview">
          <LazyNewDossierForm portalId={portal.id} closeHref={withParams({})} />
        </LazyClientMessages>
      ) : null}
      {checklist.isComplete ? null : <OnboardingChecklist checklist={checklist} targets={onboardingTargets} />}

      <Form action={pathname} role="search" className="mb-4 flex gap-2">
        <label htmlFor="dossier-search" className="sr-only">
          {t("overview.searchLabel")}
        </label>
        <div className="relative min-w-0 flex-1 sm:max-w-md">
          <svg
            aria-hidden="true"
            viewBox="0 0 20 20"
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"
          >
            <path
              fill="currentColor"
              d="M9 3.5a5.5 5.5 0 1 0 3.3 9.9l3.15 3.15a.75.75 0 1 0 1.06-1.06l-3.15-3.15A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z"
            />
          </svg>
          <input
            id="dossier-search"
            type="search"
            name="q"
            defaultValue={result.query}
            placeholder={t("overview.searchPlaceholder")}
            className="block w-full rounded-md border border-slate-300 bg-white py-2 pr-3 pl-9 text-base shadow-xs focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none sm:text-sm"
          />
        </div>
        <button
          type="submit"
          className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
        >
          {t("overview.search")}
        </button>
        {result.query ? (
          <Link
            href={pathname}
            className="hidden items-center px-2 text-sm font-medium text-slate-600 hover:underline sm:inline-flex"
          >
            {t("overview.clearSearch")}
          </Link>
        ) : null}
      </Form>

      {result.rows.length > 0 ? (
        <>
          <DossierTable rows={result.rows} />
          <Pagination
            page={result.page}
            pageCount={result.pageCount}
            pathname={pathname}
            searchParams={{ q: result.query || undefined }}
          />
        </>
      ) : result.query ? (
        <EmptyState
          title={t("overview.noResults.title")}
          body={t("overview.noResults.body", { query: result.query })}
          action={
            <Link href={pathname} className="text-sm font-medium text-brand-700 hover:underline">
              {t("overview.clearSearch")}
            </Link>
          }
        />
      ) : (
        <EmptyState
          title={t("overview.empty.title")}
          body={t("overview.empty.body")}
          action={
            canCreate && !isCreating ? (
              <Link
                href={withParams({ new: "1" })}
                className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700"
              >
                {t("create.open")}
              </Link>
            ) : null
          }
        />
      )}
    </>
  );
}
