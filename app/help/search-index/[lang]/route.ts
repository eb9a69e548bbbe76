import { buildHelpSearchIndex } from "@/lib/help/search-index";
import { isLocale, LOCALES } from "@/lib/i18n/config";

// Built once, at build time: one static JSON file per language (the search box fetches its own).
export const dynamic = "force-static";
export const dynamicParams = false;

export function generateStaticParams() {
  return LOCALES.map((lang) => ({ lang }));
}

/** The help's search index of one language (lib/help/search.ts), public like the help. */
export async function GET(_request: Request, { params }: { params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  if (!isLocale(lang)) return new Response("Not found", { status: 404 });
  return new Response(buildHelpSearchIndex(lang), {
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
