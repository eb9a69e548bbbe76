import type { Options } from "minisearch";

/**
 * The help's search: a MiniSearch index per language, built from the rendered articles at build
 * time (app/help/search-index/[lang]/route.ts is static) and loaded by the search box on first
 * use. The options live here because building and loading must use the same ones.
 */

export type HelpSearchDocument = { id: string; title: string; summary: string; headings: string; text: string };
export type HelpSearchResult = { id: string; title: string; summary: string };

export const HELP_SEARCH_OPTIONS = {
  fields: ["title", "summary", "headings", "text"],
  storeFields: ["title", "summary"],
  searchOptions: { boost: { title: 4, headings: 2, summary: 2 }, prefix: true, fuzzy: 0.2 },
} satisfies Options<HelpSearchDocument>;

/** The address of a language's serialised index. */
export function helpSearchIndexHref(locale: string): string {
  return `/help/search-index/${locale}`;
}
