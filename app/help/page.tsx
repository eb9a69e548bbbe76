import MiniSearch from "minisearch";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { HELP_GROUPS, type HelpArticleMeta, listHelpArticles } from "@/lib/help/content";
import { helpHref } from "@/lib/help/links";
import { HELP_SEARCH_OPTIONS, type HelpSearchDocument } from "@/lib/help/search";
import { buildHelpSearchIndex } from "@/lib/help/search-index";
import { DEFAULT_LOCALE, isLocale } from "@/lib/i18n/config";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The help's index in the reader's language, grouped: guides, ways of sending, packages. With
 * `?q=` (the search form without JavaScript) it lists the search's hits first.
 */
export default async function HelpIndexPage({ searchParams }: Props) {
  const pageLocale = await getLocale();
  const locale = isLocale(pageLocale) ? pageLocale : DEFAULT_LOCALE;
  const t = await getTranslations("help");
  const articles = listHelpArticles(locale);
  const rawQuery = (await searchParams).q;
  const query = (Array.isArray(rawQuery) ? rawQuery[0] : rawQuery)?.trim().slice(0, 200) ?? "";
  const hits = query
    ? MiniSearch.loadJSON<HelpSearchDocument>(buildHelpSearchIndex(locale), HELP_SEARCH_OPTIONS)
        .search(query)
        .slice(0, 10)
        .map((hit) => articles.find((article) => article.slug === hit.id))
        .filter((article): article is HelpArticleMeta => article !== undefined)
    : null;

  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{t("index.title")}</h1>
      <p className="mt-2 text-slate-600">{t("index.intro")}</p>

      {hits ? (
        <section aria-labelledby="help-search-hits" className="mt-6">
          <h2 id="help-search-hits" className="text-lg font-semibold text-slate-900">
            {t("search.label")}: „{query}”
          </h2>
          {hits.length > 0 ? (
            <ArticleList articles={hits} />
          ) : (
            <p className="mt-2 text-sm text-slate-600">{t("search.noResults", { query })}</p>
          )}
        </section>
      ) : null}

      {articles.length === 0 ? <p className="mt-6 text-slate-600">{t("index.empty")}</p> : null}
      {HELP_GROUPS.map((group) => {
        const inGroup = articles.filter((article) => article.group === group);
        if (inGroup.length === 0) return null;
        return (
          <section key={group} aria-labelledby={`help-group-${group}`} className="mt-8">
            <h2 id={`help-group-${group}`} className="text-lg font-semibold text-slate-900">
              {t(`index.groups.${group}`)}
            </h2>
            <ArticleList articles={inGroup} isCompact={group === "packages"} />
          </section>
        );
      })}
    </div>
  );
}

function ArticleList({ articles, isCompact = false }: { articles: HelpArticleMeta[]; isCompact?: boolean }) {
  return (
    <ul
      className={`mt-3 grid gap-3 ${isCompact ? "grid-cols-1 sm:grid-cols-2 lg:grid-cols-3" : "grid-cols-1 sm:grid-cols-2"}`}
    >
      {articles.map((article) => (
        <li key={article.slug}>
          <Link
            href={helpHref(article.slug)}
            className="flex h-full flex-col gap-1 rounded-lg border border-slate-200 bg-white p-4 shadow-xs hover:border-brand-500 hover:shadow-sm"
          >
            <span className="font-medium text-brand-700">{article.title}</span>
            <span className="text-sm text-slate-600">{article.summary}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
