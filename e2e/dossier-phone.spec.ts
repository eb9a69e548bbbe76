import path from "node:path";
import type { Locator, Page, TestInfo } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, openDossierByName, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// The dossier's document list as a thumb meets it (run by both projects; the phone one is the
// point: 390 × 844): the five status tabs all on screen without a sideways scroll in every
// language, "Send selected" on screen while something is selected however far down it is, and
// touch targets of at least 44 × 44 px for the tick boxes, the auto-send switch and the language
// buttons. On the entrepreneur's page and on the accountant's.

const MIN_TARGET = 44;

/** What the screen shows (not the full page): where the sticky bar sits is the point. */
async function saveViewportScreenshot(page: Page, testInfo: TestInfo, name: string) {
  await page.screenshot({
    path: path.join(process.cwd(), "e2e", "screenshots", `${testInfo.project.name}-${name}.png`),
  });
}
const ENTREPRENEUR_DOSSIER = "Bakkerij Wouters BV";
/** The bulk dossier: 60 recognised inbox documents (what the bulk send of sending.spec.ts leaves). */
const ACCOUNTANT_DOSSIER = "Drukkerij Van Damme BV";

/** All five tabs inside the window, and the tab bar does not scroll sideways (nor does the page). */
async function expectTabsFit(page: Page) {
  const tabs = page.locator("nav#document-tabs");
  await expect(tabs.getByRole("link")).toHaveCount(5);
  // Scrolled to vertically (never sideways: the page has nothing to scroll sideways, as checked below).
  await tabs.scrollIntoViewIfNeeded();
  const fit = await tabs.evaluate((nav) => ({
    scrollWidth: nav.scrollWidth,
    clientWidth: nav.clientWidth,
    pageScrollWidth: document.documentElement.scrollWidth,
    windowWidth: window.innerWidth,
    links: [...nav.querySelectorAll("a")].map((link) => {
      const box = link.getBoundingClientRect();
      // A label wider than its tab would spill over its neighbour.
      const label = link.firstElementChild as HTMLElement;
      return { left: box.left, right: box.right, labelOverflows: label.scrollWidth > label.clientWidth + 1 };
    }),
  }));
  expect(fit.scrollWidth).toBeLessThanOrEqual(fit.clientWidth);
  expect(fit.pageScrollWidth).toBeLessThanOrEqual(fit.windowWidth);
  for (const link of fit.links) {
    expect(link.left).toBeGreaterThanOrEqual(0);
    expect(link.right).toBeLessThanOrEqual(fit.windowWidth);
    expect(link.labelOverflows).toBe(false);
  }
  for (const link of await tabs.getByRole("link").all()) await expect(link).toBeInViewport();
}

async function expectTouchTarget(target: Locator) {
  const box = await target.boundingBox();
  expect(box, "the touch target is laid out").not.toBeNull();
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(MIN_TARGET);
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(MIN_TARGET);
}

/** The visible tick boxes' touch targets (the label around each 20 px box), and that their corner ticks it. */
async function expectCheckboxTargets(page: Page) {
  const targets = page.locator("label[data-touch-target]").filter({ visible: true });
  const count = await targets.count();
  expect(count).toBeGreaterThan(1);
  for (let index = 0; index < count; index++) await expectTouchTarget(targets.nth(index));
  // The whole target works, not only the box: a tap near the label's corner ticks the first row.
  const firstRow = targets.nth(1);
  const box = page.getByRole("checkbox").filter({ visible: true }).nth(1);
  await expect(box).not.toBeChecked();
  await firstRow.click({ position: { x: 3, y: 3 } });
  await expect(box).toBeChecked();
  await firstRow.click({ position: { x: 3, y: 3 } });
  await expect(box).not.toBeChecked();
}

/** The language buttons: in the bar on wide screens, in the account menu on phones. */
async function expectLanguageTargets(page: Page) {
  const buttons = page.getByRole("button", { name: /^(nl|fr|en)$/ }).filter({ visible: true });
  if ((await buttons.count()) === 0) await page.locator("summary[aria-label]").last().click();
  await expect(buttons).toHaveCount(3);
  for (const button of await buttons.all()) await expectTouchTarget(button);
  await page.keyboard.press("Escape");
}

/** Ticks the lowest document of the list and checks "Send selected" stays on screen, also scrolled back up. */
async function expectSendBarFollows(page: Page, testInfo: TestInfo, name: string) {
  const boxes = page.getByRole("checkbox", { name: / selecteren$/ }).filter({ visible: true });
  expect(await boxes.count()).toBeGreaterThanOrEqual(5);
  const lowest = boxes.last();
  await lowest.scrollIntoViewIfNeeded();
  await lowest.check();
  const bar = page.getByTestId("selection-send-bar");
  const send = bar.getByRole("button", { name: "Selectie verzenden" });
  await expect(bar).toContainText("1 geselecteerd");
  await expect(send).toBeInViewport({ ratio: 1 });
  await expect(send).toBeEnabled();
  await expectTouchTarget(send);
  await saveViewportScreenshot(page, testInfo, `${name}-selected-low`);
  // Back at the top of the page, with the selection far below: still on screen.
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(send).toBeInViewport({ ratio: 1 });
  await saveViewportScreenshot(page, testInfo, `${name}-selected-top`);
  // One "Send selected" on the page, the count said once.
  await expect(page.getByRole("button", { name: "Selectie verzenden" })).toHaveCount(1);
  await expect(page.getByText("1 geselecteerd")).toHaveCount(1);
  await lowest.uncheck();
  await expect(bar).toHaveCount(0);
}

test("the entrepreneur's dossier on a phone: five tabs on screen in nl, fr and en, the send bar stays in sight, thumb-size targets", async ({
  page,
}, testInfo) => {
  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  await openOwnDossier(page);

  // A list longer than the screen: a few scans of her own (they wait in the inbox for a type).
  const stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const files = Array.from({ length: 6 }, (_, index) => ({
    name: `telefoon-scan-${stamp}-${index + 1}.pdf`,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: `Scan ${stamp} ${index + 1}` })),
  }));
  await page.getByLabel("Bestanden kiezen").setInputFiles(files);
  const results = page.getByTestId("upload-results");
  for (const file of files) {
    await expect(results.getByRole("listitem").filter({ hasText: file.name })).toContainText("Toegevoegd");
  }
  await page.reload();

  await expectTabsFit(page);
  await expectCheckboxTargets(page);
  await expectTouchTarget(page.getByRole("switch", { name: "Automatisch verzenden" }));
  await expectLanguageTargets(page);
  await expectSendBarFollows(page, testInfo, "entrepreneur-dossier");
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveViewportScreenshot(page, testInfo, "entrepreneur-dossier-tabs-nl");
  await saveScreenshot(page, testInfo, "entrepreneur-dossier-list-nl");

  // The longest labels decide: French ("Boîte de réception") and English too.
  for (const locale of ["fr", "en"] as const) {
    await switchLanguage(page, locale);
    await expectTabsFit(page);
    await saveViewportScreenshot(page, testInfo, `entrepreneur-dossier-tabs-${locale}`);
  }
  // Every tab can be reached by a tap, the last one too.
  await page.locator("nav#document-tabs").getByRole("link").last().click();
  await expect(page).toHaveURL(/tab=archived/);
  await expectTabsFit(page);
  await switchLanguage(page, "nl");
});

test("the accountant's dossier on a phone: the same tabs, send bar and targets", async ({ page }, testInfo) => {
  await signInAs(page, "accountant");
  await switchLanguage(page, "nl");
  await openDossierByName(page, ACCOUNTANT_DOSSIER);
  await expectTabsFit(page);
  await expectCheckboxTargets(page);
  await expectTouchTarget(page.getByRole("switch", { name: "Automatisch verzenden" }));
  await expectLanguageTargets(page);
  await expectSendBarFollows(page, testInfo, "accountant-dossier");

  await switchLanguage(page, "fr");
  await expectTabsFit(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveViewportScreenshot(page, testInfo, "accountant-dossier-tabs-fr");
  await switchLanguage(page, "nl");
});

/** The entrepreneur lands on her first dossier. */
async function openOwnDossier(page: Page) {
  await page.goto("/");
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}/);
  await expect(page.getByRole("heading", { name: ENTREPRENEUR_DOSSIER, level: 1 })).toBeVisible();
}
