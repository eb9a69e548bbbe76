import { readFileSync } from "node:fs";
import type { Page, Response, TestInfo } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, saveScreenshot, setFakeRecipient, signInAs, switchLanguage, test, waitForEmail } from "./fixtures";

// The desktop and phone projects run this file one after the other against the same server and
// database. Each run makes its own failure (a unique file name) in the bulk dossier, whose "other"
// address the fake Resend refuses for a while; the seeded failures (file_refused, rejections, the
// Yuki dossier's) sit in other groups, so "retry all" in the settings group touches only documents
// this file made.

const VAN_DAMME = "Drukkerij Van Damme BV";
const VAN_DAMME_OTHER = "overige@vandamme-boekhouding.example";
const REASON_NL = "Het pakket weigerde het e-mailadres. Kijk het adres na bij de integratie van het dossier.";
const REASON_FR = "Le logiciel a refusé l'adresse e-mail. Vérifiez l'adresse dans l'intégration du dossier.";
const DAY_MS = 24 * 60 * 60 * 1000;

function uniqueName(testInfo: TestInfo, stem: string): string {
  return `${stem}-${testInfo.project.name}-${Date.now().toString(36)}.pdf`;
}

/** The portal overview the accountant lands on, and its id. */
async function openPortal(page: Page): Promise<string> {
  await page.goto("/");
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
  return new URL(page.url()).pathname.split("/")[2] ?? "";
}

/** Uploads one file typed as "other document" into the open dossier and returns its id. */
async function uploadOther(page: Page, name: string): Promise<string> {
  let documentId = "";
  const answered = page.waitForResponse(
    (response: Response) =>
      response.request().method() === "POST" && /\/api\/dossiers\/[^/]+\/documents$/.test(response.url()),
  );
  await page.getByLabel("Soort:").selectOption("other");
  await page.getByLabel("Bestanden kiezen").setInputFiles({
    name,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: `Brief ${name}` })),
  });
  const body = (await (await answered).json()) as {
    results: { ok: boolean; fileName: string; document?: { id: string } }[];
  };
  documentId = body.results.find((result) => result.ok && result.fileName === name)?.document?.id ?? "";
  expect(documentId).not.toBe("");
  await expect(page.getByTestId("upload-results").getByRole("listitem").filter({ hasText: name })).toContainText(
    "Toegevoegd",
  );
  return documentId;
}

test("a refused address lands in the settings group of the office's queue; after the fix, retry all sends it, and the delivery log shows both tries", async ({
  page,
  request,
}, testInfo) => {
  await setFakeRecipient(request, VAN_DAMME_OTHER, "fail");
  try {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    const portalId = await openPortal(page);

    // A document of the bulk dossier fails: the package's mail server refuses the address.
    await page.getByRole("searchbox").fill(VAN_DAMME);
    await page.getByRole("button", { name: "Zoeken" }).click();
    await page.getByRole("link", { name: VAN_DAMME }).first().click();
    await expect(page.getByRole("heading", { name: VAN_DAMME, level: 1 })).toBeVisible();
    const dossierPath = new URL(page.url()).pathname;
    const name = uniqueName(testInfo, "brief-boekhouder");
    const documentId = await uploadOther(page, name);
    await page.getByRole("button", { name: `Verzenden: ${name}` }).click();
    await expect(page.getByTestId("send-results").getByTestId("send-progress")).toHaveText(
      "Klaar: 0 verzonden, 1 mislukt",
      { timeout: 30_000 },
    );

    // The office's queue, from the portal's navigation.
    await openPortal(page);
    await page.getByRole("link", { name: "Mislukt & geweigerd" }).click();
    await expect(page).toHaveURL(new RegExp(`/portals/${portalId}/failures$`));
    await expect(page.getByRole("heading", { name: "Mislukt & geweigerd", level: 1 })).toBeVisible();
    const settings = page.getByTestId("failure-group-settings");
    await expect(settings.getByRole("heading", { name: /Verkeerde koppeling of instellingen/ })).toBeVisible();
    const card = settings.locator(`[data-document-id="${documentId}"]`);
    await expect(card).toContainText(name);
    await expect(card).toContainText(VAN_DAMME);
    await expect(card).toContainText("Mislukt");
    await expect(card).toContainText(REASON_NL);
    await expect(card).toContainText(VAN_DAMME_OTHER);
    // The seeded refusals are in a group of their own.
    await expect(
      page.getByTestId("failure-group-package_refusal").getByRole("heading", { name: /Geweigerd door het pakket/ }),
    ).toBeVisible();
    await expect(settings).not.toContainText("Dubbel document");
    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, testInfo, "accountant-failures-nl");

    await switchLanguage(page, "fr");
    await expect(page.getByRole("heading", { name: "Échecs & refus", level: 1 })).toBeVisible();
    await expect(settings.getByRole("heading", { name: /Mauvais paramétrage/ })).toBeVisible();
    await expect(card).toContainText(REASON_FR);
    await saveScreenshot(page, testInfo, "accountant-failures-fr");
    await switchLanguage(page, "nl");

    // One cause at a time, with its own address.
    await page
      .getByRole("navigation", { name: "Oorzaken" })
      .getByRole("link", { name: /Verkeerde koppeling/ })
      .click();
    await expect(page).toHaveURL(/group=settings/);
    await expect(page.locator(`[data-document-id="${documentId}"]`)).toBeVisible();
    await expect(page.getByTestId("failure-group-package_refusal")).toHaveCount(0);

    // The card leads to the document.
    await page.locator(`[data-document-id="${documentId}"]`).getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`${dossierPath}/documents/${documentId}$`));
    await expect(page.getByTestId("document-status")).toContainText("Mislukt");
    await page.goBack();

    // The address is fixed at the package's end: retry the whole group.
    await setFakeRecipient(request, VAN_DAMME_OTHER, "succeed");
    await page
      .getByTestId("failure-group-settings")
      .getByRole("button", { name: /^Alles in deze groep opnieuw proberen/ })
      .click();
    const result = page.getByTestId("retry-result");
    await expect(result).toContainText(/\d+ document(en)? opnieuw verstuurd/);
    await expect(result).not.toContainText("Geen document opnieuw verstuurd");
    await saveScreenshot(page, testInfo, "accountant-failures-retried-nl");
    const mail = await waitForEmail(request, (email) =>
      email.attachments.some((attachment) => attachment.filename === name),
    );
    expect(mail.to).toEqual([VAN_DAMME_OTHER]);
    await page.goto(`${dossierPath}/documents/${documentId}`);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("document-status")).toContainText("Verzonden", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId("document-history")).toContainText("Opnieuw geprobeerd");

    // The delivery log for an auditor: both tries of the document, in Dutch, ready for Excel.
    await page.goto(`/portals/${portalId}/failures`);
    const now = Date.now();
    const from = new Date(now - DAY_MS).toISOString().slice(0, 10);
    const to = new Date(now + DAY_MS).toISOString().slice(0, 10);
    await page.getByLabel("Van", { exact: true }).fill(from);
    await page.getByLabel("Tot en met").fill(to);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "CSV downloaden" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`delivery-log-accountantskantoor-de-vos-${from}-${to}.csv`);
    const bytes = readFileSync((await download.path()) ?? "");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).split("\r\n");
    expect(lines[0]).toMatch(/^Gestart \(UTC\),Beëindigd \(UTC\),Dossier,Ondernemingsnummer,/);
    const ours = lines.filter((line) => line.includes(documentId));
    expect(ours).toHaveLength(2);
    expect(ours[0]).toContain(REASON_NL);
    expect(ours[0]).toContain("Met de hand verzonden");
    expect(ours[1]).toContain("Gelukt");
    expect(ours[1]).toContain("Opnieuw geprobeerd");
    expect(ours.every((line) => line.includes("bram.accountant@demo.koppel.example"))).toBe(true);

    // An end before the start: the form stays on the page, with the reason in Dutch and the dates typed.
    await page.getByLabel("Van", { exact: true }).fill(to);
    await page.getByLabel("Tot en met").fill(from);
    await page.getByRole("button", { name: "CSV downloaden" }).click();
    await expect(page).toHaveURL(new RegExp(`/portals/${portalId}/failures\\?`));
    await expect(page.locator("#delivery-log-error")).toHaveText("De einddatum ligt vóór de begindatum.");
    await expect(page.getByLabel("Van", { exact: true })).toHaveAttribute("aria-describedby", "delivery-log-error");
    await expect(page.getByLabel("Van", { exact: true })).toHaveValue(to);
    await expect(page.getByLabel("Tot en met")).toHaveValue(from);
    await expect(page.getByRole("heading", { name: "Leveringslogboek" })).toBeVisible();
    await page.locator("#delivery-log-error").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `e2e/screenshots/${testInfo.project.name}-delivery-log-refused-nl.png` });

    // Dates that make no sense are refused with the reason.
    const refused = await page.request.get(`/api/portals/${portalId}/delivery-log?from=2026-02-30&to=2026-03-01`);
    expect(refused.status()).toBe(400);
    expect(refused.headers()["content-type"]).toContain("application/problem+json");
    expect((await refused.json()).detail).toBe("Een datum is ongeldig. Gebruik de vorm JJJJ-MM-DD.");
  } finally {
    await setFakeRecipient(request, VAN_DAMME_OTHER, "succeed");
  }
});

test("the queue and the delivery log are not there for an entrepreneur, another office or a visitor", async ({
  browser,
  page,
}, testInfo) => {
  const { baseURL, locale, viewport, isMobile, hasTouch, userAgent, deviceScaleFactor } = testInfo.project.use;
  const contextOptions = { baseURL, locale, viewport, isMobile, hasTouch, userAgent, deviceScaleFactor };
  await signInAs(page, "accountant");
  const portalId = await openPortal(page);
  const logPath = `/api/portals/${portalId}/delivery-log?from=2026-01-01&to=2026-01-31`;

  const anonymous = await browser.newContext(contextOptions);
  expect((await anonymous.request.get(logPath)).status()).toBe(401);
  await anonymous.close();

  for (const user of ["entrepreneur", "otherAdmin"] as const) {
    const context = await browser.newContext(contextOptions);
    const outsider = await context.newPage();
    await signInAs(outsider, user);
    const pageResponse = await outsider.goto(`/portals/${portalId}/failures`);
    expect(pageResponse?.status()).toBe(404);
    const log = await context.request.get(logPath);
    expect(log.status()).toBe(404);
    expect(log.headers()["content-type"]).toContain("application/problem+json");
    // Not even a bad range tells them the portal exists.
    expect((await context.request.get(`/api/portals/${portalId}/delivery-log?from=x&to=y`)).status()).toBe(404);
    await context.close();
  }
});
