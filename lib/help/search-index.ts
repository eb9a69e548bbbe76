import MiniSearch from "minisearch";
import type { Locale } from "@/lib/i18n/config";
import { getHelpArticle, HELP_ROOT, listHelpSlugs } from "./content";
import { HELP_SEARCH_OPTIONS, type HelpSearchDocument } from "./search";

/** The documents of a language's search index: one per article, its text with labels resolved. */
export function helpSearchDocuments(locale: Locale, root = HELP_ROOT): HelpSearchDocument[] {
  return listHelpSlugs(locale, root).flatMap((slug) => {
    let article: ReturnType<typeof getHelpArticle>;
    try {
      article = getHelpArticle(locale, slug, root);
    } catch {
      // An unreadable article is left out, as on the index (tests/unit/docs fails on it).
      return [];
    }
    if (!article) return [];
    return [
      {
        id: slug,
        title: article.title,
        summary: article.summary,
        headings: article.headings.map((heading) => heading.text).join(" "),
        text: article.text,
      },
    ];
  });
}

/** The serialised index (MiniSearch.loadJSON reads it back with HELP_SEARCH_OPTIONS). */
export function buildHelpSearchIndex(locale: Locale, root = HELP_ROOT): string {
  const search = new MiniSearch<HelpSearchDocument>(HELP_SEARCH_OPTIONS);
  search.addAll(helpSearchDocuments(locale, root));
  return JSON.stringify(search);
}
