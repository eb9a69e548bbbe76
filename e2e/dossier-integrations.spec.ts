import type { Page } from "@playwright/test";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// The desktop and phone projects run this file one after the other against the same database, so
// every step works whether the dossier still has its seeded integration or the one an earlier run
// chose (choosing the current option again simply saves it again).

/** From the portal overview (search by name) to the dossier's "Integraties" tab. */
async function openIntegrationTab(page: Page, dossierName: string) {
  await page.goto("/");
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
  await page.getByRole("searchbox").fill(dossierName);
  await page.getByRole("button", { name: "Zoeken" }).click();
  await page.getByRole("link", { name: dossierName }).first().click();
  await expect(page.getByRole("heading", { name: dossierName, level: 1 })).toBeVisible();
  await page
    .getByRole("navigation", { name: "Onderdelen van het dossier" })
    .getByRole("link", { name: "Integraties" })
    .click();
  await expect(page).toHaveURL(/\/dossiers\/[0-9a-f-]{36}\/integration/);
}

/** Opens an option's form: a tile in the group of its marking. */
async function pickOption(page: Page, marking: "green" | "yellow" | "orange" | "blue" | "red", name: RegExp) {
  await page.locator(`[data-marking="${marking}"]`).getByRole("link", { name }).click();
  await expect(page).toHaveURL(/[?&]option=/);
  await expect(page.locator("#integration-form")).toBeVisible();
}

/** Full-page screenshots from the top, so the sticky header does not land mid-page. */
async function screenshot(page: Page, testInfo: Parameters<typeof saveScreenshot>[1], name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, name);
}

function currentCard(page: Page) {
  return page.getByRole("region", { name: /Huidige integratie|Intégration actuelle|Current integration/ });
}

test.describe("an accountant sets up the dossier step", () => {
  test.beforeEach(async ({ page }) => {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
  });

  test("yellow: Clearfacts standard addresses, previewed from the dossier, then a test document", async ({
    page,
  }, testInfo) => {
    await openIntegrationTab(page, "Immo Vermeulen NV");
    await pickOption(page, "yellow", /Clearfacts/);
    const office = page.getByLabel(/Naam van je kantoor in Clearfacts/);
    await office.fill("de vos");
    await page.getByRole("button", { name: "Opslaan" }).click();
    // Refused inline, in Dutch, with what was typed still there.
    await expect(page.locator("#integration-form").getByText(/vorm die het pakket gebruikt/)).toBeVisible();
    await expect(office).toHaveValue("de vos");

    await office.fill("devos");
    await expect(page.locator("[data-preview=purchase]")).toHaveText(/^aankoop\d{10}@devos\.clearfacts\.be$/);
    await page.getByRole("button", { name: "Opslaan" }).click();
    await expect(page.getByText("Opgeslagen. Dit is nu de integratie van het dossier.")).toBeVisible();
    await expect(currentCard(page)).toContainText("E-mail, standaardadressen");
    await expect(currentCard(page)).toContainText("Correct ingesteld");
    await expect(currentCard(page)).toContainText(/verkoop\d{10}@devos\.clearfacts\.be/);

    await page.getByRole("button", { name: "Testdocument versturen" }).click();
    await expect(
      page.getByText(/Het testdocument is verzonden naar aankoop\d{10}@devos\.clearfacts\.be\./),
    ).toBeVisible({
      timeout: 20_000,
    });
    await screenshot(page, testInfo, "accountant-integration-nl");

    await switchLanguage(page, "fr");
    await expect(currentCard(page)).toContainText("Correctement configurée");
    await screenshot(page, testInfo, "accountant-integration-fr");
    await switchLanguage(page, "nl");
  });

  test("orange: Winbooks with own addresses, a bad address refused first", async ({ page }) => {
    await openIntegrationTab(page, "Boekhandel Jacobs");
    await pickOption(page, "orange", /Winbooks/);
    const purchase = page.getByLabel(/^Aankoop/);
    const sales = page.getByLabel(/^Verkoop/);
    await purchase.fill("aankoop bij jacobs");
    await sales.fill("");
    await page.getByRole("button", { name: "Opslaan" }).click();
    const form = page.locator("#integration-form");
    await expect(form.getByText(/Dit is geen geldig e-mailadres\./)).toBeVisible();
    await expect(form.getByText(/vul het adres in/)).toBeVisible();
    await expect(purchase).toHaveValue("aankoop bij jacobs");

    await purchase.fill("aankoop.jacobs@winbooks.example");
    await sales.fill("verkoop.jacobs@winbooks.example");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await expect(page.getByText(/^Opgeslagen\./)).toBeVisible();
    await expect(currentCard(page)).toContainText("E-mail, eigen adressen");
    await expect(currentCard(page)).toContainText("Correct ingesteld");
    await expect(currentCard(page)).toContainText("aankoop.jacobs@winbooks.example");
  });

  test("blue: free mail to the office's own package", async ({ page }) => {
    await openIntegrationTab(page, "Huisarts Goossens");
    await pickOption(page, "blue", /Vrije mail/);
    await page.getByLabel(/Naam van het pakket/).fill("Boekhouding Goossens");
    await page.getByLabel(/^Aankoop/).fill("facturen@goossens-boekhouding.example");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await expect(page.getByText(/^Opgeslagen\./)).toBeVisible();
    await expect(currentCard(page)).toContainText("Vrije mail");
    await expect(currentCard(page)).toContainText("Boekhouding Goossens");
    await expect(currentCard(page)).toContainText("Correct ingesteld");
  });

  test("red: no integration needed, confirmed", async ({ page }) => {
    await openIntegrationTab(page, "Vzw De Speelberg");
    await pickOption(page, "red", /Geen integratie nodig/);
    await page.getByRole("button", { name: "Bevestigen: geen integratie nodig" }).click();
    await expect(page.getByText(/^Opgeslagen\./)).toBeVisible();
    await expect(currentCard(page)).toContainText("Geen integratie nodig");
    await expect(currentCard(page)).toContainText("Correct ingesteld");
    // Nothing to test for "none".
    await expect(page.getByRole("button", { name: "Testdocument versturen" })).toHaveCount(0);

    // Its documents have no sending controls; one line says why (not each row again).
    await page
      .getByRole("navigation", { name: "Onderdelen van het dossier" })
      .getByRole("link", { name: "Documenten" })
      .click();
    await expect(page).toHaveURL(/\/dossiers\/[0-9a-f-]{36}(\?.*)?$/);
    await expect(page.getByTestId("sending-off")).toHaveText(
      "Dit dossier heeft geen integratie nodig: documenten worden niet naar een boekhoudpakket verzonden.",
    );
    await expect(page.getByTestId("sending-off")).toHaveCount(1);
    await expect(page.getByRole("button", { name: "Selectie verzenden" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Verzenden: / })).toHaveCount(0);
    await expect(page.getByRole("checkbox", { name: / selecteren$/ })).toHaveCount(0);
    await expect(page.getByText("Niet automatisch verzonden: voor dit dossier is geen integratie nodig.")).toHaveCount(
      0,
    );
  });

  test("the portal overview shows the choices and their health", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("searchbox").fill("Immo Vermeulen");
    await page.getByRole("button", { name: "Zoeken" }).click();
    const row = page.getByRole("row", { name: /Immo Vermeulen NV/ });
    await expect(row).toContainText("E-mail, standaardadressen");
    await expect(row).toContainText("In orde");
  });
});

test("an entrepreneur sees her dossier's integration and its status, read-only", async ({ page }, testInfo) => {
  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  await expect(page.getByRole("heading", { name: "Bakkerij Wouters BV", level: 1 })).toBeVisible();
  await page
    .getByRole("navigation", { name: "Onderdelen van het dossier" })
    .getByRole("link", { name: "Integraties" })
    .click();
  await expect(page).toHaveURL(/\/integration$/);
  const card = currentCard(page);
  await expect(card).toContainText("API-koppeling");
  await expect(card).toContainText("Exact Online");
  // The seeded Exact Online connection has no connector yet: the status says so.
  await expect(card).toContainText(/Correct ingesteld|Aandacht nodig/);
  await expect(card).toContainText("Je boekhoudkantoor beheert deze instelling.");
  // No options, no forms, no buttons.
  await expect(page.getByRole("heading", { name: "Integratie kiezen" })).toHaveCount(0);
  await expect(page.locator("[data-marking]")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Testdocument|Opslaan/ })).toHaveCount(0);
  await screenshot(page, testInfo, "entrepreneur-integration-nl");

  // Asking for a form by URL shows nothing more either.
  await page.goto(`${page.url()}?option=none`);
  await expect(page.locator("#integration-form")).toHaveCount(0);

  await switchLanguage(page, "fr");
  await expect(currentCard(page)).toContainText("Votre cabinet gère ce paramètre.");
  await screenshot(page, testInfo, "entrepreneur-integration-fr");
  await switchLanguage(page, "nl");
});
