import path from "node:path";
import { type FakeSftpServer, startFakeSftpServer } from "../tests/fakes/sftp-server";
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

// SFTP end to end, as Adsolut cloud uses it: an admin adds an Adsolut connection over SFTP to an
// SSH server this spec runs on 127.0.0.1 (ssh2's Server over a temp folder) and tests it; the card
// then shows the server key pinned at that first connection, which must be the fake's own. A
// dossier picks the connection with Adsolut's default folder (its VAT number); a bulk send of six
// documents of four types lands in Adsolut's category folders; the portal shows the connection
// healthy. It also proves the production build loads ssh2 (a server-external package).
// The app must allow loopback hosts: the webServer env carries KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1.
// The desktop and phone projects each run it with their own server and connection.

/** No other spec uses this dossier's integration (it starts on Winbooks by mail). */
const DOSSIER = "Dakwerken Willems BV";
const SFTP_USER = "adsolut-kantoor";
const SFTP_PASSWORD = "E2e-SFTP-wachtwoord 1";
/** Adsolut's folders (lib/packages/catalog.ts) and how many documents of each go there. */
const BATCHES = [
  { documentType: "purchase_invoice", count: 2, folder: "Aankoop" },
  { documentType: "receipt", count: 1, folder: "Aankoop" },
  { documentType: "sales_invoice", count: 2, folder: "Verkoop" },
  { documentType: "other", count: 1, folder: "Divers" },
] as const;
const TOTAL = BATCHES.reduce((sum, batch) => sum + batch.count, 0);

let server: FakeSftpServer;

test.beforeAll(async () => {
  server = await startFakeSftpServer({ users: { [SFTP_USER]: SFTP_PASSWORD } });
});
test.afterAll(async () => {
  await server?.close();
});

test("an admin connects Adsolut over SFTP, sees the pinned server key, and a bulk send lands in Adsolut's folders", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `Adsolut cloud e2e ${run}`;

  // Office step: add the connection and test it.
  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  await openAddConnection(page, /^Adsolut/);
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Server \(host\)/).fill("127.0.0.1");
  await page.getByLabel(/^Poort/).fill(String(server.port));
  await page.getByLabel(/^Gebruikersnaam/).fill(SFTP_USER);
  await page.getByLabel(/^Beveiliging/).selectOption({ label: "SFTP (via SSH)" });
  await page.getByLabel(/^Wachtwoord/).fill(SFTP_PASSWORD);
  await saveTopScreenshot(page, testInfo, "admin-sftp-connection-form-nl");
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await expect(card).toContainText("Nog niet gecontroleerd");
  // No key is trusted before the first connection.
  await expect(card.locator('[data-server-key="first_use"]')).toContainText("Nog niet gekend");

  await card.getByRole("button", { name: "Verbinding testen" }).click();
  await expect(card).toContainText("Verbonden");
  expect(server.logins).toContain(SFTP_USER);
  // The probe file went in and out again.
  expect(server.listFiles()).toEqual([]);
  // The key pinned at that first connection is the server's own.
  const serverKey = card.locator('[data-server-key="pinned"]');
  await expect(serverKey).toContainText("Sleutel van de server");
  await expect(serverKey.locator("code")).toHaveText(server.hostKeyFingerprint);
  await expect(serverKey).toContainText("(vastgelegd bij de eerste verbinding)");
  // A fingerprint has no spaces: on a phone it must wrap inside the card, not run off it.
  expect(await card.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  await saveTopScreenshot(page, testInfo, "admin-sftp-connection-key-nl");

  // Dossier step: the dossier picks the connection with Adsolut's default folder (the VAT number,
  // BE + enterprise number); no auto-send meanwhile.
  const dossier = await openDossierByName(page, DOSSIER);
  const wasAutoSendOn = await setAutoSend(page, false);
  await pickConnectionForDossier(page, label);
  await page.getByLabel(/^Dossiermap of -code op de FTP-server/).fill("");
  await saveIntegration(page, label);

  // Six typed documents in three categories, sent in bulk: exactly these six.
  const batches = BATCHES.map((batch) => ({
    documentType: batch.documentType,
    names: Array.from({ length: batch.count }, (_, i) => `sftp-${batch.documentType}-${i + 1}-${run}.pdf`),
  }));
  await uploadAndSend(page, dossier.url, batches);
  const names = batches.flatMap((batch) => batch.names);
  // The inbox refreshes once they are sent: they leave it (the screenshot shows the settled page).
  for (const name of names) await expect(page.getByRole("checkbox", { name: `${name} selecteren` })).toHaveCount(0);
  await saveTopScreenshot(page, testInfo, "admin-sftp-bulk-sent-nl");

  // On the server: one file per document, in its category's folder, under the VAT-number folder.
  const dossierFolder = `BE${dossier.companyNumber}`;
  const files = server.listFiles().filter((file) => file.startsWith(`/${dossierFolder}/`));
  expect(files).toHaveLength(TOTAL);
  for (const folder of ["Aankoop", "Verkoop", "Divers"]) {
    const expected = BATCHES.filter((batch) => batch.folder === folder).reduce((sum, batch) => sum + batch.count, 0);
    expect(files.filter((file) => path.posix.dirname(file) === `/${dossierFolder}/${folder}`)).toHaveLength(expected);
  }
  // Nothing else was written, and no temporary file is left behind.
  expect(server.listFiles()).toEqual(files);
  for (const name of names) {
    expect(files.some((file) => path.posix.basename(file).includes(name.replace(/\.pdf$/, "")))).toBe(true);
  }

  await setAutoSend(page, wasAutoSendOn);

  // The portal shows the connection healthy, used by the dossier, with the same key.
  await openPortalIntegrations(page);
  const after = connectionCard(page, label);
  await expect(after).toContainText("Verbonden");
  await expect(after).toContainText("1 dossier");
  await expect(after.locator('[data-server-key="pinned"] code')).toHaveText(server.hostKeyFingerprint);
  await saveTopScreenshot(page, testInfo, "admin-sftp-connection-healthy-nl");
});
