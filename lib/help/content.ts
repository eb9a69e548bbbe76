import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import matter from "gray-matter";
import { z } from "zod";
import type { Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { findPackage } from "@/lib/packages/catalog";
import { developerHelpHref, helpHref } from "./links";
import { plainMessage, type RenderedMarkdown, renderHelpMarkdown } from "./markdown";

/**
 * The help's articles: docs/help/<lang>/<slug>.md (Markdown with YAML front matter, read with
 * gray-matter) and the English developer pages docs/integrations/<id>.md. The pages render them
 * with the reader's messages (lib/help/markdown.ts); each rendering is kept for the life of the
 * process, and the search index is built from the same renderings at build time
 * (app/help/search-index/[lang]/route.ts is static).
 *
 * The folders are read from the working directory (the repository root for next, vitest and the
 * scripts); next.config.ts names them in outputFileTracingIncludes so a standalone build has them
 * (the file calls say turbopackIgnore: traced by those includes, not by a scan of the project).
 */

export const HELP_ROOT = path.join(process.cwd(), "docs", "help");
export const DEVELOPER_ROOT = path.join(process.cwd(), "docs", "integrations");

export const HELP_GROUPS = ["guides", "sending", "packages"] as const;
export type HelpGroup = (typeof HELP_GROUPS)[number];

const frontMatterSchema = z.object({
  title: z.string().min(1),
  summary: z.string().min(1),
  audience: z.enum(["office", "entrepreneur", "everyone"]),
  package: z.string().min(1).optional(),
  order: z.number().optional(),
});
export type HelpFrontMatter = z.infer<typeof frontMatterSchema>;

export type HelpArticleMeta = HelpFrontMatter & { slug: string; locale: Locale; group: HelpGroup };
export type HelpArticle = HelpArticleMeta & RenderedMarkdown;

const SLUG = /^[a-z0-9-]+$/;

/** Which index group an article belongs to (notes/help-spec.md: derived, never written). */
export function helpGroupOf(slug: string, frontMatter: Pick<HelpFrontMatter, "package">): HelpGroup {
  if (frontMatter.package) return "packages";
  if (slug.startsWith("send-by-") || slug === "no-integration") return "sending";
  return "guides";
}

/** The article slugs of one language, from the file names. */
export function listHelpSlugs(locale: Locale, root = HELP_ROOT): string[] {
  const folder = path.join(/*turbopackIgnore: true*/ root, locale);
  if (!existsSync(/*turbopackIgnore: true*/ folder)) return [];
  return readdirSync(/*turbopackIgnore: true*/ folder)
    .filter((name) => name.endsWith(".md"))
    .map((name) => name.slice(0, -3))
    .filter((slug) => SLUG.test(slug))
    .sort();
}

function readSource(locale: Locale, slug: string, root: string): { data: HelpFrontMatter; body: string } | null {
  if (!SLUG.test(slug)) return null;
  const file = path.join(/*turbopackIgnore: true*/ root, locale, `${slug}.md`);
  if (!existsSync(/*turbopackIgnore: true*/ file)) return null;
  let parsed: matter.GrayMatterFile<string>;
  try {
    // With options, gray-matter keeps no cache (its cache would keep a failed parse's empty data).
    parsed = matter(readFileSync(/*turbopackIgnore: true*/ file, "utf8"), { excerpt: false });
  } catch (error) {
    throw new Error(`docs/help/${locale}/${slug}.md: unreadable front matter: ${(error as Error).message}`);
  }
  const data = frontMatterSchema.safeParse(parsed.data);
  if (!data.success) throw new Error(`docs/help/${locale}/${slug}.md: bad front matter: ${data.error.message}`);
  return { data: data.data, body: parsed.content };
}

const metaCache = new Map<string, HelpArticleMeta | null>();
const articleCache = new Map<string, HelpArticle | null>();

/** An article's front matter, without rendering it (the index). */
export function getHelpArticleMeta(locale: Locale, slug: string, root = HELP_ROOT): HelpArticleMeta | null {
  const key = `${root}:${locale}:${slug}`;
  if (!metaCache.has(key)) {
    const source = readSource(locale, slug, root);
    metaCache.set(key, source ? { ...source.data, slug, locale, group: helpGroupOf(slug, source.data) } : null);
  }
  return metaCache.get(key) ?? null;
}

/** The messages' lookup for `{{label:…}}`: a plain message of the reader's language. */
export function helpLabelLookup(locale: Locale): (key: string) => string | undefined {
  return (key) => plainMessage(MESSAGES[locale] as Record<string, unknown>, key);
}

/** An article, rendered in its language, or null when there is none. */
export function getHelpArticle(locale: Locale, slug: string, root = HELP_ROOT): HelpArticle | null {
  const key = `${root}:${locale}:${slug}`;
  if (!articleCache.has(key)) {
    const source = readSource(locale, slug, root);
    articleCache.set(
      key,
      source
        ? {
            ...source.data,
            slug,
            locale,
            group: helpGroupOf(slug, source.data),
            ...renderHelpMarkdown(source.body, { locale, label: helpLabelLookup(locale) }),
          }
        : null,
    );
  }
  return articleCache.get(key) ?? null;
}

/** Every article of a language, in index order (group, then `order`, then title). */
export function listHelpArticles(locale: Locale, root = HELP_ROOT): HelpArticleMeta[] {
  return listHelpSlugs(locale, root)
    .map((slug) => {
      // One broken file must not take the whole index down (tests/unit/docs fails on it).
      try {
        return getHelpArticleMeta(locale, slug, root);
      } catch {
        return null;
      }
    })
    .filter((meta): meta is HelpArticleMeta => meta !== null)
    .sort(
      (a, b) =>
        HELP_GROUPS.indexOf(a.group) - HELP_GROUPS.indexOf(b.group) ||
        (a.order ?? 1000) - (b.order ?? 1000) ||
        a.title.localeCompare(b.title, locale),
    );
}

// --- Developer pages (English) ---------------------------------------------------------------

export type DeveloperPage = RenderedMarkdown & { id: string; title: string };

/** The developer pages: docs/integrations/<id>.md, without its README and the test-only package. */
export function listDeveloperPageIds(root = DEVELOPER_ROOT): string[] {
  if (!existsSync(/*turbopackIgnore: true*/ root)) return [];
  return readdirSync(/*turbopackIgnore: true*/ root)
    .filter((name) => name.endsWith(".md") && name !== "README.md" && name !== "test-api.md")
    .map((name) => name.slice(0, -3))
    .filter((id) => SLUG.test(id))
    .sort();
}

/**
 * The developer page of a package: its own, else the channel's (every FTP package shares ftp),
 * else none.
 */
export function developerPageIdOf(packageId: string, root = DEVELOPER_ROOT): string | null {
  const ids = listDeveloperPageIds(root);
  if (ids.includes(packageId)) return packageId;
  if (findPackage(packageId)?.channels.includes("ftp") && ids.includes("ftp")) return "ftp";
  return null;
}

/**
 * A link between developer pages (`ftp.md#section`) becomes the help's address of that page, and
 * one to an article (`../help/en/sending.md#bulk`) the article's, in the reader's language. Any
 * other relative link (a path in the repository) has no page in the app: the renderer keeps its
 * words and drops the link.
 */
function rewriteDeveloperLink(url: string): string {
  const article = /^\.\.\/help\/(?:nl|fr|en)\/([a-z0-9-]+)\.md(#.*)?$/.exec(url);
  if (article) return `${helpHref(article[1] ?? "")}${article[2] ?? ""}`;
  const match = /^(?:\.\/)?([a-z0-9-]+)\.md(#.*)?$/.exec(url);
  if (!match) return url;
  // The README is the overview the "developers" guide replaces.
  return match[1] === "README" ? helpHref("developers") : `${developerHelpHref(match[1] ?? "")}${match[2] ?? ""}`;
}

const developerCache = new Map<string, DeveloperPage | null>();

/** A developer page, rendered (English: the technical detail stays in one language). */
export function getDeveloperPage(id: string, root = DEVELOPER_ROOT): DeveloperPage | null {
  const key = `${root}:${id}`;
  if (!developerCache.has(key)) {
    if (!listDeveloperPageIds(root).includes(id)) {
      developerCache.set(key, null);
    } else {
      const source = readFileSync(
        /*turbopackIgnore: true*/ path.join(/*turbopackIgnore: true*/ root, `${id}.md`),
        "utf8",
      );
      const titleMatch = /^#\s+(.+)$/m.exec(source);
      const body = titleMatch ? source.replace(titleMatch[0], "") : source;
      developerCache.set(key, {
        id,
        title: titleMatch?.[1]?.trim() ?? id,
        ...renderHelpMarkdown(body, { locale: "en", label: helpLabelLookup("en"), rewriteLink: rewriteDeveloperLink }),
      });
    }
  }
  return developerCache.get(key) ?? null;
}

/**
 * Whether a help address leads somewhere in a language: the article (or developer page) exists
 * and, with `#anchor`, has a heading with that id. Null when it does; else what is missing. The
 * tests hold every in-app link and every link between articles to it.
 */
export function missingHelpTarget(
  href: string,
  locale: Locale,
  root = HELP_ROOT,
  developerRoot = DEVELOPER_ROOT,
): string | null {
  if (href === "/help") return null;
  const match = /^\/help\/(?:(developers)\/)?([a-z0-9-]+)(?:#(.*))?$/.exec(href);
  if (!match) return `not a help address: ${href}`;
  const [, developers, slug = "", anchor] = match;
  let page: { headings: { id: string }[] } | null;
  try {
    page = developers ? getDeveloperPage(slug, developerRoot) : getHelpArticle(locale, slug, root);
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "unreadable";
  }
  if (!page) return `${developers ? "developer page" : `${locale} article`} ${slug} does not exist`;
  if (anchor && !page.headings.some((heading) => heading.id === anchor)) {
    return `${developers ? "developer page" : `${locale} article`} ${slug} has no section #${anchor}`;
  }
  return null;
}
