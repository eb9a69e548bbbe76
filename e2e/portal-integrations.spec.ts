import type { Page } from "@playwright/test";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// The portal step of integration setup ("Integraties"): seeded connections with their health,
// admins get the add-connection picker (API packages are "coming soon" until their connectors
// land; FTP packages can be added) and the buttons; accountants see the same list read-only.
// Nothing here changes data, so the desktop and phone runs see the same seed.

const MANAGE_BUTTONS = /^(Verbinding testen|Wijzigen|Uitschakelen|Inschakelen)$/;

function card(page: Page, label: string) {
  return page
    .locator("li[data-connection-id]")
    .filter({ has: page.getByRole("heading", { name: label, exact: true }) });
}

async function openIntegrations(page: Page): Promise<string> {
  await expect(page).toHaveURL(/\/portals\/[0-9a-f-]{36}$/);
  await page.getByRole("link", { name: "Integraties", exact: true }).click();
  await expect(page).toHaveURL(/\/portals\/[0-9a-f-]{36}\/integrations$/);
  await expect(page.getByRole("heading", { name: "Integraties", level: 1 })).toBeVisible();
  return page.url();
}

/** The page as the server sent it: no secret, no encrypted column, whoever asks. */
async function expectNoSecretsInHtml(page: Page, url: string) {
  const response = await page.request.get(url);
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).not.toContain("secretsEncrypted");
  // A secret field with a string value, in plain JSON or in the escaped RSC payload.
  expect(html).not.toMatch(/\\?"(password|apiKey|clientSecret|refreshToken|accessToken)\\?"\s*:\s*\\?"[^"\\]/);
  // Ciphertext looks like "v1.<iv>.<tag>.<data>" (lib/crypto/secrets.ts).
  expect(html).not.toMatch(/\bv\d+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+/);
}

test.describe("portal integrations page", () => {
  test("an admin sees the connections' health and the add-connection picker, in NL and FR", async ({
    page,
  }, testInfo) => {
    await signInAs(page, "admin");
    await switchLanguage(page, "nl");
    const url = await openIntegrations(page);
    await expect(page.getByRole("link", { name: "Integraties", exact: true })).toHaveAttribute("aria-current", "page");

    // The seeded Exact Online connection waits for an admin to connect it (OAuth).
    await expect(card(page, "Exact Online België")).toContainText("Nog niet verbonden");
    await expect(
      card(page, "Exact Online België").getByRole("button", { name: "Verbinden met Exact Online" }),
    ).toBeVisible();
    await expect(card(page, "Exact Online België")).toContainText("Exact Online · API");
    // The seeded FTP connection points at the demo FTP server of `npm run dev`, which the e2e run
    // does not start: not checked yet, or an error once the 15-minute health check reached it.
    await expect(card(page, "Expert/M (demo-FTP op deze computer)")).toContainText(/Nog niet gecontroleerd|Fout/);
    await expect(card(page, "Expert/M (demo-FTP op deze computer)")).toContainText("Expert/M · FTP");
    const yuki = card(page, "Yuki");
    await expect(yuki).toContainText("Opnieuw aanmelden nodig");
    // The last error in plain words, never a code.
    await expect(yuki).toContainText(/aanmeldgegevens/i);
    await expect(yuki).not.toContainText("auth_failed");
    await expect(card(page, "Exact Online België")).toContainText(/\d+ dossiers?/);
    // Admins manage: each connection has its buttons.
    await expect(card(page, "Yuki").getByRole("button", { name: "Verbinding testen" })).toBeVisible();
    await expect(card(page, "Yuki").getByRole("button", { name: "Uitschakelen" })).toBeVisible();
    await expectNoSecretsInHtml(page, url);
    await saveScreenshot(page, testInfo, "admin-integrations-nl");

    await page
      .getByRole("link", { name: /Koppeling toevoegen/ })
      .first()
      .click();
    await expect(page).toHaveURL(/add=1/);
    const picker = page.getByRole("region", { name: "Koppeling toevoegen" });
    await expect(picker.getByText("Via API")).toBeVisible();
    await expect(picker.getByText("Via FTP")).toBeVisible();
    // Every API package has its connector: none is "coming soon".
    for (const name of ["Exact Online", "Yuki", "Wolters Kluwer", "Syneton DMS"]) {
      const option = picker.getByRole("button", { name: new RegExp(`^${name}`) });
      await expect(option).toBeEnabled();
      await expect(option).not.toContainText("Binnenkort");
    }
    // The FTP connector serves every FTP package.
    for (const name of ["Expert/M", "Adsolut"]) {
      const option = picker.getByRole("button", { name: new RegExp(`^${name.replace("/", "\\/")}`) });
      await expect(option).toBeEnabled();
      await expect(option).not.toContainText("Binnenkort");
    }
    // E-mail packages need no portal connection: they are not offered here.
    await expect(picker.getByRole("button", { name: /Clearfacts/ })).toHaveCount(0);
    await expect(picker.getByText(/per e-mail/)).toBeVisible();
    await expectNoSecretsInHtml(page, page.url());
    await saveScreenshot(page, testInfo, "admin-integrations-add-nl");

    await page.goto(url);
    await switchLanguage(page, "fr");
    await expect(page.getByRole("heading", { name: "Intégrations", level: 1 })).toBeVisible();
    await expect(card(page, "Exact Online België")).toContainText("Pas encore connecté");
    await expect(card(page, "Yuki")).toContainText("Reconnexion nécessaire");
    await saveScreenshot(page, testInfo, "admin-integrations-fr");
    await switchLanguage(page, "nl");
  });

  test("an accountant sees the same list read-only", async ({ page }, testInfo) => {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    const url = await openIntegrations(page);

    await expect(card(page, "Exact Online België")).toContainText("Nog niet verbonden");
    await expect(card(page, "Yuki")).toContainText("Opnieuw aanmelden nodig");
    await expect(card(page, "Expert/M (demo-FTP op deze computer)")).toContainText(/Nog niet gecontroleerd|Fout/);
    await expect(page.getByText(/Alleen beheerders/)).toBeVisible();
    await expect(page.getByRole("button", { name: MANAGE_BUTTONS })).toHaveCount(0);
    await expect(page.getByRole("link", { name: /Koppeling toevoegen/ })).toHaveCount(0);
    // Asking for the picker by URL shows nothing either.
    await page.goto(`${url}?add=1`);
    await expect(page.getByRole("region", { name: "Koppeling toevoegen" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Binnenkort/ })).toHaveCount(0);
    await expectNoSecretsInHtml(page, url);
    await saveScreenshot(page, testInfo, "accountant-integrations-nl");

    await page.goto(url);
    await switchLanguage(page, "fr");
    await expect(page.getByText(/Seuls les administrateurs/)).toBeVisible();
    await expect(page.getByRole("button", { name: /^(Tester la connexion|Modifier|Désactiver|Activer)$/ })).toHaveCount(
      0,
    );
    await saveScreenshot(page, testInfo, "accountant-integrations-fr");
    await switchLanguage(page, "nl");
  });

  test("the portal overview links to the integrations and back", async ({ page }) => {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    await openIntegrations(page);
    await page.getByRole("link", { name: "Dossiers", exact: true }).click();
    await expect(page).toHaveURL(/\/portals\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("link", { name: "Dossiers", exact: true })).toHaveAttribute("aria-current", "page");
  });
});
