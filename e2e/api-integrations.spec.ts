import { type FakeExactOnline, startFakeExactOnline } from "../tests/fakes/exact-online";
import { FAKE_YUKI_ACCESS_KEY, FAKE_YUKI_FOLDERS, type FakeYuki, startFakeYuki } from "../tests/fakes/yuki";
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

// API end to end, against HTTP fakes of the packages that this spec runs on 127.0.0.1 (the app
// allows them through KOPPEL_ALLOW_CUSTOM_API_HOSTS=1 in the webServer env):
// - Exact Online: an admin adds a connection with the office's own app, connects it through the
//   fake's authorize page (OAuth code flow, back through /api/oauth/callback), a dossier picks its
//   division from the list (the one matching its VAT number is suggested), and documents arrive in
//   the fake as Documents (Type 20 purchase, 10 sales) with their attachments.
// - Yuki: an admin adds a connection with a web-service access key and tests it, a dossier picks
//   its administration and maps purchase / sales / other to archive folders read from Yuki, and
//   the documents land in those folders.
// The desktop and phone projects each run both with their own fake, connection and documents.

const EXACT_DOSSIER = "Transport Maes NV";
const YUKI_DOSSIER = "Tandartspraktijk Mertens";
const EXACT_APP = { clientId: "kantoor-de-vos-app", clientSecret: "E2e-exact-client-secret" };

let exact: FakeExactOnline | undefined;
let yuki: FakeYuki | undefined;

test.afterEach(async () => {
  await exact?.close();
  await yuki?.close();
  exact = undefined;
  yuki = undefined;
});

test("an admin connects Exact Online through its authorize page, a dossier picks its division, and documents arrive as Documents with attachments", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `Exact e2e ${run}`;

  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  const dossier = await openDossierByName(page, EXACT_DOSSIER);
  const division = 700_002;
  exact = await startFakeExactOnline({
    ...EXACT_APP,
    divisions: [
      { Code: 700_001, Description: "Kantoor De Vos", VATNumber: "BE0999999999", Status: 1 },
      { Code: division, Description: EXACT_DOSSIER, VATNumber: `BE${dossier.companyNumber}`, Status: 1 },
      { Code: 700_003, Description: "Bakkerij Wouters BV", VATNumber: "BE0123456749", Status: 1 },
    ],
    currentDivision: 700_001,
  });

  // Office step: the connection with the office's own Exact app, then the OAuth grant.
  await openAddConnection(page, /^Exact Online/);
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Land van je Exact Online/).selectOption("be");
  await page.getByLabel(/^Ander startadres/).fill(exact.url);
  await page.getByLabel(/^Client ID van je eigen Exact-app/).fill(EXACT_APP.clientId);
  await page.getByLabel(/^Client secret van je eigen Exact-app/).fill(EXACT_APP.clientSecret);
  await saveTopScreenshot(page, testInfo, "admin-exact-connection-form-nl");
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await expect(card).toContainText("Nog niet verbonden");
  await card.getByRole("button", { name: "Verbinden met Exact Online" }).click();

  // Exact's own page (the fake's): the admin grants access and comes back.
  await page.waitForURL((url) => url.href.startsWith(`${exact?.url}/api/oauth2/auth`));
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}\/integrations/);
  await expect(page.getByText("Verbonden met Exact Online. De koppeling werkt.")).toBeVisible();
  await expect(connectionCard(page, label)).toContainText("Verbonden met Exact Online");
  await expect(connectionCard(page, label)).toContainText(/Zou verlopen op/);
  expect(exact.counts.codeExchanges).toBe(1);
  await saveTopScreenshot(page, testInfo, "admin-exact-connected-nl");

  // Dossier step: the division comes from Exact's list, the VAT match suggested.
  await page.goto(dossier.url);
  await setAutoSend(page, false);
  await pickConnectionForDossier(page, label);
  const divisionSelect = page.getByLabel(/^Divisie \(administratie\) in Exact Online/);
  await expect(divisionSelect).toBeEnabled();
  await expect(divisionSelect).toHaveValue(String(division));
  await expect(page.getByText("Komt overeen met het btw-nummer van het dossier")).toBeVisible();
  await saveTopScreenshot(page, testInfo, "admin-exact-division-choice-nl");
  await saveIntegration(page, label);

  const purchases = [`exact-aankoop-1-${run}.pdf`, `exact-aankoop-2-${run}.pdf`];
  const sales = [`exact-verkoop-1-${run}.pdf`];
  await uploadAndSend(page, dossier.url, [
    { documentType: "purchase_invoice", names: purchases },
    { documentType: "sales_invoice", names: sales },
  ]);
  await saveTopScreenshot(page, testInfo, "admin-exact-sent-nl");

  // In Exact: one Document per document, in the dossier's division, each with its PDF attached.
  const stored = exact.documents(division);
  expect(stored).toHaveLength(3);
  for (const [names, type] of [
    [purchases, 20],
    [sales, 10],
  ] as const) {
    for (const name of names) {
      const document = stored.find((candidate) => candidate.attachments.some((a) => a.FileName.includes(name)));
      expect(document, name).toBeDefined();
      expect(document?.Type).toBe(type);
      expect(document?.attachments).toHaveLength(1);
      expect(document?.attachments[0]?.content.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    }
  }
  expect(exact.counts.tooManyRequests).toBe(0);

  await setAutoSend(page, true);
  await openPortalIntegrations(page);
  await expect(connectionCard(page, label)).toContainText("1 dossier");
});

test("an admin connects Yuki with an access key, a dossier picks its administration and archive folders, and documents land there", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `Yuki e2e ${run}`;

  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  const dossier = await openDossierByName(page, YUKI_DOSSIER);
  const administrationId = "3f0c6a1e-8b2d-4c5e-9f1a-2b3c4d5e6f70";
  const digits = dossier.companyNumber;
  yuki = await startFakeYuki({
    administrations: [
      {
        id: "0b9f8a52-6c1d-4e2f-8a3b-4c5d6e7f8091",
        name: "Bakkerij Wouters BV",
        city: "Gent",
        vatNumber: "BE0123.456.749",
      },
      {
        id: administrationId,
        name: YUKI_DOSSIER,
        city: "Brugge",
        vatNumber: `BE${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`,
      },
    ],
  });
  const folderId = (description: string) => {
    const folder = FAKE_YUKI_FOLDERS.find((candidate) => candidate.description === description);
    if (!folder) throw new Error(`no folder ${description}`);
    return String(folder.id);
  };

  // Office step: the access key, tested against Yuki.
  await openAddConnection(page, /^Yuki/);
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Regio/).selectOption("be");
  await page.getByLabel(/^Basis-URL/).fill(yuki.url);
  await page.getByLabel(/^Webservice-toegangssleutel/).fill(FAKE_YUKI_ACCESS_KEY);
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  const card = connectionCard(page, label);
  await card.getByRole("button", { name: "Verbinding testen" }).click();
  await expect(card).toContainText("Verbonden");
  await saveTopScreenshot(page, testInfo, "admin-yuki-connected-nl");

  // Dossier step: administration (suggested by VAT) and the three archive folders from Yuki.
  await page.goto(dossier.url);
  await setAutoSend(page, false);
  await pickConnectionForDossier(page, label);
  const administration = page.getByLabel(/^Administratie in het pakket/);
  await expect(administration).toBeEnabled();
  await expect(administration).toHaveValue(administrationId);
  await page.getByLabel(/^Archiefmap voor aankoopdocumenten/).selectOption(folderId("Te verwerken door Yuki"));
  await page.getByLabel(/^Archiefmap voor verkoopdocumenten/).selectOption(folderId("Verkoop"));
  await page.getByLabel(/^Archiefmap voor overige documenten/).selectOption(folderId("Overige"));
  await saveTopScreenshot(page, testInfo, "admin-yuki-mapping-nl");
  await saveIntegration(page, label);

  const batches = [
    { documentType: "purchase_invoice", names: [`yuki-aankoop-${run}.pdf`], folder: "Te verwerken door Yuki" },
    { documentType: "sales_invoice", names: [`yuki-verkoop-${run}.pdf`], folder: "Verkoop" },
    { documentType: "other", names: [`yuki-overig-${run}.pdf`], folder: "Overige" },
  ] as const;
  await uploadAndSend(
    page,
    dossier.url,
    batches.map(({ documentType, names }) => ({ documentType, names: [...names] })),
  );

  // In Yuki: each document in the dossier's administration, in the folder of its category.
  expect(yuki.documents).toHaveLength(3);
  for (const batch of batches) {
    const stem = batch.names[0].replace(/\.pdf$/, "");
    const document = yuki.documents.find((candidate) => candidate.fileName.includes(stem));
    expect(document, stem).toBeDefined();
    expect(document?.administrationId).toBe(administrationId);
    expect(String(document?.folder)).toBe(folderId(batch.folder));
    expect(
      Buffer.from(document?.content ?? [])
        .subarray(0, 5)
        .toString("latin1"),
    ).toBe("%PDF-");
  }

  await setAutoSend(page, true);
});
