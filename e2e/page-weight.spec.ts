import type { Page } from "@playwright/test";
import { expect, openDossierByName, saveTopScreenshot, signInAs, test } from "./fixtures";

// Lighter pages: the dossier's documents list with a full page of 50 rows stays within its budget
// of HTML and DOM elements (sizes, not timings: they do not move between runs), the site has a
// favicon, and the public pages may come back from the back/forward cache while private ones stay
// out. `npm run bench -- html` and `npm run bench -- lighthouse` give the figures.

const HTML_BUDGET_BYTES = 150 * 1024;
const DOM_BUDGET = 1_500;
const PAGE_SIZE = 50;
/** The demo's bulk dossier (db/seed.ts BULK_DEMO_DOSSIER): 60 recognised documents in its Inbox. */
const BULK_DEMO_DOSSIER = "Drukkerij Van Damme BV";

test("the Inbox with a full page of 50 documents stays within 150 KB of HTML and 1,500 elements", async ({
  page,
}, testInfo) => {
  await signInAs(page, "accountant");
  const { url } = await openDossierByName(page, BULK_DEMO_DOSSIER);
  // The document as a browser receives it on a full load, with the session of the page.
  const response = await page.request.get(url);
  expect(response.status()).toBe(200);
  const html = await response.text();
  const rows = new Set([...html.matchAll(/data-document-id="([0-9a-f-]{36})"/g)].map((match) => match[1]));
  expect(rows.size).toBe(PAGE_SIZE);
  expect(Buffer.byteLength(html), "bytes of HTML").toBeLessThanOrEqual(HTML_BUDGET_BYTES);
  // Each row's icon comes from the sprite, not drawn inline in every row.
  expect(html).not.toContain("<path");

  await page.goto(url);
  await expect(page.locator("[data-document-id]")).toHaveCount(PAGE_SIZE);
  const elements = await page.evaluate(() => document.getElementsByTagName("*").length);
  expect(elements, "elements in the page").toBeLessThanOrEqual(DOM_BUDGET);
  // One row per document, in both layouts: a table row on a desktop, a card on a phone.
  const visibleRows = page.locator("[data-document-id]").filter({ visible: true });
  await expect(visibleRows).toHaveCount(PAGE_SIZE);
  await expect(visibleRows.first().getByRole("button", { name: /^Verzenden: / })).toBeVisible();
  await saveTopScreenshot(page, testInfo, "inbox-50");
});

test("the favicon is there, at /favicon.ico and linked from the pages", async ({ page, request }) => {
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toContain("image/");
  await page.goto("/sign-in");
  await expect(page.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
});

/**
 * Marks the window, leaves the page with a full load of `path` (a new document, not a client-side
 * navigation, which would keep the window anyway), comes Back: whether the marked window came back.
 */
async function isRestoredOnBack(page: Page, path: string): Promise<boolean> {
  const leftFrom = page.url();
  await page.evaluate(() => {
    (window as unknown as { koppelMark?: number }).koppelMark = 1;
  });
  await page.evaluate((to) => {
    window.location.href = to;
  }, path);
  await page.waitForURL((url) => url.pathname === path);
  await page.waitForLoadState("load");
  await page.goBack();
  await page.waitForURL(leftFrom);
  await page.waitForLoadState("load");
  return page.evaluate(() => (window as unknown as { koppelMark?: number }).koppelMark === 1);
}

test("the public sign-in page comes back from the back/forward cache; a private page does not", async ({ page }) => {
  const signIn = await page.request.get("/sign-in");
  expect(signIn.headers()["cache-control"]).not.toContain("no-store");
  await page.goto("/sign-in");
  expect(await isRestoredOnBack(page, "/sign-up")).toBe(true);

  await signInAs(page, "entrepreneur");
  const dossierPath = new URL(page.url()).pathname;
  const dossier = await page.request.get(dossierPath);
  expect(dossier.headers()["cache-control"]).toContain("no-store");
  const documentPath = await page.locator("[data-document-id] a").first().getAttribute("href");
  expect(documentPath).toBeTruthy();
  expect(await isRestoredOnBack(page, documentPath ?? "")).toBe(false);
  // Back on the dossier, freshly loaded: its documents are there.
  await expect(page.locator("[data-document-id]").first()).toBeVisible();
});
