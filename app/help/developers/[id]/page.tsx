import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getDeveloperPage } from "@/lib/help/content";
import { ArticleView } from "../../_components/article-view";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const page = getDeveloperPage((await params).id);
  return page ? { title: page.title } : {};
}

/**
 * A developer page (docs/integrations/<id>.md): the technical detail of a package (endpoints,
 * signatures, codes), in English only, whatever the reader's language.
 */
export default async function DeveloperPageRoute({ params }: Props) {
  const page = getDeveloperPage((await params).id);
  if (!page) notFound();
  const t = await getTranslations("help.article");
  return (
    <ArticleView
      title={page.title}
      html={page.html}
      headings={page.headings}
      lang="en"
      note={
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          {t("developers")} · {t("developerNote")}
        </p>
      }
    />
  );
}
