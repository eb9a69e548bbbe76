import { expect, openDossierByName, saveTopScreenshot, signInAs, test } from "./fixtures";

// Lighter pages: the dossier's documents list with a full page of 50 rows stays within its budget
// of HTML and DOM elements (sizes, not timings: they do not move between runs), and the site has a
// favicon. `npm run bench -- html` and `npm run bench -- lighthouse` give the figures; the
// back/forward cache is e2e/back-forward-cache.spec.ts.

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
  // The rows' icons are CSS (the bin) or the sprite, not an SVG drawn inline in every row.
  const tbody = html.slice(html.indexOf("<tbody"), html.indexOf("</tbody>"));
  expect(tbody).toContain("data-document-id");
  expect(tbody).not.toContain("<svg");

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
