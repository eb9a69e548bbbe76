import type { Page } from "@playwright/test";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// The help from where people need it (issue 18), on a phone (this file runs in the phone project
// only, 390 × 844): a "?" next to an FTP connection, a failure group and a refusal reason opens
// the right article at the right section, in the reader's language. And the help is public, and
// its search finds an article.

const COPY = {
  nl: { readHow: "Lees hoe het werkt", search: "Zoek in de hulp" },
  fr: { readHow: "Lire comment faire", search: "Rechercher dans l’aide" },
} as const;

/** Follows a "?" link and checks the article and section it lands on. */
async function followHelpLink(page: Page, link: ReturnType<Page["getByRole"]>, url: RegExp, sectionId?: string) {
  await expect(link).toBeVisible();
  await link.click();
  await page.waitForURL(url);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (sectionId) {
    const section = page.locator(`h2#${sectionId}, h3#${sectionId}`);
    await expect(section).toBeVisible();
    await expect(section).toBeInViewport();
  }
}

for (const lang of ["nl", "fr"] as const) {
  test(`the help opens from an FTP connection, a failure group and a refusal, at the right section, in ${lang} (help)`, async ({
    page,
  }, testInfo) => {
    const copy = COPY[lang];
    await signInAs(page, "admin");
    try {
      await switchLanguage(page, lang);
      await page.goto("/");
      await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
      const portalPath = new URL(page.url()).pathname;

      // 1. The demo's FTP connection (Expert/M) on the office's Integrations page.
      await page.goto(`${portalPath}/integrations`);
      await followHelpLink(
        page,
        page
          .locator("li[data-connection-id]")
          .filter({ hasText: "Expert/M" })
          .getByRole("link", { name: copy.readHow, exact: true })
          .first(),
        /\/help\/expert-m$/,
      );
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      await saveScreenshot(page, testInfo, `help-from-ftp-card-${lang}`);

      // 2. A group of the failure queue: the seeded refusals of a package.
      await page.goto(`${portalPath}/failures`);
      const group = page.getByTestId("failure-group-package_refusal");
      await followHelpLink(
        page,
        group.getByRole("link", { name: copy.readHow, exact: true }),
        /\/help\/failure-queue#group-package_refusal$/,
        "group-package_refusal",
      );
      await saveScreenshot(page, testInfo, `help-from-failure-group-${lang}`);

      // 3. A refusal reason: the bulk dossier has auto-send off, so each recognised document in
      //    its Inbox says on its page why it was not sent, with its "?".
      await page.goto(`${portalPath}?q=${encodeURIComponent("Drukkerij Van Damme BV")}`);
      await page.getByRole("link", { name: "Drukkerij Van Damme BV", exact: true }).first().click();
      await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}$/);
      await page.locator('a[href*="/documents/"]').locator("visible=true").first().click();
      await page.waitForURL(/\/documents\/[0-9a-f-]{36}/);
      const refusalLink = page.locator('a[href="/help/sending#refusal-auto_send_off"]').locator("visible=true");
      await followHelpLink(
        page,
        refusalLink.first(),
        /\/help\/sending#refusal-auto_send_off$/,
        "refusal-auto_send_off",
      );
      await saveScreenshot(page, testInfo, `help-from-refusal-${lang}`);
    } finally {
      await switchLanguage(page, "nl");
    }
  });
}

test("the help is public, follows the visitor's language and its search finds an article (help)", async ({
  browser,
  baseURL,
}, testInfo) => {
  const context = await browser.newContext({
    baseURL,
    locale: "fr-BE",
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  try {
    // French from the browser's Accept-Language, without signing in.
    const response = await page.goto("/help");
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(/\/help$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("link", { name: "Expert/M" }).first()).toBeVisible();

    // The search, typed on a phone: the index loads on focus, results show as the visitor types.
    const search = page.getByRole("searchbox", { name: COPY.fr.search });
    await search.tap();
    await search.fill("FTP");
    const results = page.getByTestId("help-search-results");
    await expect(results.getByRole("link").first()).toBeVisible();
    await saveScreenshot(page, testInfo, "help-search-fr");
    await results.getByRole("link", { name: /FTP/ }).first().click();
    await page.waitForURL(/\/help\/[a-z0-9-]+$/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

    // The anonymous language switch (a cookie) turns the help Dutch.
    await page.getByRole("button", { name: "nl", exact: true }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "nl");
    await expect(page.getByRole("searchbox", { name: COPY.nl.search })).toBeVisible();

    // A developer page, English whatever the language.
    await page.goto("/help/developers/ftp");
    await expect(page.locator("article")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

    // An unknown article is the 404 page.
    expect((await page.goto("/help/no-such-article"))?.status()).toBe(404);
  } finally {
    await context.close();
  }
});
