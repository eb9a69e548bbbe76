import type { Metadata } from "next";
import { HelpArticlePage, helpArticleMetadata } from "../_components/help-article-page";

export async function generateMetadata(): Promise<Metadata> {
  return helpArticleMetadata("developers");
}

/** The "developers" guide: /help/developers is also the folder of the developer pages. */
export default function HelpDevelopersRoute() {
  return <HelpArticlePage slug="developers" />;
}
