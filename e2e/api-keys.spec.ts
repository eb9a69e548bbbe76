import type { Page } from "@playwright/test";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

const KEY = /kop_[0-9A-Za-z]{43}/;

/** Every control in the page's main area is at least 44px high: fingers, not mouse pointers. */
async function expectTouchTargets(page: Page) {
  const small = await page.locator("main").evaluate((main) =>
    [
      ...main.querySelectorAll<HTMLElement>(
        "form button, form input:not([type=hidden]), form label:has(input), li button",
      ),
    ]
      .filter((element) => element.offsetParent !== null)
      .filter((element) => {
        // A checkbox or radio counts through the label around it.
        if (element instanceof HTMLInputElement && (element.type === "checkbox" || element.type === "radio"))
          return false;
        return element.getBoundingClientRect().height < 44;
      })
      .map((element) => element.outerHTML.slice(0, 80)),
  );
  expect(small).toEqual([]);
}

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test.describe("API keys", () => {
  test("an admin makes a key, sees it once, copies it and revokes it", async ({ page, context }, testInfo) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInAs(page, "admin");
    await switchLanguage(page, "nl");
    const portalPath = new URL(page.url()).pathname.match(/^\/portals\/[0-9a-f-]{36}/)?.[0];
    expect(portalPath).toBeTruthy();

    await page.goto(`${portalPath}/integrations`);
    await page.getByRole("link", { name: "API-sleutels beheren" }).click();
    await expect(page.getByRole("heading", { name: "API-sleutels", level: 1 })).toBeVisible();

    const name = `Scandienst ${testInfo.project.name} ${Date.now()}`;
    await page.getByLabel("Naam").fill(name);
    await page.getByRole("radio", { name: /Beheerder/ }).check();
    await page.getByRole("checkbox", { name: /documents:read/ }).check();
    await page.getByRole("checkbox", { name: /webhooks:manage/ }).check();
    // An accountant key cannot manage webhooks: the scope switches off with the role.
    await page.getByRole("radio", { name: /Boekhouder/ }).check();
    await expect(page.getByRole("checkbox", { name: /webhooks:manage/ })).toBeDisabled();
    await expect(page.getByRole("checkbox", { name: /webhooks:manage/ })).not.toBeChecked();
    await page.getByRole("radio", { name: /Beheerder/ }).check();
    await page.getByRole("checkbox", { name: /webhooks:manage/ }).check();
    await page.getByRole("button", { name: "Sleutel aanmaken" }).click();

    const panel = page.getByTestId("new-api-key");
    await expect(panel).toBeVisible();
    await expect(panel).toContainText("wordt niet meer getoond");
    const key = ((await panel.locator("code").textContent()) ?? "").match(KEY)?.[0] ?? "";
    expect(key).toMatch(KEY);
    await panel.getByRole("button", { name: /Kopiëren/ }).click();
    await expect(panel.getByRole("button", { name: /Gekopieerd/ })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    if (testInfo.project.name === "phone") {
      await expectTouchTargets(page);
      await expectNoSidewaysScroll(page);
    }
    await saveScreenshot(page, testInfo, "api-keys-created-nl");

    // Once: after a reload the page knows the key only by its prefix.
    await page.reload();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0);
    expect(await page.content()).not.toContain(key);
    const card = page.locator("li[data-api-key-id]").filter({ hasText: name });
    await expect(card).toContainText(`${key.slice(0, 12)}…`);
    await expect(card).toContainText("Actief");
    await expect(card).toContainText("nooit");
    await expect(card).toContainText("An Peeters");
    await expect(card).toContainText("webhooks:manage");

    await card.getByRole("button", { name: /Intrekken/ }).click();
    const question = card.getByRole("alertdialog");
    await expect(question).toContainText(name);
    await question.getByRole("button", { name: "Annuleren" }).click();
    await expect(card.getByRole("alertdialog")).toHaveCount(0);
    await card.getByRole("button", { name: /Intrekken/ }).click();
    await card.getByRole("button", { name: "Ja, intrekken" }).click();
    await expect(card.getByRole("status")).toContainText("is ingetrokken");
    await expect(card).toContainText("Ingetrokken");
    await expect(card.getByRole("button", { name: /Intrekken/ })).toHaveCount(0);
    if (testInfo.project.name === "phone") await expectNoSidewaysScroll(page);
    await saveScreenshot(page, testInfo, "api-keys-list-nl");

    await switchLanguage(page, "fr");
    await expect(page.getByRole("heading", { name: "Clés API", level: 1 })).toBeVisible();
    await expect(card).toContainText("Révoquée");
    await saveScreenshot(page, testInfo, "api-keys-list-fr");
    await switchLanguage(page, "nl");
  });

  test("an accountant has no link to the page, and the page is not found for them", async ({ page }) => {
    await signInAs(page, "admin");
    const portalPath = new URL(page.url()).pathname.match(/^\/portals\/[0-9a-f-]{36}/)?.[0];
    await page.context().clearCookies();

    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    await page.goto(`${portalPath}/integrations`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("link", { name: "API-sleutels beheren" })).toHaveCount(0);
    const response = await page.goto(`${portalPath}/settings/api-keys`);
    expect(response?.status()).toBe(404);
  });
});
