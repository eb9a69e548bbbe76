import type { Metadata } from "next";
import { HelpArticlePage, helpArticleMetadata } from "../_components/help-article-page";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return helpArticleMetadata((await params).slug);
}

/**
 * A help article (docs/help/<lang>/<slug>.md) in the reader's language. Rendered per request like
 * every page (its Content-Security-Policy nonce, the reader's language); the Markdown itself is
 * rendered once per server process (lib/help/content.ts).
 */
export default async function HelpArticleRoute({ params }: Props) {
  return <HelpArticlePage slug={(await params).slug} />;
}
