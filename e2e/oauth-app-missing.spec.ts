import {
  connectionCard,
  expect,
  openAddConnection,
  saveTopScreenshot,
  signInAs,
  switchLanguage,
  test,
} from "./fixtures";

// The end-to-end server runs without a deployment Wolters Kluwer app (no client id of the
// server's own): connecting a connection that has no client id of its own either must tell the
// admin which package lacks an app, in their language, and never name an environment variable.

const ENV_VARIABLE = /[A-Z][A-Z0-9]*_[A-Z0-9_]+/;

test("connecting Wolters Kluwer without an app names the package, never an environment variable (NL and FR)", async ({
  page,
}, testInfo) => {
  const label = `WK zonder app ${testInfo.project.name}-${Date.now().toString(36)}`;
  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  await openAddConnection(page, /^Wolters Kluwer/);
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await expect(card).toContainText("Nog niet verbonden");

  await card.getByRole("button", { name: "Verbinden met Wolters Kluwer" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Op deze server is geen app ingesteld" });
  await expect(alert).toContainText("om met Wolters Kluwer te verbinden");
  await expect(alert).not.toContainText("Exact");
  await expect(alert).not.toContainText(ENV_VARIABLE);
  await saveTopScreenshot(page, testInfo, "admin-wk-no-app-nl");

  await switchLanguage(page, "fr");
  const cardFr = connectionCard(page, label);
  await cardFr.getByRole("button", { name: "Se connecter à Wolters Kluwer" }).click();
  const alertFr = page.getByRole("alert").filter({ hasText: "Aucune application n'est configurée" });
  await expect(alertFr).toContainText("pour se connecter à Wolters Kluwer");
  await expect(alertFr).not.toContainText(ENV_VARIABLE);
  await saveTopScreenshot(page, testInfo, "admin-wk-no-app-fr");
});
