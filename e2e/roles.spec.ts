import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

const UUID = /[0-9a-f-]{36}/;

test.describe("each demo user sees only what they may", () => {
  test("admin lands on the portal overview with its 13 dossiers, in NL and FR", async ({ page }, testInfo) => {
    await signInAs(page, "admin");
    await switchLanguage(page, "nl");
    await expect(page).toHaveURL(/\/portals\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: "Dossiers", level: 1 })).toBeVisible();
    // 13 seeded (more once other specs of this run have created some).
    const countText = (await page.getByText(/^\d+ dossiers$/).textContent()) ?? "";
    expect(Number.parseInt(countText, 10)).toBeGreaterThanOrEqual(13);
    await expect(page.getByRole("link", { name: "Bakkerij Wouters BV", exact: true })).toBeVisible();
    await expect(page.getByText("Geen integratie nodig").first()).toBeVisible();
    await expect(page.getByRole("link", { name: /Nieuw dossier/ })).toBeVisible();
    // The other office's clients never show.
    await expect(page.getByText("Boulangerie Lambert SRL")).toHaveCount(0);
    await saveScreenshot(page, testInfo, "admin-portal-nl");

    await switchLanguage(page, "fr");
    await expect(page.getByText("Aucune intégration nécessaire").first()).toBeVisible();
    await saveScreenshot(page, testInfo, "admin-portal-fr");
    await switchLanguage(page, "nl");
  });

  test("accountant opens a dossier and its document tabs", async ({ page }, testInfo) => {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    await expect(page).toHaveURL(/\/portals\//);
    await page
      .getByRole("link", { name: /Garage Peeters BV/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/dossiers\/[0-9a-f-]{36}/);
    await expect(page.getByRole("heading", { name: "Garage Peeters BV", level: 1 })).toBeVisible();
    for (const tab of ["Inbox", "Verzonden", "Mislukt", "Geweigerd", "Archief"]) {
      await expect(page.getByRole("link", { name: new RegExp(tab) }).first()).toBeAttached();
    }
    await saveScreenshot(page, testInfo, "accountant-dossier-nl");
    await page
      .getByRole("link", { name: /Mislukt/ })
      .first()
      .click();
    await expect(page).toHaveURL(/tab=failed/);
    await expect(page.getByText("Mislukt").first()).toBeVisible();
    await saveScreenshot(page, testInfo, "accountant-dossier-failed-nl");
  });

  test("entrepreneur lands on her dossier and cannot reach the portal or other dossiers", async ({
    page,
  }, testInfo) => {
    // Learn the ids the entrepreneur must not reach, as the admin.
    await signInAs(page, "admin");
    const portalUrl = page.url();
    await page
      .getByRole("link", { name: /Garage Peeters BV/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/dossiers\//);
    const foreignDossierUrl = page.url();
    await page.context().clearCookies();

    await signInAs(page, "entrepreneur");
    await switchLanguage(page, "nl");
    await expect(page).toHaveURL(/\/dossiers\/[0-9a-f-]{36}/);
    await expect(page.getByRole("heading", { name: "Bakkerij Wouters BV", level: 1 })).toBeVisible();
    // The summary shows the flag; the settings section has the switch.
    await expect(page.getByRole("term").filter({ hasText: "Automatisch verzenden" })).toBeVisible();
    await expect(page.getByRole("switch", { name: "Automatisch verzenden" })).toBeVisible();
    await saveScreenshot(page, testInfo, "entrepreneur-dossier-nl");

    await switchLanguage(page, "fr");
    await expect(page.getByRole("term").filter({ hasText: "Envoi automatique" })).toBeVisible();
    await saveScreenshot(page, testInfo, "entrepreneur-dossier-fr");
    await switchLanguage(page, "nl");

    for (const url of [portalUrl, foreignDossierUrl]) {
      const response = await page.goto(url);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { level: 1, name: /vinden we niet/ })).toBeVisible();
    }
    await saveScreenshot(page, testInfo, "entrepreneur-404-nl");
  });

  test("another office's admin works in French and gets 404 for the demo office", async ({ page }, testInfo) => {
    await signInAs(page, "admin");
    const demoPortalUrl = page.url();
    expect(demoPortalUrl).toMatch(UUID);
    await page.context().clearCookies();

    await signInAs(page, "otherAdmin");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("link", { name: "Boulangerie Lambert SRL", exact: true })).toBeVisible();
    await expect(page.getByText("Bakkerij Wouters BV")).toHaveCount(0);
    await saveScreenshot(page, testInfo, "other-admin-portal-fr");

    const response = await page.goto(demoPortalUrl);
    expect(response?.status()).toBe(404);
    await saveScreenshot(page, testInfo, "other-admin-404-fr");
  });
});

test.describe("bad input", () => {
  test("malformed and unknown ids answer 404", async ({ page }) => {
    await signInAs(page, "admin");
    for (const url of [
      "/portals/not-a-uuid",
      "/portals/00000000-0000-4000-8000-000000000000",
      "/dossiers/../../etc/passwd",
      "/dossiers/00000000-0000-4000-8000-000000000000",
    ]) {
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(404);
    }
  });

  test("a malformed company number gets a field error in the user's language", async ({ page }, testInfo) => {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    await page.getByRole("link", { name: /Nieuw dossier/ }).click();
    const form = page.locator("form").filter({ has: page.locator("input[name=companyNumber]") });
    await form.locator("input[name=name]").fill("Schrijnwerkerij Test");
    await form.locator("input[name=companyNumber]").fill("0123.456.789");
    await form.locator("button[type=submit]").click();
    const fieldError = form.locator("[id$=companyNumber-error]");
    await expect(fieldError).toBeVisible();
    await expect(fieldError).toContainText(/ondernemingsnummer/i);
    await saveScreenshot(page, testInfo, "new-dossier-error-nl");

    await switchLanguage(page, "fr");
    // The form stays open (?new=1) across the language switch.
    const formFr = page.locator("form").filter({ has: page.locator("input[name=companyNumber]") });
    await formFr.locator("input[name=name]").fill("Menuiserie Test");
    await formFr.locator("input[name=companyNumber]").fill("BE 0999.999.999");
    await formFr.locator("button[type=submit]").click();
    await expect(formFr.locator("[id$=companyNumber-error]")).toContainText(/numéro d.entreprise/i);
    await saveScreenshot(page, testInfo, "new-dossier-error-fr");
    await switchLanguage(page, "nl");
  });

  test("a valid company number creates the dossier", async ({ page }, testInfo) => {
    await signInAs(page, "admin");
    await switchLanguage(page, "nl");
    // A different valid number per project, so desktop and phone runs do not collide.
    const base = testInfo.project.name === "desktop" ? 7_654_321 : 7_654_322;
    const companyNumber = `${String(base).padStart(8, "0")}${String(97 - (base % 97)).padStart(2, "0")}`;
    const name = `Testbedrijf ${testInfo.project.name}`;
    await page.getByRole("link", { name: /Nieuw dossier/ }).click();
    const form = page.locator("form").filter({ has: page.locator("input[name=companyNumber]") });
    await form.locator("input[name=name]").fill(name);
    await form.locator("input[name=companyNumber]").fill(companyNumber);
    await form.locator("button[type=submit]").click();
    await expect(page.getByText(name).first()).toBeVisible();
  });
});
