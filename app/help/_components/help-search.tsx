"use client";

import type MiniSearch from "minisearch";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState } from "react";
import { helpHref } from "@/lib/help/links";
import {
  HELP_SEARCH_OPTIONS,
  type HelpSearchDocument,
  type HelpSearchResult,
  helpSearchIndexHref,
} from "@/lib/help/search";

const MAX_RESULTS = 8;

/**
 * The help's search box: the language's index (built at build time) is fetched on first focus and
 * searched in the browser as the reader types. Without JavaScript the form asks the index page
 * (/help?q=…), which searches on the server.
 */
export function HelpSearch() {
  const t = useTranslations("help.search");
  const locale = useLocale();
  const id = useId();
  const [query, setQuery] = useState("");
  const [state, setState] = useState<"idle" | "loading" | "ready" | "error">("idle");
  const [results, setResults] = useState<HelpSearchResult[]>([]);
  const index = useRef<MiniSearch<HelpSearchDocument> | null>(null);

  async function load() {
    if (index.current || state === "loading") return;
    setState("loading");
    try {
      const [{ default: MiniSearchClass }, response] = await Promise.all([
        import("minisearch"),
        fetch(helpSearchIndexHref(locale)),
      ]);
      if (!response.ok) throw new Error(String(response.status));
      index.current = MiniSearchClass.loadJSON<HelpSearchDocument>(await response.text(), HELP_SEARCH_OPTIONS);
      setState("ready");
    } catch {
      setState("error");
    }
  }

  useEffect(() => {
    const search = index.current;
    if (!search || state !== "ready") return;
    const trimmed = query.trim();
    setResults(
      trimmed.length < 2
        ? []
        : search
            .search(trimmed)
            .slice(0, MAX_RESULTS)
            .map((hit) => ({ id: hit.id, title: String(hit.title), summary: String(hit.summary) })),
    );
  }, [query, state]);

  const trimmed = query.trim();
  return (
    <search className="relative" aria-label={t("label")}>
      <form action="/help" method="get" className="flex gap-2">
        <label htmlFor={id} className="sr-only">
          {t("label")}
        </label>
        <input
          id={id}
          name="q"
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onFocus={load}
          placeholder={t("placeholder")}
          autoComplete="off"
          enterKeyHint="search"
          aria-controls={`${id}-results`}
          className="min-h-11 w-full min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 text-base shadow-xs focus:border-brand-500 focus:outline-2 focus:outline-brand-500 sm:text-sm"
        />
        <button
          type="submit"
          className="inline-flex min-h-11 shrink-0 items-center rounded-md bg-slate-800 px-3.5 text-sm font-medium text-white hover:bg-slate-700"
        >
          {t("submit")}
        </button>
      </form>
      <div id={`${id}-results`} aria-live="polite">
        {trimmed.length >= 2 ? (
          <div className="mt-2 rounded-lg border border-slate-200 bg-white shadow-sm">
            {state === "loading" ? <p className="p-3 text-sm text-slate-600">{t("loading")}</p> : null}
            {state === "error" ? <p className="p-3 text-sm text-red-800">{t("error")}</p> : null}
            {state === "ready" && results.length === 0 ? (
              <p className="p-3 text-sm text-slate-600">{t("noResults", { query: trimmed })}</p>
            ) : null}
            {results.length > 0 ? (
              <ul data-testid="help-search-results" className="divide-y divide-slate-100">
                {results.map((result) => (
                  <li key={result.id}>
                    <Link
                      href={helpHref(result.id)}
                      onClick={() => setQuery("")}
                      className="block px-3 py-2.5 hover:bg-slate-50"
                    >
                      <span className="block text-sm font-medium text-brand-700">{result.title}</span>
                      <span className="block text-sm text-slate-600">{result.summary}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
    </search>
  );
}
