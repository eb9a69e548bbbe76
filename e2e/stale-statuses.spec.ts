import type { Page } from "@playwright/test";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { type FakeFtpServer, startFakeFtpServer } from "../tests/fakes/ftp-server";
import {
  connectionCard,
  expect,
  openAddConnection,
  openDossierByName,
  openPortal,
  openPortalIntegrations,
  pickConnectionForDossier,
  saveIntegration,
  saveScreenshot,
  setAutoSend,
  signInAs,
  switchLanguage,
  test,
  uploadTyped,
} from "./fixtures";

// Statuses that must not stay stale (issue 16, item 2):
// - an FTP connection whose test failed (nothing listened yet) says "error, never succeeded"; once
//   the server is up, a real delivery through it makes it "connected" with a last success, on the
//   portal's Integraties page, the dossier's Integration tab and the portal overview;
// - a dossier's recognised documents that waited for an integration ("not sent automatically: no
//   integration yet") are sent at once when one is saved (auto-send on) and the note goes; with
//   auto-send off, the save offers "Send the N waiting recognised documents now".
// Each project (desktop, phone) has its own FTP server, connection and dossiers.

const FTP_USER = "kantoor";
const FTP_PASSWORD = "E2e-FTP-wachtwoord 2";
const NO_INTEGRATION_NOTE = "Niet automatisch verzonden: het dossier heeft nog geen integratie.";

let server: FakeFtpServer | null = null;

test.afterAll(async () => {
  await server?.close();
});

/** A port nothing listens on (yet): taken from a server that is closed again at once. */
async function freePort(): Promise<number> {
  const probe = await startFakeFtpServer({ users: { [FTP_USER]: FTP_PASSWORD } });
  const { port } = probe;
  await probe.close();
  return port;
}

async function createDossier(page: Page, name: string, companyNumber: string): Promise<string> {
  await openPortal(page);
  await page.getByRole("link", { name: /Nieuw dossier/ }).click();
  const form = page.locator("form").filter({ has: page.locator("input[name=companyNumber]") });
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=companyNumber]").fill(companyNumber);
  await form.locator("button[type=submit]").click();
  await expect(page.getByText(name).first()).toBeVisible();
  return (await openDossierByName(page, name)).url;
}

/** A document's row in the list: a table row on desktop, a card on a phone. */
function documentRow(page: Page, name: string) {
  return page.locator("tr, li").filter({ hasText: name }).filter({ visible: true });
}

/** The documents of a dossier on the FTP server. */
function filesOf(folder: string): string[] {
  return server?.listFiles().filter((file) => file.startsWith(`/${folder}/`)) ?? [];
}

test("a failed connection heals through real deliveries, and waiting documents go once the dossier has an integration", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const project = testInfo.project.name;
  const run = `${project}-${Date.now().toString(36)}`;
  const label = `FTP gezondheid ${run}`;
  const base = project === "desktop" ? 7_700_001 : 7_700_011;
  const autoDossier = `Drukkerij Wouters ${project}`;
  const offerDossier = `Bakkerij Maes ${project}`;

  // The connection is tested before its server runs: an error, and never a success.
  const port = await freePort();
  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  await openAddConnection(page, /^Expert\/M/);
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Server \(host\)/).fill("127.0.0.1");
  await page.getByLabel(/^Poort/).fill(String(port));
  await page.getByLabel(/^Gebruikersnaam/).fill(FTP_USER);
  await page.getByLabel(/^Beveiliging/).selectOption({ label: "Gewone FTP (niet versleuteld)" });
  await page.getByLabel(/^Wachtwoord/).fill(FTP_PASSWORD);
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await card.getByRole("button", { name: "Verbinding testen" }).click();
  await expect(card.getByText("Fout", { exact: true })).toBeVisible();
  await expect(card).toContainText(/Laatst gelukt\s*Nog nooit/);

  // Now the server runs; nobody tests the connection again.
  await server?.close();
  server = await startFakeFtpServer({ users: { [FTP_USER]: FTP_PASSWORD }, port });

  // A new dossier (auto-send on) receives two recognised documents: with no integration, they wait.
  const autoUrl = await createDossier(page, autoDossier, companyNumberFromBase(base));
  const autoNames = [1, 2].map((i) => `wachtend-${i}-${run}.pdf`);
  await uploadTyped(page, autoUrl, [{ documentType: "purchase_invoice", names: autoNames }]);
  await page.goto(autoUrl);
  for (const name of autoNames) {
    await expect(documentRow(page, name)).toContainText(NO_INTEGRATION_NOTE);
  }

  // It gets the connection: auto-send sends both at once and says so.
  const autoFolder = `WOUTERS-${run}`;
  await pickConnectionForDossier(page, label);
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill(autoFolder);
  await saveIntegration(page, label);
  await expect(
    page.getByText("Automatisch verzenden heeft de 2 herkende documenten verzonden die op een integratie wachtten."),
  ).toBeVisible();
  await saveScreenshot(page, testInfo, "integration-saved-auto-sent-nl");
  await expect.poll(() => filesOf(autoFolder).length, { timeout: 30_000 }).toBe(2);

  // The delivery made the connection healthy, wherever it shows.
  await page.reload();
  await expect(page.getByRole("region", { name: /Huidige integratie/ })).toContainText("Verbonden");
  await page.goto(autoUrl);
  await expect(page.getByText(NO_INTEGRATION_NOTE)).toHaveCount(0);
  await page.goto(`${autoUrl}?tab=sent`);
  for (const name of autoNames) await expect(documentRow(page, name)).toBeVisible();
  await openPortal(page);
  await page.getByRole("searchbox").fill(autoDossier);
  await page.getByRole("button", { name: "Zoeken" }).click();
  await page.waitForURL((url) => url.searchParams.get("q") === autoDossier);
  await expect(page.getByRole("link", { name: autoDossier }).first()).toBeVisible();
  await expect(page.getByRole("main")).not.toContainText("Verbindingsfout");
  await openPortalIntegrations(page);
  await expect(card.getByText("Verbonden", { exact: true })).toBeVisible();
  await expect(card).not.toContainText(/Laatst gelukt\s*Nog nooit/);
  await expect(card).toContainText(/Laatste fout\s*Geen/);
  await saveScreenshot(page, testInfo, "connection-healed-by-delivery-nl");

  // Another dossier with auto-send off: the save offers to send what waits, and the button does it.
  const offerUrl = await createDossier(page, offerDossier, companyNumberFromBase(base + 1));
  await setAutoSend(page, false);
  const offerNames = [1, 2, 3].map((i) => `aanbod-${i}-${run}.pdf`);
  await uploadTyped(page, offerUrl, [{ documentType: "purchase_invoice", names: offerNames }]);
  const offerFolder = `MAES-${run}`;
  await page.goto(offerUrl);
  await pickConnectionForDossier(page, label);
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill(offerFolder);
  await saveIntegration(page, label);
  const offer = page.getByRole("button", { name: "De 3 wachtende herkende documenten nu verzenden" });
  await expect(offer).toBeVisible();
  await expect(page.getByText("Er wachten 3 herkende documenten in de inbox.")).toBeVisible();
  expect(filesOf(offerFolder)).toEqual([]);
  await saveScreenshot(page, testInfo, "integration-saved-offer-nl");
  await offer.click();
  await expect(page.getByText("3 documenten zijn onderweg naar het boekhoudpakket.")).toBeVisible();
  await expect(offer).toHaveCount(0);
  await saveScreenshot(page, testInfo, "integration-saved-offer-sent-nl");
  await expect.poll(() => filesOf(offerFolder).length, { timeout: 30_000 }).toBe(3);
});
