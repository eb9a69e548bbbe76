import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { DOCUMENT_TABS, type DocumentTab } from "@/lib/documents/schemas";
import { ScrollActiveTabIntoView } from "./scroll-active-tab";

const TABS_ID = "document-tabs";

function countClass(tab: DocumentTab, count: number, isActive: boolean): string {
  if (count > 0 && tab === "failed") return "bg-red-100 text-red-800";
  if (count > 0 && tab === "rejected") return "bg-orange-100 text-orange-800";
  return isActive ? "bg-brand-100 text-brand-700" : "bg-slate-100 text-slate-600";
}

/**
 * Inbox / Sent / Failed / Rejected / Archived with their counts, as plain links (`?tab=`), so
 * they work before JavaScript loads and can be bookmarked. Below `md` the five share the width in
 * equal columns, the label (on two lines when it must: "Boîte de réception") above its count, so
 * all five are on screen at 390 px in every language without scrolling sideways; from `md` up they
 * sit in one row. The bar can still scroll sideways as a last resort (a very large text size).
 */
export function DocumentTabs({
  basePath,
  activeTab,
  counts,
}: {
  /** The list's path without search params; each tab links to `basePath?tab=…`. */
  basePath: string;
  activeTab: DocumentTab;
  counts: Record<DocumentTab, number>;
}) {
  const t = useTranslations("documents.tabs");
  const format = useFormatter();
  return (
    // `relative`: the sr-only counts are absolutely positioned; without a positioned scroller they
    // escape it and widen the whole page on phones.
    <nav
      id={TABS_ID}
      aria-label={t("label")}
      className="relative -mx-4 overflow-x-auto overscroll-x-contain border-b border-slate-200 px-2 [scrollbar-width:none] sm:mx-0 sm:px-0"
    >
      <ul className="grid grid-cols-5 md:flex md:min-w-max md:gap-1">
        {DOCUMENT_TABS.map((tab) => {
          const isActive = tab === activeTab;
          const href = tab === "inbox" ? basePath : `${basePath}?tab=${tab}`;
          return (
            <li key={tab} className="flex min-w-0">
              {/* No prefetch: each tab is this same dynamic page, whose prefetch brings only its shell
                  (there is no loading.tsx), yet costs the phone a request and main-thread work per tab. */}
              <Link
                href={href}
                prefetch={false}
                aria-current={isActive ? "page" : undefined}
                className={`-mb-px flex min-h-14 w-full min-w-0 flex-col items-center justify-center gap-1 border-b-2 px-0.5 py-1.5 text-center text-xs leading-tight font-medium focus-visible:rounded-t-md focus-visible:outline-2 focus-visible:outline-brand-500 md:min-h-12 md:flex-row md:gap-2 md:px-3 md:py-0 md:text-sm md:whitespace-nowrap ${
                  isActive
                    ? "border-brand-600 text-brand-700"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                <span className="max-w-full [overflow-wrap:anywhere] hyphens-auto">{t(tab)}</span>
                <span
                  className={`rounded-full px-2 py-0.5 text-xs font-semibold tabular-nums ${countClass(tab, counts[tab], isActive)}`}
                >
                  <span aria-hidden="true">{format.number(counts[tab])}</span>
                  <span className="sr-only">{t("count", { count: counts[tab] })}</span>
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      <ScrollActiveTabIntoView containerId={TABS_ID} />
    </nav>
  );
}
