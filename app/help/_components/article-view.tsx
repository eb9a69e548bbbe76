import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { HELP_HOME } from "@/lib/help/links";
import type { HelpHeading } from "@/lib/help/markdown";

/**
 * One article: its title and summary, a table of contents (a sidebar on wide screens, a fold-out
 * on a phone) and the HTML rendered from its Markdown (lib/help/markdown.ts: raw HTML in the
 * Markdown is dropped, so this HTML holds only what Markdown itself makes).
 */
export async function ArticleView({
  title,
  summary,
  html,
  headings,
  lang,
  note,
}: {
  title: string;
  summary?: string;
  html: string;
  headings: HelpHeading[];
  /** The article's own language when it may differ from the page's (the English developer pages). */
  lang?: string;
  note?: ReactNode;
}) {
  const t = await getTranslations("help.article");
  const toc =
    headings.length > 1 ? (
      <ul className="flex flex-col gap-1 text-sm">
        {headings.map((heading) => (
          <li key={heading.id} className={heading.depth === 3 ? "pl-3" : undefined}>
            <a href={`#${heading.id}`} className="block py-1 text-slate-700 hover:text-brand-700 hover:underline">
              {heading.text}
            </a>
          </li>
        ))}
      </ul>
    ) : null;
  return (
    <div className="lg:grid lg:grid-cols-[minmax(0,1fr)_16rem] lg:gap-10">
      <article lang={lang} className="min-w-0 max-w-3xl">
        <nav aria-label={t("back")} className="mb-2 text-sm">
          <Link href={HELP_HOME} className="text-slate-600 hover:text-slate-900 hover:underline">
            ← {t("back")}
          </Link>
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
        {summary ? <p className="mt-2 text-lg text-slate-600">{summary}</p> : null}
        {note ? <div className="mt-3">{note}</div> : null}
        {toc ? (
          <details className="mt-4 rounded-lg border border-slate-200 bg-white p-3 lg:hidden">
            <summary className="cursor-pointer text-sm font-medium text-slate-900">{t("toc")}</summary>
            <nav aria-label={t("toc")} className="mt-2">
              {toc}
            </nav>
          </details>
        ) : null}
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: rendered from our own Markdown with raw HTML disabled (lib/help/markdown.ts) */}
        <div className="help-article mt-4" dangerouslySetInnerHTML={{ __html: html }} />
      </article>
      {toc ? (
        <aside className="hidden lg:block">
          <nav aria-label={t("toc")} className="sticky top-20">
            <p className="mb-2 text-sm font-semibold text-slate-900">{t("toc")}</p>
            {toc}
          </nav>
        </aside>
      ) : null}
    </div>
  );
}
