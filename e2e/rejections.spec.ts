import type { Page, Response } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { type FakeExactOnline, startFakeExactOnline } from "../tests/fakes/exact-online";
import {
  connectionCard,
  expect,
  openDossierByName,
  openPortal,
  openPortalIntegrations,
  saveTopScreenshot,
  setAutoSend,
  signInAs,
  switchLanguage,
  test,
} from "./fixtures";

// Rejections and the failure queue end to end, against an HTTP fake of Exact Online that this spec
// runs on 127.0.0.1 (allowed through KOPPEL_ALLOW_CUSTOM_API_HOSTS=1 in the webServer env). The
// desktop and phone projects each run it with their own fake and connection, one after the other,
// on the same dossier, one no other spec relies on (its integration is pointed at the run's
// connection; the seeded Exact connection keeps its dossiers for portal-integrations.spec.ts):
// - a document sent to Exact is refused there (ProposedEntryStatus 5); "check status now" on the
//   connection card reads it back: the document shows Rejected with the reason in NL and FR, is
//   re-typed and sent again, and arrives in Exact a second time;
// - the Exact grant expires (the fake refuses the refresh): a send fails with the re-authorisation
//   reason, the portal's failure queue shows it in the re-authorisation group, the admin
//   reconnects through Exact's authorize page, and "retry all" in that group sends it.

const DOSSIER = "Fleuriste Dupont SRL";
const EXACT_APP = { clientId: "kantoor-de-vos-rejections", clientSecret: "E2e-exact-rejections-secret" };
const REJECTED_REASON_NL = "Het pakket heeft dit document na ontvangst geweigerd";
const REJECTED_REASON_FR = "Le logiciel comptable a refusé ce document après l'avoir reçu";
const REAUTH_REASON_NL = "Het pakket aanvaardt de aanmeldgegevens niet meer.";

let exact: FakeExactOnline | undefined;

test.afterEach(async () => {
  await exact?.close();
  exact = undefined;
});

/** Uploads one PDF with its type into the open dossier and returns the document's id. */
async function upload(page: Page, name: string, documentType: string): Promise<string> {
  const answered = page.waitForResponse(
    (response: Response) =>
      response.request().method() === "POST" && /\/api\/dossiers\/[^/]+\/documents$/.test(response.url()),
  );
  await page.getByLabel("Soort:").selectOption(documentType);
  await page.getByLabel("Bestanden kiezen").setInputFiles({
    name,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: name })),
  });
  const body = (await (await answered).json()) as {
    results: { ok: boolean; fileName: string; document?: { id: string } }[];
  };
  const documentId = body.results.find((result) => result.ok && result.fileName === name)?.document?.id ?? "";
  expect(documentId).not.toBe("");
  await expect(page.getByTestId("upload-results").getByRole("listitem").filter({ hasText: name })).toContainText(
    "Toegevoegd",
  );
  return documentId;
}

/** Exact's Documents (in the division) that carry this file. */
function exactDocumentsWith(division: number, fileName: string) {
  return (exact?.documents(division) ?? []).filter((document) =>
    document.attachments.some((attachment) => attachment.FileName.includes(fileName.replace(/\.pdf$/, ""))),
  );
}

/** Connects the card's Exact connection through the fake's authorize page (first time or again). */
async function authorizeAtExact(page: Page, label: string, buttonName: string) {
  await connectionCard(page, label).getByRole("button", { name: buttonName }).click();
  await page.waitForURL((url) => url.href.startsWith(`${exact?.url}/api/oauth2/auth`));
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}\/integrations/);
  await expect(page.getByText("Verbonden met Exact Online. De koppeling werkt.")).toBeVisible();
}

test("a document Exact refuses comes back Rejected with its reason (NL, FR), is re-typed and sent again; after the grant expires the queue groups the failure, the admin reconnects and retry all sends it", async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const label = `Exact weigeringen ${run}`;
  const division = 710_001;

  await signInAs(page, "admin");
  await switchLanguage(page, "nl");
  const dossier = await openDossierByName(page, DOSSIER);
  exact = await startFakeExactOnline({
    ...EXACT_APP,
    divisions: [{ Code: division, Description: DOSSIER, VATNumber: `BE${dossier.companyNumber}`, Status: 1 }],
  });

  // The office's connection, authorised at Exact.
  await openPortalIntegrations(page);
  await page
    .getByRole("link", { name: /Koppeling toevoegen/ })
    .first()
    .click();
  await page
    .getByRole("region", { name: "Koppeling toevoegen" })
    .getByRole("button", { name: /^Exact Online/ })
    .click();
  await page.getByLabel("Naam van de koppeling").fill(label);
  await page.getByLabel(/^Land van je Exact Online/).selectOption("be");
  await page.getByLabel(/^Ander startadres/).fill(exact.url);
  await page.getByLabel(/^Client ID van je eigen Exact-app/).fill(EXACT_APP.clientId);
  await page.getByLabel(/^Client secret van je eigen Exact-app/).fill(EXACT_APP.clientSecret);
  await page.getByRole("button", { name: "Koppeling opslaan" }).click();
  await expect(connectionCard(page, label)).toContainText("Nog niet verbonden");
  await authorizeAtExact(page, label, "Verbinden met Exact Online");

  // The dossier delivers through it, to its division; sending stays by hand.
  await page.goto(dossier.url);
  const wasAutoSendOn = await setAutoSend(page, false);
  await page
    .getByRole("navigation", { name: "Onderdelen van het dossier" })
    .getByRole("link", { name: "Integraties" })
    .click();
  await page
    .locator('[data-marking="green"]')
    .getByRole("link", { name: new RegExp(label) })
    .click();
  await expect(page.getByLabel(/^Divisie \(administratie\) in Exact Online/)).toHaveValue(String(division));
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(page.getByRole("region", { name: /Huidige integratie/ }).getByText(label)).toBeVisible();

  // A sales invoice typed as a purchase invoice goes to Exact…
  await page.goto(dossier.url);
  const refusedName = `weigering-${run}.pdf`;
  const refusedId = await upload(page, refusedName, "purchase_invoice");
  await page.getByRole("button", { name: `Verzenden: ${refusedName}` }).click();
  await expect(page.getByTestId("send-results").getByTestId("send-progress")).toHaveText(
    "Klaar: 1 verzonden, 0 mislukt",
    { timeout: 60_000 },
  );
  const [first] = exactDocumentsWith(division, refusedName);
  expect(first?.Type).toBe(20);

  // …where the bookkeeper refuses it.
  exact.setDocumentStatus(first?.ID ?? "", 5);

  // "Check status now" on the connection card reads it back at once.
  await openPortalIntegrations(page);
  const card = connectionCard(page, label);
  await card.getByRole("button", { name: "Status nu ophalen" }).click();
  await expect(card.getByTestId("check-status-result")).toHaveText("1 document nagekeken: 0 verwerkt, 1 geweigerd.");
  await saveTopScreenshot(page, testInfo, "admin-exact-check-status-nl");

  // The document is Rejected, with the reason in the user's language.
  const documentUrl = `${dossier.url}/documents/${refusedId}`;
  await page.goto(documentUrl);
  const status = page.getByTestId("document-status");
  await expect(status).toContainText("Geweigerd");
  await expect(status).toContainText(REJECTED_REASON_NL);
  await saveTopScreenshot(page, testInfo, "admin-document-rejected-nl");
  await switchLanguage(page, "fr");
  await expect(status).toContainText("Refusé");
  await expect(status).toContainText(REJECTED_REASON_FR);
  await saveTopScreenshot(page, testInfo, "admin-document-rejected-fr");
  await switchLanguage(page, "nl");

  // Corrected (it is a sales invoice) and sent again: a new Document in Exact, of the right type.
  await page.getByLabel(`Soort van ${refusedName}`).selectOption("sales_invoice");
  await page.getByRole("button", { name: "Soort opslaan" }).click();
  await expect(page.getByRole("button", { name: "Soort opslaan" })).toBeDisabled();
  await page.getByRole("button", { name: `Opnieuw verzenden: ${refusedName}` }).click();
  await expect(async () => {
    await page.reload();
    await expect(status).toContainText("Verzonden", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  const sentTwice = exactDocumentsWith(division, refusedName);
  expect(sentTwice).toHaveLength(2);
  expect(sentTwice.find((document) => document.ID !== first?.ID)?.Type).toBe(10);
  await expect(page.getByTestId("document-history")).toContainText(REJECTED_REASON_NL);

  // The grant dies at Exact (the refresh is refused): the next send fails with the reason. It dies
  // just before the click: the connection-health-check cron (every quarter hour) that found it dead
  // first would mark the connection needs_reauth, and the send would then be refused up front
  // instead of failing (a CI run met that at 23:00).
  await page.goto(dossier.url);
  const blockedName = `herverbinden-${run}.pdf`;
  const blockedId = await upload(page, blockedName, "purchase_invoice");
  exact.expireAccessTokens();
  exact.expireRefreshTokens();
  await page.getByRole("button", { name: `Verzenden: ${blockedName}` }).click();
  const results = page.getByTestId("send-results");
  await expect(results.getByTestId("send-progress")).toHaveText("Klaar: 0 verzonden, 1 mislukt", {
    timeout: 60_000,
  });
  await expect(results).toContainText(REAUTH_REASON_NL);
  expect(exactDocumentsWith(division, blockedName)).toHaveLength(0);

  // The portal's queue puts it with the connections to re-authorise.
  const portalId = await openPortal(page);
  await page.getByRole("link", { name: "Mislukt & geweigerd" }).click();
  await expect(page).toHaveURL(new RegExp(`/portals/${portalId}/failures$`));
  const reauth = page.getByTestId("failure-group-reauth");
  await expect(reauth.getByRole("heading", { name: /Verbinding opnieuw aanmelden/ })).toBeVisible();
  await expect(reauth.locator(`[data-document-id="${blockedId}"]`)).toContainText(blockedName);
  await expect(reauth.locator(`[data-document-id="${blockedId}"]`)).toContainText(REAUTH_REASON_NL);
  await saveTopScreenshot(page, testInfo, "admin-failures-reauth-nl");

  // The admin reconnects at Exact…
  await openPortalIntegrations(page);
  await expect(connectionCard(page, label)).toContainText("Opnieuw verbinden");
  await authorizeAtExact(page, label, "Opnieuw verbinden");
  expect(exact.counts.codeExchanges).toBe(2);

  // …and retries the whole group: the document arrives in Exact.
  await page.goto(`/portals/${portalId}/failures`);
  await page
    .getByTestId("failure-group-reauth")
    .getByRole("button", { name: /^Alles in deze groep opnieuw proberen/ })
    .click();
  const retried = page.getByTestId("retry-result");
  await expect(retried).toContainText(/\d+ document(en)? opnieuw verstuurd/);
  await expect(retried).not.toContainText("Geen document opnieuw verstuurd");
  await saveTopScreenshot(page, testInfo, "admin-failures-retried-nl");
  await expect.poll(() => exactDocumentsWith(division, blockedName).length, { timeout: 60_000 }).toBe(1);
  await page.goto(`${dossier.url}/documents/${blockedId}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("document-status")).toContainText("Verzonden", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("document-history")).toContainText("Opnieuw geprobeerd");

  await page.goto(dossier.url);
  await setAutoSend(page, wasAutoSendOn);
});
