import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getLocale } from "next-intl/server";
import { getHelpArticle } from "@/lib/help/content";
import { isLocale } from "@/lib/i18n/config";
import { ArticleView } from "./article-view";

async function readerArticle(slug: string) {
  const locale = await getLocale();
  return isLocale(locale) ? getHelpArticle(locale, slug) : null;
}

export async function helpArticleMetadata(slug: string): Promise<Metadata> {
  const article = await readerArticle(slug);
  return article ? { title: article.title, description: article.summary } : {};
}

/** An article in the reader's language (the page's, like the rest of the app). */
export async function HelpArticlePage({ slug }: { slug: string }) {
  const article = await readerArticle(slug);
  if (!article) notFound();
  return (
    <ArticleView title={article.title} summary={article.summary} html={article.html} headings={article.headings} />
  );
}
