import path from "node:path";
import { type FakeFtpServer, startFakeFtpServer } from "../tests/fakes/ftp-server";
import {
  connectionCard,
  expect,
  openAddConnection,
  openDossierByName,
  openPortalIntegrations,
  pickConnectionForDossier,
  saveIntegration,
  saveTopScreenshot,
  setAutoSend,
  signInAs,
  switchLanguage,
  test,
  uploadAndSend,
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
  await openAddConnection(page, /^Expert\/M/);
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
  await pickConnectionForDossier(page, label);
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill(dossierFolder);
  await saveIntegration(page, label);

  // Twenty typed documents in three categories, sent in bulk: exactly these twenty.
  const batches = BATCHES.map((batch) => ({
    documentType: batch.documentType,
    names: Array.from({ length: batch.count }, (_, i) => `ftp-${batch.documentType}-${i + 1}-${run}.pdf`),
  }));
  await uploadAndSend(page, dossierUrl, batches);
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
