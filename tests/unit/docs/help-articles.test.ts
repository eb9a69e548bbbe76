import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectionFormOf } from "@/lib/connections/form";
import { loadConnector } from "@/lib/connectors/registry";
import { SEND_REFUSALS } from "@/lib/documents/refusals";
import { FAILURE_GROUPS } from "@/lib/failures/groups";
import {
  developerPageIdOf,
  getDeveloperPage,
  getHelpArticle,
  type HelpArticle,
  listDeveloperPageIds,
  listHelpSlugs,
  missingHelpTarget,
} from "@/lib/help/content";
import { plainMessage } from "@/lib/help/markdown";
import { isHelpScreenshot } from "@/lib/help/screenshots";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { type CatalogEntry, listPackages } from "@/lib/packages/catalog";
import { packageSimilarity, SIMILARITY_THRESHOLD } from "../../helpers/help-similarity";

/**
 * The help's content contract (notes/help-spec.md), held on docs/help: every package and way of
 * sending has its article in nl, fr and en; the three languages have the same sections; every
 * section the app links to exists; links, screenshots and labels resolve; and no two package
 * articles are the same text with the name swapped.
 */

const PACKAGES = listPackages().filter((entry) => !entry.isTestOnly);
const WAYS_OF_SENDING = ["send-by-api", "send-by-ftp", "send-by-email-standard", "send-by-email-own", "no-integration"];
const GUIDES = [
  "how-integrations-work",
  "sending",
  "statuses",
  "failure-queue",
  "inviting-people",
  "phone-app",
  "e-invoices",
  "developers",
];
const PUBLIC_HELP = path.join(process.cwd(), "public", "help");

const slugsOf = (locale: Locale) => listHelpSlugs(locale);
/** An article, or null when it is missing or its front matter does not read (its own test says so). */
function articleOf(locale: Locale, slug: string): HelpArticle | null {
  try {
    return getHelpArticle(locale, slug);
  } catch {
    return null;
  }
}
const allArticles = (): HelpArticle[] =>
  LOCALES.flatMap((locale) =>
    slugsOf(locale).flatMap((slug) => {
      const article = articleOf(locale, slug);
      return article ? [article] : [];
    }),
  );
const idsOf = (article: HelpArticle | null) => new Set(article?.headings.map((heading) => heading.id) ?? []);

/** The sections each article must have, by slug (the in-app links point at them). */
async function requiredAnchors(): Promise<Record<string, string[]>> {
  const required: Record<string, string[]> = {};
  for (const entry of PACKAGES) {
    const anchors = ["before", "connect", "dossier", "errors"];
    if (entry.channels.includes("ftp")) anchors.push("folders");
    if (entry.channels.includes("email")) anchors.push("addresses");
    if (entry.channels.includes("api")) {
      const connector = await loadConnector(entry.id, "api");
      if (connector) {
        const form = connectionFormOf(connector, entry.id);
        anchors.push(...[...form.settings, ...form.secrets].map((field) => `field-${field.name}`));
      }
    }
    required[entry.id] = anchors;
  }
  const ftp = await loadConnector("generic-ftp", "ftp");
  const ftpForm = ftp ? connectionFormOf(ftp) : { settings: [], secrets: [] };
  required["send-by-ftp"] = [
    "before",
    "connect",
    "host-key",
    "errors",
    ...[...ftpForm.settings, ...ftpForm.secrets].map((field) => `field-${field.name}`),
  ];
  required["failure-queue"] = [...FAILURE_GROUPS.map((group) => `group-${group}`), "retry"];
  required.sending = [
    "by-hand",
    "bulk",
    "auto-send",
    ...SEND_REFUSALS.map((code) => `refusal-${code}`),
    "refusal-auto_send_off",
  ];
  required.statuses = ["inbox", "sent", "failed", "rejected", "archived", "not-recognised"];
  return required;
}

describe("help articles: which exist", () => {
  it.each(LOCALES)("every %s article's front matter reads (YAML: quote a value that holds ': ')", (locale) => {
    const unreadable = slugsOf(locale).flatMap((slug) => {
      try {
        getHelpArticle(locale, slug);
        return [];
      } catch (error) {
        return [(error as Error).message.split("\n")[0]];
      }
    });
    expect(unreadable).toEqual([]);
  });

  it.each(LOCALES)("every package of the catalog (but the test-only one) has its %s article", (locale) => {
    const missing = PACKAGES.filter((entry: CatalogEntry) => articleOf(locale, entry.id)?.package !== entry.id);
    expect(missing.map((entry) => entry.id)).toEqual([]);
  });

  it.each(LOCALES)("every way of sending and every guide has its %s article", (locale) => {
    const slugs = slugsOf(locale);
    expect([...WAYS_OF_SENDING, ...GUIDES].filter((slug) => !slugs.includes(slug))).toEqual([]);
  });

  it("has the same articles in nl, fr and en", () => {
    expect(slugsOf("fr")).toEqual(slugsOf("nl"));
    expect(slugsOf("en")).toEqual(slugsOf("nl"));
  });

  it("names a package only on that package's article", () => {
    const wrong = allArticles().filter((article) => article.package !== undefined && article.package !== article.slug);
    expect(wrong.map((article) => `${article.locale}/${article.slug}: package ${article.package}`)).toEqual([]);
  });
});

describe("help articles: sections", () => {
  it("gives every ## and ### heading an explicit, unique id", () => {
    const problems = allArticles().flatMap((article) => {
      const seen = new Set<string>();
      return article.headings.flatMap((heading) => {
        const where = `${article.locale}/${article.slug}: "${heading.text}"`;
        if (!heading.hasExplicitId) return [`${where} has no {#id}`];
        if (seen.has(heading.id)) return [`${where} repeats #${heading.id}`];
        seen.add(heading.id);
        return [];
      });
    });
    expect(problems).toEqual([]);
  });

  it("has the same section ids in the three languages of an article", () => {
    const differing = slugsOf("nl").flatMap((slug) => {
      const nl = [...idsOf(articleOf("nl", slug))].sort();
      return (["fr", "en"] as const).flatMap((locale) => {
        const other = [...idsOf(articleOf(locale, slug))].sort();
        return JSON.stringify(other) === JSON.stringify(nl)
          ? []
          : [`${slug}: nl ${nl.join(",")} ≠ ${locale} ${other.join(",")}`];
      });
    });
    expect(differing).toEqual([]);
  });

  it.each(LOCALES)("has every section the app and the contract need, in %s", async (locale) => {
    const required = await requiredAnchors();
    const missing = Object.entries(required).flatMap(([slug, anchors]) => {
      const ids = idsOf(articleOf(locale, slug));
      return anchors.filter((anchor) => !ids.has(anchor)).map((anchor) => `${slug}#${anchor}`);
    });
    expect(missing).toEqual([]);
  });
});

describe("help articles: links, screenshots and labels", () => {
  it("links only to articles and sections that exist (in the article's own language)", () => {
    const broken = allArticles().flatMap((article) =>
      article.links.flatMap((link) => {
        const where = `${article.locale}/${article.slug} → ${link}`;
        if (link.startsWith("#")) {
          return idsOf(article).has(link.slice(1)) ? [] : [`${where}: no such section`];
        }
        if (/^\/help\/(nl|fr|en)\//.test(link)) return [`${where}: a help link names no language`];
        if (link === "/help" || link.startsWith("/help/")) {
          const missing = missingHelpTarget(link, article.locale);
          return missing ? [`${where}: ${missing}`] : [];
        }
        if (/^(https?:|mailto:)/.test(link) || link.startsWith("/")) return [];
        return [`${where}: not a help, site or web address`];
      }),
    );
    expect(broken).toEqual([]);
  });

  it("shows only the screenshots the spec names, and each exists in the article's language", () => {
    const broken = allArticles().flatMap((article) =>
      article.images.flatMap((name) => {
        const where = `${article.locale}/${article.slug} → help:${name}`;
        if (!isHelpScreenshot(name)) return [`${where}: not a known screenshot`];
        return existsSync(path.join(PUBLIC_HELP, article.locale, `${name}.png`)) ? [] : [`${where}: no file`];
      }),
    );
    expect(broken).toEqual([]);
  });

  it("names only message keys that exist in nl, fr and en, without placeholders", () => {
    const broken = allArticles().flatMap((article) =>
      [...new Set(article.labels)].flatMap((key) =>
        LOCALES.filter((locale) => plainMessage(MESSAGES[locale] as Record<string, unknown>, key) === undefined).map(
          (locale) =>
            `${article.locale}/${article.slug}: {{label:${key}}} is missing or has a placeholder in ${locale}`,
        ),
      ),
    );
    expect(broken).toEqual([]);
  });

  it("renders every developer page (docs/integrations, English), whose help links lead somewhere", () => {
    const pages = listDeveloperPageIds();
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((id) => missingHelpTarget(`/help/developers/${id}`, "en") !== null)).toEqual([]);
    const broken = pages.flatMap((id) =>
      (getDeveloperPage(id)?.html.match(/href="\/help[^"]*"/g) ?? []).flatMap((attribute) => {
        const href = attribute.slice(6, -1);
        const missing = missingHelpTarget(href, "en");
        return missing ? [`developers/${id} → ${href}: ${missing}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it.each(LOCALES)("links each %s package article to its developer page, where there is one", (locale) => {
    const unlinked = PACKAGES.flatMap((entry) => {
      const page = developerPageIdOf(entry.id);
      const article = articleOf(locale, entry.id);
      if (!page || !article) return [];
      return article.links.some((link) => link.split("#")[0] === `/help/developers/${page}`)
        ? []
        : [`${entry.id} → /help/developers/${page}`];
    });
    expect(unlinked).toEqual([]);
  });
});

describe("help articles: no template with the name swapped", () => {
  it.each(LOCALES)("no two %s package articles are near-identical once package names are removed", (locale) => {
    const articles = PACKAGES.map((entry) => articleOf(locale, entry.id)).filter(
      (article): article is HelpArticle => article !== null,
    );
    const tooSimilar: string[] = [];
    for (const [i, a] of articles.entries()) {
      for (const b of articles.slice(i + 1)) {
        const score = packageSimilarity(a.text, b.text);
        if (score >= SIMILARITY_THRESHOLD) tooSimilar.push(`${a.slug} ~ ${b.slug}: ${score.toFixed(2)}`);
      }
    }
    expect(tooSimilar).toEqual([]);
  });
});
