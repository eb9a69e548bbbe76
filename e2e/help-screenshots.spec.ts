import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "@playwright/test";
import sharp from "sharp";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { HELP_SCREENSHOTS, type HelpScreenshot } from "@/lib/help/screenshots";
import { SHARE_ACTION, SHARE_FILE_FIELD } from "@/lib/share/target";
import { expect, signInAs, switchLanguage, test } from "./fixtures";

// The help's screenshots (lib/help/screenshots.ts), taken from the demo portal in nl, fr and en
// into public/help/<lang>/<name>.png, which is committed: a fresh clone has them, and every e2e
// run takes them again, so they follow the screens. Pages are shot at 1280 × 800 (the top of the
// page) or clipped to the form they show; phone-* at 390 × 844. Saved as palette PNGs (sharp),
// a few tens of KB each. Runs once (the desktop project): it makes its own phone browser.

const LANGUAGES = ["nl", "fr", "en"] as const;
type Language = (typeof LANGUAGES)[number];
const OUT = path.join(process.cwd(), "public", "help");
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const taken = new Set<string>();

async function save(lang: Language, name: HelpScreenshot, png: Buffer): Promise<void> {
  mkdirSync(path.join(OUT, lang), { recursive: true });
  // A palette of 128 colours is plenty for a UI of flat colours and keeps each file small.
  const small = await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9, effort: 8 }).toBuffer();
  writeFileSync(path.join(OUT, lang, `${name}.png`), small);
  taken.add(`${lang}/${name}`);
}

/** The top of the page, as the reader sees it first (no scrolled-away header). */
async function shootPage(page: Page, lang: Language, name: HelpScreenshot): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await save(lang, name, await page.screenshot({ animations: "disabled", caret: "hide" }));
}

/**
 * Just one part of the page (a form, a panel), cut from the whole page at its place there: a
 * shot of the element itself would scroll it under the sticky header.
 */
async function shootPart(part: Locator, lang: Language, name: HelpScreenshot): Promise<void> {
  await part.page().evaluate(() => window.scrollTo(0, 0));
  const box = await part.boundingBox();
  if (!box) throw new Error(`${name}: nothing to shoot`);
  const page = part.page();
  await save(lang, name, await page.screenshot({ fullPage: true, clip: box, animations: "disabled", caret: "hide" }));
}

async function dossierUrlOf(page: Page, portalId: string, name: string): Promise<string> {
  await page.goto(`/portals/${portalId}?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name, exact: true }).first().click();
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}/);
  return new URL(page.url()).pathname;
}

async function entrepreneurPhone(browser: Browser, baseURL: string | undefined, lang: Language): Promise<void> {
  const context = await browser.newContext({ ...PHONE, baseURL, locale: "nl-BE" });
  const page = await context.newPage();
  try {
    await signInAs(page, "entrepreneur");
    await switchLanguage(page, lang);
    await page.goto("/");
    await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await shootPage(page, lang, "phone-dossier");

    // What the phone's share sheet posts to the share target: the pick page it lands on.
    await page.evaluate(
      ({ action, field }) => {
        const form = document.createElement("form");
        form.id = "help-share";
        form.action = action;
        form.method = "post";
        form.enctype = "multipart/form-data";
        const input = document.createElement("input");
        input.type = "file";
        input.name = field;
        form.append(input);
        document.body.append(form);
      },
      { action: SHARE_ACTION, field: SHARE_FILE_FIELD },
    );
    await page.locator("#help-share input[type=file]").setInputFiles({
      name: "kasticket.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from(buildSamplePdf({ title: "Kasticket" })),
    });
    await page.locator("#help-share").evaluate((form: HTMLFormElement) => form.submit());
    await page.waitForURL(/\/share\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await shootPage(page, lang, "phone-share");
    await switchLanguage(page, "nl");
  } finally {
    await context.close();
  }
}

test("the help's screenshots, in nl, fr and en (help)", async ({ page, browser, baseURL }) => {
  test.setTimeout(300_000);
  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  await page.goto("/");
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
  const portalId = new URL(page.url()).pathname.split("/")[2] ?? "";
  const ftpDossier = await dossierUrlOf(page, portalId, "Garage Peeters BV");
  const exactDossier = await dossierUrlOf(page, portalId, "Bakkerij Wouters BV");
  const mailDossier = await dossierUrlOf(page, portalId, "Fleuriste Dupont SRL");

  try {
    for (const lang of LANGUAGES) {
      await switchLanguage(page, lang);

      await page.goto(`/portals/${portalId}/integrations`);
      await expect(page.locator("li[data-connection-id]").first()).toBeVisible();
      await shootPage(page, lang, "integrations-page");

      for (const [name, pick] of [
        ["connection-form-ftp", /Expert\/M/],
        ["connection-form-api", /Yuki/],
      ] as const) {
        await page.goto(`/portals/${portalId}/integrations?add=1`);
        const panel = page
          .locator("section")
          .filter({ has: page.locator("h2") })
          .first();
        await panel.getByRole("button", { name: pick }).first().click();
        await expect(panel.locator("form")).toBeVisible();
        await shootPart(panel, lang, name);
      }

      await page.goto(`${ftpDossier}/integration`);
      await expect(page.locator('[data-marking="green"]')).toBeVisible();
      await shootPage(page, lang, "dossier-integration-tab");

      await page.goto(`${mailDossier}/integration`);
      await page
        .locator('[data-marking="yellow"]')
        .getByRole("link", { name: /Clearfacts/ })
        .first()
        .click();
      await expect(page.locator("#integration-form form")).toBeVisible();
      await shootPart(page.locator("#integration-form"), lang, "connection-form-email");

      await page.goto(exactDossier);
      const firstDocument = page.locator('a[href*="/documents/"]').locator("visible=true").first();
      await expect(firstDocument).toBeVisible();
      await shootPage(page, lang, "documents-inbox");
      await firstDocument.click();
      await page.waitForURL(/\/documents\/[0-9a-f-]{36}/);
      await expect(page.getByTestId("document-status")).toBeVisible();
      await shootPage(page, lang, "document-page");

      await page.goto(`/portals/${portalId}/failures`);
      await expect(page.locator('[data-testid^="failure-group-"]').first()).toBeVisible();
      await shootPage(page, lang, "failure-queue");

      await page.goto(`/portals/${portalId}/settings/members`);
      const inviteForm = page.locator("form").filter({ has: page.locator("input[name=role]") });
      await expect(inviteForm).toBeVisible();
      await shootPart(inviteForm, lang, "members-invite");

      await entrepreneurPhone(browser, baseURL, lang);
    }
  } finally {
    await switchLanguage(page, "nl");
  }

  expect([...taken].sort()).toEqual(
    LANGUAGES.flatMap((lang) => HELP_SCREENSHOTS.map((name) => `${lang}/${name}`)).sort(),
  );
});
