import path from "node:path";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { type FakeFtpServer, startFakeFtpServer } from "../tests/fakes/ftp-server";
import {
  connectionCard,
  expect,
  openDossierByName,
  openPortalIntegrations,
  saveTopScreenshot,
  setAutoSend,
  signInAs,
  switchLanguage,
  test,
} from "./fixtures";

// FTP end to end: an admin adds an FTP connection to an FTP server this spec runs on 127.0.0.1
// (ftp-srv, plain FTP) and tests it; a dossier picks it with its own folder; a bulk send of 20
// documents lands on the server in the category folders; the portal shows the connection healthy.
// The app must allow loopback FTP hosts: the webServer env carries KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1.
// The desktop and phone projects each run it with their own server, connection and folder.

const DOSSIER = "Garage Peeters BV";
const FTP_USER = "kantoor";
const FTP_PASSWORD = "E2e-FTP-wachtwoord 1";
/** Expert/M's folders (lib/packages/catalog.ts) and how many documents of each go there. */
const BATCHES = [
  { documentType: "purchase_invoice", count: 10, folder: "Aankoop" },
  { documentType: "receipt", count: 2, folder: "Aankoop" },
  { documentType: "sales_invoice", count: 5, folder: "Verkoop" },
  { documentType: "other", count: 3, folder: "Divers" },
] as const;

let server: FakeFtpServer;

test.beforeAll(async () => {
  server = await startFakeFtpServer({ users: { [FTP_USER]: FTP_PASSWORD } });
});
test.afterAll(async () => {
  await server?.close();
});

test("an admin connects an FTP server, a dossier picks it, and a bulk send of 20 documents lands in its folders", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `FTP-server e2e ${run}`;
  const dossierFolder = `E2E-${run}`;

  // Office step: add the connection and test it.
  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  await openPortalIntegrations(page);
  await page
    .getByRole("link", { name: /Koppeling toevoegen/ })
    .first()
    .click();
  await page
    .getByRole("region", { name: "Koppeling toevoegen" })
    .getByRole("button", { name: /^Expert\/M/ })
    .click();
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Server \(host\)/).fill("127.0.0.1");
  await page.getByLabel(/^Poort/).fill(String(server.port));
  await page.getByLabel(/^Gebruikersnaam/).fill(FTP_USER);
  await page.getByLabel(/^Beveiliging/).selectOption({ label: "Gewone FTP (niet versleuteld)" });
  await page.getByLabel(/^Wachtwoord/).fill(FTP_PASSWORD);
  await saveTopScreenshot(page, testInfo, "admin-ftp-connection-form-nl");
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await expect(card).toContainText("Nog niet gecontroleerd");
  await card.getByRole("button", { name: "Verbinding testen" }).click();
  await expect(card).toContainText("Verbonden");
  expect(server.logins).toContain(FTP_USER);
  // The probe file went in and out again.
  expect(server.listFiles()).toEqual([]);

  // Dossier step: the dossier picks the connection, with its own folder; no auto-send meanwhile.
  const { url: dossierUrl } = await openDossierByName(page, DOSSIER);
  const wasAutoSendOn = await setAutoSend(page, false);
  await page
    .getByRole("navigation", { name: "Onderdelen van het dossier" })
    .getByRole("link", { name: "Integraties" })
    .click();
  await page
    .locator('[data-marking="green"]')
    .getByRole("link", { name: new RegExp(label) })
    .click();
  await expect(page.locator("#integration-form")).toBeVisible();
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill(dossierFolder);
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(
    page.getByRole("region", { name: /Huidige integratie/ }).getByText(label, { exact: false }),
  ).toBeVisible();

  // Twenty typed documents in three categories.
  await page.goto(dossierUrl);
  const names: string[] = [];
  for (const batch of BATCHES) {
    const files = Array.from({ length: batch.count }, (_, i) => ({
      name: `ftp-${batch.documentType}-${i + 1}-${run}.pdf`,
      mimeType: "application/pdf",
      buffer: Buffer.from(buildSamplePdf({ title: `${batch.documentType} ${i + 1} ${run}` })),
    }));
    await page.getByLabel("Soort:").selectOption(batch.documentType);
    await page.getByLabel("Bestanden kiezen").setInputFiles(files);
    const results = page.getByTestId("upload-results");
    for (const file of files) {
      await expect(results.getByRole("listitem").filter({ hasText: file.name })).toContainText("Toegevoegd");
    }
    names.push(...files.map((file) => file.name));
  }

  // Bulk send: exactly these twenty.
  await page.goto(dossierUrl);
  for (const name of names) await page.getByRole("checkbox", { name: `${name} selecteren` }).check();
  await expect(page.getByText("20 geselecteerd")).toBeVisible();
  await page.getByRole("button", { name: "Selectie verzenden" }).click();
  const results = page.getByTestId("send-results");
  await expect(results).toContainText("20 documenten aanvaard, 0 geweigerd");
  await expect(results.getByTestId("send-progress")).toHaveText("Klaar: 20 verzonden, 0 mislukt", {
    timeout: 90_000,
  });
  await saveTopScreenshot(page, testInfo, "admin-ftp-bulk-sent-nl");

  // On the server: one file per document, in its category's folder, under the dossier's folder.
  const files = server.listFiles().filter((file) => file.startsWith(`/${dossierFolder}/`));
  expect(files).toHaveLength(20);
  for (const folder of ["Aankoop", "Verkoop", "Divers"]) {
    const expected = BATCHES.filter((batch) => batch.folder === folder).reduce((sum, batch) => sum + batch.count, 0);
    expect(files.filter((file) => path.posix.dirname(file) === `/${dossierFolder}/${folder}`)).toHaveLength(expected);
  }
  // No temporary file is left behind.
  expect(server.listFiles().filter((file) => file.endsWith(".part"))).toEqual([]);
  for (const batch of BATCHES) {
    const stem = `ftp-${batch.documentType}-1-${run}`;
    expect(files.some((file) => path.posix.basename(file).includes(stem))).toBe(true);
  }

  await setAutoSend(page, wasAutoSendOn);

  // The portal shows the connection healthy, used by the dossier.
  await openPortalIntegrations(page);
  await expect(connectionCard(page, label)).toContainText("Verbonden");
  await expect(connectionCard(page, label)).toContainText("1 dossier");
  await saveTopScreenshot(page, testInfo, "admin-ftp-connection-healthy-nl");
});
