/**
 * Case `html` — the weight of the main pages as a browser receives them, against the production
 * build on the demo data (scripts/bench/demo-server.ts):
 *
 * - `documents-inbox-50`: the bulk dossier's Inbox, 50 rows (one page), as the accountant;
 * - `overview`: the portal overview (the office's dossiers), as the accountant;
 * - `failures`: the failure queue, as the admin;
 * - `document`: the first document of that Inbox, as the accountant.
 *
 * For each it prints `bench html-<page> html_kb=<n> dom=<n>` and details: the HTML's size gzipped,
 * how much of it is `class` attributes (their text, in the markup and in the RSC payload), inline
 * SVG and the inline RSC payload (`self.__next_f.push` scripts), and how many rows the list holds.
 * `html_kb` is the uncompressed document (what the browser parses), `dom` the number of elements
 * in the document once it has loaded and hydrated. Sizes, not timings: they do not move between
 * runs on the same data. `npm run bench -- html --html-dir=<folder>` keeps the pages' HTML there.
 */

import { writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { BULK_DOSSIER_NAME, type DemoServer, findLink, startDemoServer } from "./demo-server";

export type PageWeight = {
  htmlBytes: number;
  gzipBytes: number;
  classBytes: number;
  svgBytes: number;
  flightBytes: number;
  dom: number;
  rows: number;
};

const sumOf = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].reduce((sum, m) => sum + m[0].length, 0);

/** The parts of an HTML document the bench reports. */
export function measureHtml(html: string): Omit<PageWeight, "dom" | "rows"> {
  return {
    htmlBytes: Buffer.byteLength(html),
    gzipBytes: gzipSync(html).length,
    // class="…" in the markup, "className":"…" (escaped inside the payload's strings) in the RSC payload.
    classBytes: sumOf(html, /class="[^"]*"/g) + sumOf(html, /\\?"className\\?":\\?"[^"\\]*\\?"/g),
    svgBytes: sumOf(html, /<svg[\s\S]*?<\/svg>/g),
    flightBytes: sumOf(html, /<script[^>]*>self\.__next_f\.push\([\s\S]*?<\/script>/g),
  };
}

/** The document's HTML as fetched with the session, and its element count in a browser. */
export async function weighPage(demo: DemoServer, cookie: string, pagePath: string, name: string): Promise<PageWeight> {
  const response = await fetch(`${demo.baseUrl}${pagePath}`, { headers: { cookie, "accept-language": "nl-BE" } });
  if (!response.ok) throw new Error(`${pagePath}: HTTP ${response.status}`);
  const html = await response.text();
  // `--html-dir=<folder>` keeps each page's HTML there, to see where the bytes go.
  const htmlDir = process.argv.find((arg) => arg.startsWith("--html-dir="))?.slice("--html-dir=".length);
  if (htmlDir) writeFileSync(path.join(htmlDir, `${name}.html`), html);
  const context = await demo.browser.newContext({
    baseURL: demo.baseUrl,
    locale: "nl-BE",
    viewport: { width: 1280, height: 800 },
    extraHTTPHeaders: { cookie },
  });
  try {
    const page = await context.newPage();
    await page.goto(pagePath, { waitUntil: "load" });
    await page.waitForLoadState("networkidle");
    const { dom, rows } = await page.evaluate(() => ({
      dom: document.getElementsByTagName("*").length,
      rows: new Set([...document.querySelectorAll("[data-document-id]")].map((e) => e.getAttribute("data-document-id")))
        .size,
    }));
    return { ...measureHtml(html), dom, rows };
  } finally {
    await context.close();
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export async function benchHtml(): Promise<void> {
  const demo = await startDemoServer();
  try {
    const accountant = await demo.signIn("accountant");
    const admin = await demo.signIn("admin");
    const overview = accountant.landing;
    const documentsPath = await findLink(demo, accountant.cookie, overview, new RegExp(BULK_DOSSIER_NAME));
    const documentPath = await findLink(demo, accountant.cookie, documentsPath, /\.pdf$/);
    const pages: { name: string; cookie: string; path: string }[] = [
      { name: "documents-inbox-50", cookie: accountant.cookie, path: documentsPath },
      { name: "overview", cookie: accountant.cookie, path: overview },
      { name: "failures", cookie: admin.cookie, path: `${admin.landing}/failures` },
      { name: "document", cookie: accountant.cookie, path: documentPath },
    ];
    for (const page of pages) {
      const weight = await weighPage(demo, page.cookie, page.path, page.name);
      console.log(
        `bench html-${page.name} html_kb=${kb(weight.htmlBytes)} dom=${weight.dom} gzip_kb=${kb(weight.gzipBytes)}` +
          ` class_kb=${kb(weight.classBytes)} svg_kb=${kb(weight.svgBytes)} rsc_kb=${kb(weight.flightBytes)} rows=${weight.rows}`,
      );
    }
  } finally {
    await demo.stop();
  }
}
