import type { Heading, Image, Link, PhrasingContent, Root, RootContent, Strong, Text } from "mdast";
import rehypeStringify from "rehype-stringify";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { SKIP, visit } from "unist-util-visit";

/**
 * The help's Markdown, turned into HTML (notes/help-spec.md is the contract):
 * - `{{label:<namespace>.<path>}}` becomes that message in the reader's language, in bold, so a
 *   renamed button renames the guide;
 * - a `# Title` in the body is left out (the page's h1 is the front matter's title);
 * - `## Heading {#id}` gives the heading that id (the in-app "?" links point at them); a heading
 *   without one gets a slug of its text (the English developer pages have none);
 * - `![alt](help:<name>)` is the screenshot /help/<lang>/<name>.png;
 * - links stay as written (/help/<slug>#anchor follows the reader's language); only http(s),
 *   mailto, site-relative and in-page addresses are kept, any other scheme (javascript:) is dropped.
 * Raw HTML in the Markdown is never passed through (remark-rehype without allowDangerousHtml drops
 * it): an article cannot inject markup or scripts into the page.
 *
 * Pure: the messages come in as a lookup, so the tests render without Next.
 */

export type HelpHeading = { depth: 2 | 3; id: string; text: string; hasExplicitId: boolean };

export type RenderedMarkdown = {
  html: string;
  /** The ## and ### headings, in order, for the table of contents and the anchor checks. */
  headings: HelpHeading[];
  /** Every label key used, and those the lookup could not give as plain text. */
  labels: string[];
  missingLabels: string[];
  /** Every link address and screenshot name, as written, for the link checks. */
  links: string[];
  images: string[];
  /** The text of the whole article (labels resolved), for the search index. */
  text: string;
};

export type RenderOptions = {
  locale: string;
  /**
   * The message of a key in the reader's language, or undefined when there is none usable (missing,
   * or with a placeholder).
   */
  label: (key: string) => string | undefined;
  /** Rewrites a link address (e.g. a developer page's `ftp.md` to /help/developers/ftp). */
  rewriteLink?: (url: string) => string;
};

const LABEL_PATTERN = /\{\{label:([A-Za-z0-9_.-]+)\}\}/g;
const HEADING_ID_PATTERN = /\s*\{#([A-Za-z0-9_-]+)\}\s*$/;
const HELP_IMAGE_PREFIX = "help:";
const SAFE_URL = /^(?:https?:|mailto:|\/(?!\/)|#)/i;

/** A heading's text as an id, for headings without an explicit one. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-");
}

function plainText(node: RootContent | Root): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if (node.type === "image") return node.alt ?? "";
  if ("children" in node) {
    const inline = ["heading", "paragraph", "emphasis", "strong", "link", "delete", "tableCell"].includes(node.type);
    return (node.children as RootContent[]).map(plainText).join(inline ? "" : " ");
  }
  return "";
}

/** A message key from the catalog: a plain string without placeholders, or undefined. */
export function plainMessage(messages: Record<string, unknown>, key: string): string | undefined {
  let node: unknown = messages;
  for (const segment of key.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  if (typeof node !== "string" || /[{}]/.test(node)) return undefined;
  return node;
}

export function renderHelpMarkdown(source: string, options: RenderOptions): RenderedMarkdown {
  const headings: HelpHeading[] = [];
  const labels: string[] = [];
  const missingLabels: string[] = [];
  const links: string[] = [];
  const images: string[] = [];
  const usedIds = new Map<string, number>();

  const transform = () => (tree: Root) => {
    // 1. Labels: split text nodes into text and bold message nodes.
    visit(tree, "text", (node: Text, index, parent) => {
      if (!parent || index === undefined || !node.value.includes("{{label:")) return;
      const parts: PhrasingContent[] = [];
      let last = 0;
      for (const match of node.value.matchAll(LABEL_PATTERN)) {
        const key = match[1] ?? "";
        labels.push(key);
        const message = options.label(key);
        if (message === undefined) missingLabels.push(key);
        if (match.index > last) parts.push({ type: "text", value: node.value.slice(last, match.index) });
        const strong: Strong = {
          type: "strong",
          children: [{ type: "text", value: message ?? key }],
          data: { hProperties: { className: ["help-label"], ...(message === undefined ? { dataMissing: key } : {}) } },
        };
        parts.push(strong);
        last = match.index + match[0].length;
      }
      if (last < node.value.length) parts.push({ type: "text", value: node.value.slice(last) });
      parent.children.splice(index, 1, ...parts);
      return [SKIP, index + parts.length];
    });

    // 2. A "# Title" in the body: the page shows the front matter's title as its one h1.
    tree.children = tree.children.filter((node) => !(node.type === "heading" && node.depth === 1));

    // 3. Headings: the explicit id, else a slug; each id once per page.
    visit(tree, "heading", (node: Heading) => {
      const lastChild = node.children.at(-1);
      let id: string | undefined;
      let hasExplicitId = false;
      if (lastChild?.type === "text") {
        const match = HEADING_ID_PATTERN.exec(lastChild.value);
        if (match) {
          id = match[1];
          hasExplicitId = true;
          lastChild.value = lastChild.value.slice(0, match.index);
          if (lastChild.value === "") node.children.pop();
        }
      }
      const text = plainText(node).trim();
      if (!id) {
        const base = slugify(text) || "section";
        const seen = usedIds.get(base) ?? 0;
        id = seen === 0 ? base : `${base}-${seen}`;
      }
      usedIds.set(id, (usedIds.get(id) ?? 0) + 1);
      node.data = { ...node.data, hProperties: { ...(node.data?.hProperties ?? {}), id } };
      if (node.depth === 2 || node.depth === 3) headings.push({ depth: node.depth, id, text, hasExplicitId });
    });

    // 4. Screenshots and links.
    visit(tree, "image", (node: Image) => {
      if (node.url.startsWith(HELP_IMAGE_PREFIX)) {
        const name = node.url.slice(HELP_IMAGE_PREFIX.length);
        images.push(name);
        node.url = `/help/${options.locale}/${encodeURIComponent(name)}.png`;
        node.data = { ...node.data, hProperties: { loading: "lazy", className: ["help-screenshot"] } };
      } else if (!SAFE_URL.test(node.url)) {
        node.url = "";
      }
    });
    visit(tree, "link", (node: Link, index, parent) => {
      links.push(node.url);
      const url = options.rewriteLink ? options.rewriteLink(node.url) : node.url;
      if (!SAFE_URL.test(url)) {
        // An address of another scheme (javascript:, data:): keep the words, drop the link.
        if (parent && index !== undefined) {
          parent.children.splice(index, 1, ...node.children);
          return [SKIP, index];
        }
        return;
      }
      node.url = url;
      if (/^https?:/i.test(url)) node.data = { ...node.data, hProperties: { rel: ["noopener", "noreferrer"] } };
    });
  };

  const processor = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(transform)
    .use(remarkRehype, { allowDangerousHtml: false })
    .use(rehypeStringify);
  const tree = processor.runSync(processor.parse(source)) as Parameters<typeof processor.stringify>[0];
  const html = processor.stringify(tree);
  // The text for search, from the transformed Markdown tree (labels resolved, no markup).
  const mdTree = unified().use(remarkParse).use(remarkGfm).parse(source);
  const text = plainText(mdTree)
    .replace(LABEL_PATTERN, (_, key: string) => options.label(key) ?? "")
    .replace(/\{#[A-Za-z0-9_-]+\}/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return { html, headings, labels, missingLabels, links, images, text };
}
