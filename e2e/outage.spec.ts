import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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

// An FTP server down, then back (issue 20): documents sent while it is down wait instead of
// failing, and every page says so — the list and the document page ("Wacht: … onbereikbaar sinds
// …, volgende poging …", with "Nu proberen"), the connection card and the failure queue ("…
// onbereikbaar sinds …") — and once it is back they go by themselves, each once, nobody clicking.
// The app runs with KOPPEL_RETRY_TIME_SCALE=0.02 (playwright.config.ts): backoff and probes 50×
// faster. The desktop and phone projects each run it with their own server and connection.

const DOSSIER = "Garage Peeters BV";
const FTP_USER = "kantoor";
const FTP_PASSWORD = "E2e-FTP-wachtwoord 2";

let server: FakeFtpServer;
let root: string;
let port: number;

test.beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "koppel-e2e-outage-"));
  server = await startFakeFtpServer({ users: { [FTP_USER]: FTP_PASSWORD }, root });
  port = server.port;
});
test.afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

test("documents sent while the FTP server is down wait, say so on every page, and go by themselves once it is back", async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `FTP-storing ${run}`;
  const dossierFolder = `OUT-${run}`;

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
  await expect(connectionCard(page, label)).toContainText("Nog niet gecontroleerd");

  const { url: dossierUrl } = await openDossierByName(page, DOSSIER);
  const wasAutoSendOn = await setAutoSend(page, false);
  await pickConnectionForDossier(page, label);
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill(dossierFolder);
  await saveIntegration(page, label);

  // The server goes down; four documents are sent in bulk.
  await server.close();
  const names = Array.from({ length: 4 }, (_, i) => `storing-${i + 1}-${run}.pdf`);
  await uploadTyped(page, dossierUrl, [{ documentType: "purchase_invoice", names }]);
  await page.goto(dossierUrl);
  for (const name of names) await page.getByRole("checkbox", { name: `${name} selecteren` }).check();
  await page.getByRole("button", { name: "Selectie verzenden" }).click();
  await expect(page.getByTestId("send-results")).toContainText("4 documenten op weg, 0 niet verzonden");

  // They wait: the list says so for each, none failed.
  const rowOf = (name: string) => page.locator("[data-document-id]").filter({ visible: true, hasText: name });
  await expect(async () => {
    await page.goto(`${dossierUrl}?tab=inbox`);
    for (const name of names) await expect(rowOf(name).getByTestId("document-waiting")).toHaveCount(1);
  }).toPass({ timeout: 60_000 });
  await expect(rowOf(names[0] ?? "").getByTestId("document-waiting")).toContainText(
    /^Wacht: Expert\/M onbereikbaar sinds \d{1,2}:\d{2}/,
  );
  await saveScreenshot(page, testInfo, "outage-list-waiting-nl");

  // The document page: the same truth, until when Koppel keeps trying, and "Nu proberen".
  await rowOf(names[0] ?? "")
    .getByRole("link", { name: names[0] })
    .click();
  await page.waitForURL(/\/documents\/[0-9a-f-]{36}/);
  const waiting = page.getByTestId("document-waiting");
  await expect(waiting).toContainText("Wacht: Expert/M onbereikbaar sinds");
  await expect(waiting).toContainText("Koppel probeert het zelf opnieuw tot");
  await expect(waiting.getByRole("button", { name: "Nu proberen" })).toBeVisible();
  await saveScreenshot(page, testInfo, "outage-document-waiting-nl");
  await switchLanguage(page, "fr");
  await expect(page.getByTestId("document-waiting")).toContainText("En attente : Expert/M injoignable depuis");
  await saveScreenshot(page, testInfo, "outage-document-waiting-fr");
  await switchLanguage(page, "en");
  await expect(page.getByTestId("document-waiting")).toContainText("Waiting: Expert/M unreachable since");
  await page.getByRole("button", { name: "Try now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "New try started" })).toBeVisible();
  await switchLanguage(page, "nl");

  // The connection card and the failure queue: unreachable since … (its breaker is open).
  await openPortalIntegrations(page);
  await expect(connectionCard(page, label).getByTestId("unreachable-notice")).toContainText(
    `${label} onbereikbaar sinds`,
  );
  await saveScreenshot(page, testInfo, "outage-connection-card-nl");
  await openPortal(page);
  await page.getByRole("link", { name: "Mislukt & geweigerd" }).click();
  await expect(page.getByTestId("unreachable-notice")).toContainText(`${label} onbereikbaar sinds`);
  await saveScreenshot(page, testInfo, "outage-failure-queue-nl");

  // The server comes back on its port: the documents go by themselves, each once.
  server = await startFakeFtpServer({ users: { [FTP_USER]: FTP_PASSWORD }, root, port });
  await expect(async () => {
    await page.goto(`${dossierUrl}?tab=sent`);
    for (const name of names) await expect(rowOf(name)).toHaveCount(1);
  }).toPass({ timeout: 90_000, intervals: [2_000] });
  const files = server.listFiles().filter((file) => file.startsWith(`/${dossierFolder}/`));
  expect(files.filter((file) => !file.endsWith(".part"))).toHaveLength(4);
  await saveScreenshot(page, testInfo, "outage-sent-after-nl");
  await openPortalIntegrations(page);
  await expect(connectionCard(page, label).getByTestId("unreachable-notice")).toHaveCount(0);

  await page.goto(dossierUrl);
  await setAutoSend(page, wasAutoSendOn);
});
