import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { UnreachableNotice } from "@/components/connections/unreachable-notice";
import { DocumentPagination } from "@/components/documents/document-pagination";
import { HelpLink } from "@/components/help/help-link";
import { ClientMessages } from "@/components/ui/client-messages";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { listUnreachable } from "@/lib/dispatch/breaker";
import { FAILURE_GROUPS, type FailureGroup, isRetryableGroup } from "@/lib/failures/groups";
import {
  countFailuresByGroup,
  FAILURE_PAGE_SIZE,
  FAILURE_PREVIEW_SIZE,
  type FailureGroupCount,
  type FailurePage,
  listFailures,
} from "@/lib/failures/list";
import { parseFailureSearch } from "@/lib/failures/schemas";
import { failureGroupHelpHref } from "@/lib/help/links";
import { getPortal } from "@/lib/portals/overview";
import { PortalTabs, portalTabsFor } from "../_components/portal-tabs";
import { ExportForm } from "./_components/export-form";
import { FailureCard } from "./_components/failure-card";
import { RetryGroupButton, RetryProvider, RetryResult } from "./_components/retry-controls";

type Props = {
  params: Promise<{ portalId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("failures.page");
  return { title: t("metaTitle") };
}

/** The last 30 days up to today, as UTC dates (the delivery log's times are UTC). */
function defaultRange(): { from: string; to: string } {
  const today = new Date();
  const from = new Date(today.getTime() - 29 * 24 * 60 * 60 * 1000);
  return { from: from.toISOString().slice(0, 10), to: today.toISOString().slice(0, 10) };
}

/**
 * The office's failure queue: failed and rejected documents of every dossier, grouped by cause
 * (lib/failures/groups.ts) with their counts. Without `?group=` each cause shows its newest few;
 * with it, one cause page by page. "Retry all in this group" where a retry can help, and the
 * delivery log as CSV. Admins and accountants; anyone else gets the 404 page.
 */
export default function PortalFailuresPage(props: Props) {
  return (
    <ClientMessages area="portalFailures">
      <PortalFailuresPageContent {...props} />
    </ClientMessages>
  );
}

async function PortalFailuresPageContent({ params, searchParams }: Props) {
  const { portalId } = await params;
  const search = parseFailureSearch(await searchParams);
  const actor = await requireActor();
  const db = await getDb();
  // One round: the portal, the counts, what is unreachable and every group's first rows (a group
  // without failures costs one index probe, cheaper than waiting for the counts to pick the groups).
  // Each service checks the actor itself.
  const listedGroups = search.group ? [search.group] : [...FAILURE_GROUPS];
  const [portal, counts, unreachable, ...listed] = await Promise.all([
    orNotFound(getPortal(db, actor, portalId)),
    orNotFound(countFailuresByGroup(db, actor, portalId)),
    // What is unreachable right now: its documents wait (not failed) and go on by themselves. Only
    // asked for a member (the others get the not-found page from the services beside it).
    can(actor, "failure.view", { portalId }) ? listUnreachable(db, portalId) : Promise.resolve([]),
    ...listedGroups.map((group) =>
      orNotFound(
        listFailures(db, actor, {
          portalId,
          group,
          position: search.group ? search.position : null,
          limit: search.group ? FAILURE_PAGE_SIZE : FAILURE_PREVIEW_SIZE,
        }),
      ),
    ),
  ]);
  const canRetry = can(actor, "failure.retry", { portalId: portal.id });
  const canExport = can(actor, "deliveryLog.export", { portalId: portal.id });
  const t = await getTranslations("failures");

  const total = FAILURE_GROUPS.reduce((sum, group) => sum + counts[group].total, 0);
  const pages = listed.filter((page) => search.group || counts[page.group].total > 0);

  const pathname = `/portals/${portal.id}/failures`;
  const groupHref = (group: FailureGroup | null, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({ ...(group ? { group } : {}), ...extra }).toString();
    return query ? `${pathname}?${query}` : pathname;
  };
  const range = {
    ...defaultRange(),
    ...(search.from ? { from: search.from } : {}),
    ...(search.to ? { to: search.to } : {}),
  };

  return (
    <RetryProvider portalId={portal.id}>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: `/portals/${portal.id}` }]}
        title={t("page.title")}
        description={t("page.summary", { count: total })}
      />
      <PortalTabs portalId={portal.id} active="failures" tabs={portalTabsFor(actor, portal.id)} />
      <p className="mb-4 max-w-3xl text-sm text-slate-600">{t("page.intro")}</p>
      {unreachable.length > 0 ? (
        <div className="mb-4 max-w-3xl">
          <UnreachableNotice lanes={unreachable} />
        </div>
      ) : null}

      <RetryResult />

      {total > 0 || search.group ? (
        <nav aria-label={t("page.groupsLabel")} className="mb-6">
          <ul className="flex flex-wrap gap-2">
            <li>
              <GroupChip href={pathname} label={t("page.all")} count={total} isActive={!search.group} />
            </li>
            {FAILURE_GROUPS.filter((group) => counts[group].total > 0 || group === search.group).map((group) => (
              <li key={group}>
                <GroupChip
                  href={groupHref(group)}
                  label={t(`groups.${group}.title`)}
                  count={counts[group].total}
                  isActive={search.group === group}
                />
              </li>
            ))}
          </ul>
        </nav>
      ) : null}

      {total === 0 && !search.group ? (
        <EmptyState title={t("page.empty.title")} body={t("page.empty.body")} />
      ) : (
        <div className="flex flex-col gap-8">
          {pages.map((page) => (
            <GroupSection
              key={page.group}
              page={page}
              count={counts[page.group]}
              canRetry={canRetry}
              isPaged={Boolean(search.group)}
              showAllHref={groupHref(page.group)}
              newerHref={page.newerCursor ? groupHref(page.group, { before: page.newerCursor }) : null}
              olderHref={page.olderCursor ? groupHref(page.group, { after: page.olderCursor }) : null}
            />
          ))}
        </div>
      )}

      {canExport ? (
        <ExportForm portalId={portal.id} from={range.from} to={range.to} error={search.exportError} />
      ) : null}
    </RetryProvider>
  );
}

function GroupChip({
  href,
  label,
  count,
  isActive,
}: {
  href: string;
  label: string;
  count: number;
  isActive: boolean;
}) {
  return (
    <Link
      href={href}
      aria-current={isActive ? "page" : undefined}
      className={`inline-flex min-h-10 items-center gap-2 rounded-full px-3.5 text-sm font-medium ring-1 ring-inset ${
        isActive
          ? "bg-brand-600 text-white ring-brand-600"
          : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50 hover:text-slate-900"
      }`}
    >
      {label}
      <span aria-hidden="true" className={isActive ? "text-brand-100" : "text-slate-500"}>
        {count}
      </span>
      <span className="sr-only">({count})</span>
    </Link>
  );
}

async function GroupSection({
  page,
  count,
  canRetry,
  isPaged,
  showAllHref,
  newerHref,
  olderHref,
}: {
  page: FailurePage;
  count: FailureGroupCount;
  canRetry: boolean;
  isPaged: boolean;
  showAllHref: string;
  newerHref: string | null;
  olderHref: string | null;
}) {
  const t = await getTranslations("failures");
  const { group } = page;
  const headingId = `failure-group-${group}`;
  const isRetryable = isRetryableGroup(group);
  const hasRejected = count.total > count.failed;
  return (
    <section aria-labelledby={headingId} data-testid={`failure-group-${group}`} className="flex flex-col gap-3">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <div className="flex items-center gap-2">
            <h2 id={headingId} className="text-lg font-semibold text-slate-900">
              {t(`groups.${group}.title`)} <span className="font-normal text-slate-500">({count.total})</span>
            </h2>
            <HelpLink href={failureGroupHelpHref(group)} topic={t(`groups.${group}.title`)} />
          </div>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{t(`groups.${group}.hint`)}</p>
          {isRetryable && hasRejected ? (
            <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("retry.rejectedNote")}</p>
          ) : null}
          {!isRetryable ? <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("retry.notRetryable")}</p> : null}
        </div>
        {canRetry && isRetryable && count.failed > 0 ? (
          <div className="shrink-0">
            <RetryGroupButton group={group} count={count.failed} />
          </div>
        ) : null}
      </div>

      {page.items.length > 0 ? (
        <ul className="flex flex-col gap-3">
          {page.items.map((item) => (
            <FailureCard key={item.documentId} item={item} />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">{t("page.groupEmpty")}</p>
      )}

      {isPaged ? (
        <DocumentPagination newerHref={newerHref} olderHref={olderHref} />
      ) : count.total > page.items.length ? (
        <Link
          href={showAllHref}
          className="inline-flex min-h-11 items-center self-start text-sm font-medium text-brand-700 underline hover:text-brand-600"
        >
          {t("page.showAll", { count: count.total })}
        </Link>
      ) : null}
    </section>
  );
}
