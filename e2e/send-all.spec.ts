import { mkdirSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, Locator, Page, Request, TestInfo } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import {
  expect,
  fakeResendSent,
  openPortal,
  saveScreenshot,
  setAutoSend,
  signInAs,
  switchLanguage,
  test,
} from "./fixtures";

// "Select all N in this tab": a dossier with more documents in its Inbox than one page holds. Ticking
// the page offers the whole tab; sending it names the tab to the server, never the documents, and
// the answer counts what went out and what was not sent, and why.
//
// The desktop and phone projects run this file one after the other against the same server and
// database: each run makes its own dossier, with its own mail address to count the deliveries.

const TYPED = 51;
const UNTYPED = 2;
const TOTAL = TYPED + UNTYPED;
const PAGE_SIZE = 50;

/** A valid Belgian enterprise number that no earlier run used (mod-97 check digits). */
function freshCompanyNumber(): string {
  const base = 1_000_000 + Math.floor(Math.random() * 8_000_000);
  return `${String(base).padStart(8, "0")}${String(97 - (base % 97)).padStart(2, "0")}`;
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, name);
}

/** What the screen shows (not the whole page), with `locator` near its top: a 50-row page is long. */
async function screenShot(page: Page, testInfo: TestInfo, name: string, locator: Locator) {
  await locator.evaluate((element) => element.scrollIntoView({ block: "start" }));
  await page.evaluate(() => window.scrollBy(0, -120));
  mkdirSync(path.join(process.cwd(), "e2e", "screenshots"), { recursive: true });
  await page.screenshot({
    path: path.join(process.cwd(), "e2e", "screenshots", `${testInfo.project.name}-${name}.png`),
  });
}

/** A new dossier of the demo office, made on the portal overview; returns its path. */
async function createDossier(page: Page, name: string): Promise<string> {
  await openPortal(page);
  await page
    .getByRole("link", { name: /Nieuw dossier/ })
    .first()
    .click();
  const form = page.locator("form").filter({ has: page.locator("input[name=companyNumber]") });
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=companyNumber]").fill(freshCompanyNumber());
  await form.getByRole("button", { name: "Dossier aanmaken" }).click();
  const link = page.locator('a[href^="/dossiers/"]').filter({ hasText: name }).first();
  await expect(link).toBeVisible();
  const path = (await link.getAttribute("href")) ?? "";
  expect(path).toMatch(/^\/dossiers\/[0-9a-f-]{36}$/);
  return path;
}

/** Free mail to one purchase address, chosen on the dossier's Integraties tab. */
async function chooseFreeMail(page: Page, dossierPath: string, address: string) {
  await page.goto(`${dossierPath}/integration`);
  await page
    .locator('[data-marking="blue"]')
    .getByRole("link", { name: /Vrije mail/ })
    .click();
  await expect(page.locator("#integration-form")).toBeVisible();
  await page.getByLabel(/Naam van het pakket/).fill("Boekhouding e2e");
  await page.getByLabel(/^Aankoop/).fill(address);
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(page.getByText(/^Opgeslagen\./)).toBeVisible();
}

/** Uploads `count` distinct PDFs through the page's own upload route, 20 to a request. */
async function uploadMany(
  request: APIRequestContext,
  origin: string,
  dossierPath: string,
  stem: string,
  count: number,
  documentType: string | null,
) {
  for (let start = 0; start < count; start += 20) {
    const form = new FormData();
    for (let i = start; i < Math.min(count, start + 20); i++) {
      const name = `${stem}-${i + 1}.pdf`;
      form.append("file", new File([Buffer.from(buildSamplePdf({ title: name }))], name, { type: "application/pdf" }));
    }
    if (documentType) form.append("documentType", documentType);
    const response = await request.post(`/api${dossierPath}/documents`, { headers: { origin }, multipart: form });
    expect(response.status()).toBe(201);
  }
}

function tabCount(page: Page, tab: string): Promise<number> {
  return page
    .getByRole("navigation", { name: "Documenten per status" })
    .getByRole("link", { name: new RegExp(`^${tab}`) })
    .locator('[aria-hidden="true"]')
    .textContent()
    .then((text) => Number((text ?? "").replace(/\D+/g, "")));
}

/** The page's "select all on this page" box, in the page's language. */
function pageBox(page: Page, label: RegExp) {
  return page.getByRole("checkbox", { name: label });
}

const COPY = {
  nl: {
    pageBox: /^Alles op deze pagina selecteren/,
    pageSelected: `Alle ${PAGE_SIZE} documenten op deze pagina zijn geselecteerd.`,
    selectAll: `Alle ${TOTAL} in Inbox selecteren`,
    allSelected: `Alle ${TOTAL} documenten in Inbox zijn geselecteerd.`,
    clear: "Selectie wissen",
  },
  fr: {
    pageBox: /^Tout sélectionner sur cette page/,
    pageSelected: `Les ${PAGE_SIZE} documents de cette page sont sélectionnés.`,
    selectAll: `Sélectionner les ${TOTAL} documents de l'onglet Boîte de réception`,
    allSelected: `Les ${TOTAL} documents de l'onglet Boîte de réception sont sélectionnés.`,
    clear: "Effacer la sélection",
  },
  en: {
    pageBox: /^Select all on this page/,
    pageSelected: `All ${PAGE_SIZE} documents on this page are selected.`,
    selectAll: `Select all ${TOTAL} in Inbox`,
    allSelected: `All ${TOTAL} documents in Inbox are selected.`,
    clear: "Clear selection",
  },
} as const;

test("an accountant selects all 53 documents of a two-page Inbox and sends them: the tab goes to the server, the counts come back", async ({
  page,
  baseURL,
}, testInfo) => {
  test.setTimeout(180_000);
  const run = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const address = `aankoop-${run}@alles-verzenden.example`;
  await signInAs(page, "accountant");
  await switchLanguage(page, "nl");

  // A dossier of its own: auto-send off (the documents wait in the Inbox), free mail to one address,
  // 51 typed documents and 2 without a type.
  const dossierPath = await createDossier(page, `Alles verzenden ${run}`);
  await page.goto(dossierPath);
  await setAutoSend(page, false);
  await chooseFreeMail(page, dossierPath, address);
  const origin = new URL(baseURL ?? "http://localhost").origin;
  await uploadMany(page.request, origin, dossierPath, `getypt-${run}`, TYPED, "purchase_invoice");
  await uploadMany(page.request, origin, dossierPath, `zonder-type-${run}`, UNTYPED, null);

  await page.goto(dossierPath);
  expect(await tabCount(page, "Inbox")).toBe(TOTAL);
  await expect(page.getByRole("checkbox", { name: / selecteren$/ })).toHaveCount(PAGE_SIZE);
  const offer = page.getByTestId("select-all-in-tab");
  // Only once the whole page is ticked.
  await expect(offer).toHaveCount(0);

  // The offer and its way back, in each language.
  for (const locale of ["fr", "en", "nl"] as const) {
    const copy = COPY[locale];
    await switchLanguage(page, locale);
    await pageBox(page, copy.pageBox).check();
    await expect(offer).toContainText(copy.pageSelected);
    await offer.getByRole("button", { name: copy.selectAll }).click();
    await expect(offer).toContainText(copy.allSelected);
    if (locale === "fr") await screenShot(page, testInfo, "send-all-offer-taken-fr", offer);
    await offer.getByRole("button", { name: copy.clear }).click();
    await expect(offer).toHaveCount(0);
    await expect(pageBox(page, copy.pageBox)).not.toBeChecked();
  }

  // Unticking one row after choosing the whole tab is back to the page's own selection.
  await pageBox(page, COPY.nl.pageBox).check();
  await offer.getByRole("button", { name: COPY.nl.selectAll }).click();
  const bar = page.getByTestId("selection-send-bar");
  await expect(bar).toContainText(`${TOTAL} geselecteerd`);
  await page
    .getByRole("checkbox", { name: / selecteren$/ })
    .first()
    .uncheck();
  await expect(bar).toContainText(`${PAGE_SIZE - 1} geselecteerd`);
  await expect(bar.getByRole("button", { name: "Selectie verzenden" })).toBeVisible();
  await page
    .getByRole("checkbox", { name: / selecteren$/ })
    .first()
    .check();
  await expect(offer).toContainText(COPY.nl.pageSelected);
  await offer.getByRole("button", { name: COPY.nl.selectAll }).click();
  await expect(offer).toContainText(COPY.nl.allSelected);
  await expect(bar).toContainText(`${TOTAL} geselecteerd`);
  const sendAll = bar.getByRole("button", { name: `Alle ${TOTAL} verzenden` });
  // On a phone the bar stays on screen at the bottom, whatever the scroll.
  await expect(sendAll).toBeInViewport();
  await screenShot(page, testInfo, "send-all-selected-nl", offer);

  // What the browser sends: the dossier and the tab, no document id.
  const ids = await page
    .locator("[data-document-id]")
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-document-id") ?? ""));
  const actionBodies: string[] = [];
  const onRequest = (request: Request) => {
    if (request.method() === "POST" && request.headers()["next-action"]) actionBodies.push(request.postData() ?? "");
  };
  page.on("request", onRequest);
  const since = new Date().toISOString();
  await sendAll.click();

  const results = page.getByTestId("send-all-results");
  await expect(results).toContainText(`${TYPED} documenten op weg, ${UNTYPED} niet verzonden`);
  await expect(results.getByTestId("send-all-refusal")).toHaveText([
    `${UNTYPED} documenten: nog niet herkend, kies eerst het soort document`,
  ]);
  page.off("request", onRequest);
  const sendAllBody = actionBodies.find((body) => body.includes('"inbox"'));
  expect(sendAllBody, "the send-all action's request").toBeTruthy();
  for (const id of ids) expect(sendAllBody).not.toContain(id);
  await expect(page.getByTestId("selection-send-bar")).toHaveCount(0);
  await screenShot(page, testInfo, "send-all-result-nl", results);

  // One mail per typed document at the fake Resend, none twice; the tabs follow.
  await expect
    .poll(
      async () => {
        const { emails } = await fakeResendSent(page.request);
        return emails.filter((email) => email.receivedAt >= since && email.to.includes(address)).length;
      },
      { timeout: 90_000 },
    )
    .toBe(TYPED);
  await expect
    .poll(
      async () => {
        await page.reload();
        return tabCount(page, "Verzonden");
      },
      { timeout: 30_000 },
    )
    .toBe(TYPED);
  expect(await tabCount(page, "Inbox")).toBe(UNTYPED);
  // Two left: one page, so no offer for the whole tab.
  await pageBox(page, COPY.nl.pageBox).check();
  await expect(offer).toHaveCount(0);
  await screenshot(page, testInfo, "send-all-done-nl");
});
