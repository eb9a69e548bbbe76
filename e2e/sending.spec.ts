import type { APIRequestContext, Locator, Page, Response, TestInfo } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import {
  expect,
  fakeResendSent,
  postRecognition,
  saveScreenshot,
  setFakeRecipient,
  signInAs,
  switchLanguage,
  test,
  waitForEmail,
} from "./fixtures";

// The desktop and phone projects run this file one after the other against the same server and
// database. Every scenario therefore works on documents it creates itself (unique file names), or,
// for the bulk send, on whatever the 60-document dossier still has in its inbox.

const STUDIO_LEMAIRE = "Studio Lemaire SRL";
const LEMAIRE_PURCHASE = "aankoop@lemaire-boekhouding.example";
const VAN_DAMME = "Drukkerij Van Damme BV";
const VAN_DAMME_DOMAIN = "@vandamme-boekhouding.example";
const VAN_DAMME_OTHER = "overige@vandamme-boekhouding.example";

/** A file name no earlier run (or the other project) used. */
function uniqueName(testInfo: TestInfo, stem: string): string {
  return `${stem}-${testInfo.project.name}-${Date.now().toString(36)}.pdf`;
}

function pdfFile(name: string, title: string) {
  return { name, mimeType: "application/pdf", buffer: Buffer.from(buildSamplePdf({ title: `${title} ${name}` })) };
}

/** The visible row (table on desktop, card on phones) of a document. */
function row(page: Page, documentId: string): Locator {
  return page.locator(`[data-document-id="${documentId}"]`).filter({ visible: true });
}

/** Full-page screenshots from the top, so the sticky header does not land mid-page. */
async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, name);
}

/** Uploads files with the "choose files" picker and returns the new documents' ids by file name. */
async function upload(page: Page, files: ReturnType<typeof pdfFile>[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const answers: Promise<void>[] = [];
  const onResponse = (response: Response) => {
    if (response.request().method() !== "POST" || !/\/api\/dossiers\/[^/]+\/documents$/.test(response.url())) return;
    answers.push(
      response.json().then((body: { results: { ok: boolean; fileName: string; document?: { id: string } }[] }) => {
        for (const result of body.results)
          if (result.ok && result.document) ids.set(result.fileName, result.document.id);
      }),
    );
  };
  page.on("response", onResponse);
  await page.getByLabel("Bestanden kiezen").setInputFiles(files);
  const results = page.getByTestId("upload-results");
  for (const file of files) {
    await expect(results.getByRole("listitem").filter({ hasText: file.name })).toContainText("Toegevoegd");
  }
  await expect
    .poll(async () => {
      await Promise.all(answers);
      return ids.size;
    })
    .toBe(files.length);
  page.off("response", onResponse);
  return ids;
}

/** Switches the dossier's auto-send to the wanted state in its settings section. */
async function setAutoSend(page: Page, isOn: boolean) {
  const toggle = page.getByRole("switch", { name: "Automatisch verzenden" });
  if ((await toggle.getAttribute("aria-checked")) !== String(isOn)) await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", String(isOn));
  await expect(page.getByText(isOn ? /^Staat aan:/ : /^Staat uit:/)).toBeVisible();
}

/** From the portal overview (search by name) to the dossier's page. */
async function openDossierFromPortal(page: Page, name: string) {
  await page.goto("/");
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
  await page.getByRole("searchbox").fill(name);
  await page.getByRole("button", { name: "Zoeken" }).click();
  await page.getByRole("link", { name }).first().click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

function tabCount(page: Page, tab: string): Promise<number> {
  return page
    .getByRole("navigation", { name: "Documenten per status" })
    .getByRole("link", { name: new RegExp(`^${tab}`) })
    .locator('[aria-hidden="true"]')
    .textContent()
    .then((text) => Number((text ?? "").replace(/\D+/g, "")));
}

async function mailsTo(request: APIRequestContext, since: string, matches: (to: string) => boolean) {
  const { emails } = await fakeResendSent(request);
  return emails.filter((email) => email.receivedAt >= since && email.to.some(matches));
}

test("an entrepreneur uploads two files: one recognised by the webhook goes out by itself, the other is typed by hand, sent and archived", async ({
  page,
  request,
}, testInfo) => {
  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  const dossierHref = await page.locator("header a", { hasText: STUDIO_LEMAIRE }).first().getAttribute("href");
  await page.goto(dossierHref ?? "/");
  await expect(page.getByRole("heading", { name: STUDIO_LEMAIRE, level: 1 })).toBeVisible();
  await expect(page.getByText("Vrije mail naar het boekhoudpakket")).toBeVisible();
  await setAutoSend(page, true);

  // Two files at once.
  const recognised = uniqueName(testInfo, "factuur-drukkerij");
  const scan = uniqueName(testInfo, "scan-kasticket");
  const ids = await upload(page, [pdfFile(recognised, "Factuur"), pdfFile(scan, "Kasticket")]);
  const recognisedId = ids.get(recognised) ?? "";
  const scanId = ids.get(scan) ?? "";
  await expect(row(page, scanId)).toBeVisible();

  // The recognition step reports the first one, signed; auto-send takes it to the free-mail address.
  const invoiceNumber = `F-${testInfo.project.name}-${Date.now()}`;
  const since = new Date().toISOString();
  const answer = await postRecognition(request, {
    documentId: recognisedId,
    documentType: "purchase_invoice",
    confidence: 0.97,
    fields: {
      supplierName: "Drukkerij Peeters",
      invoiceNumber,
      invoiceDate: "2026-11-20",
      totalAmount: 121,
      currency: "EUR",
    },
  });
  expect(answer.status()).toBe(200);
  // The office's recognition step has reported now, so the fresh scan waits for it too.
  await page.reload();
  await expect(row(page, scanId)).toContainText("Wordt herkend…");
  const mail = await waitForEmail(request, (email) => email.subject.includes(invoiceNumber));
  expect(mail.to).toEqual([LEMAIRE_PURCHASE]);
  expect(mail.subject).toBe(`${STUDIO_LEMAIRE} · Aankoopfactuur · Drukkerij Peeters · ${invoiceNumber}`);
  expect(mail.attachments.map((attachment) => attachment.filename)).toEqual([recognised]);
  expect(
    Buffer.from(mail.attachments[0]?.content ?? "", "base64")
      .subarray(0, 5)
      .toString("latin1"),
  ).toBe("%PDF-");
  expect(mail.idempotencyKey).toBeTruthy();

  // Its page shows the recognised data and the automatic delivery.
  await page.goto(`${dossierHref}/documents/${recognisedId}`);
  await expect(page.getByTestId("document-status")).toContainText("Verzonden");
  await expect(page.getByText("Drukkerij Peeters")).toBeVisible();
  const history = page.getByTestId("document-history");
  await expect(history).toContainText("Automatisch verzonden door Koppel");
  await expect(history.getByTestId("attempt").first()).toContainText("Gelukt");
  await expect(history).toContainText(LEMAIRE_PURCHASE);
  await screenshot(page, testInfo, "entrepreneur-document-sent-nl");

  // The scan has no type: sending it is refused, with the reason.
  await page.goto(dossierHref ?? "/");
  await page.getByRole("checkbox", { name: `${scan} selecteren` }).check();
  await page.getByRole("button", { name: "Selectie verzenden" }).click();
  const results = page.getByTestId("send-results");
  await expect(results).toContainText("Geen document op weg, 1 niet verzonden");
  await expect(results.getByTestId("send-refusal")).toContainText(scan);
  await expect(results.getByTestId("send-refusal")).toContainText(
    "Dit document is nog niet herkend. Kies eerst het soort document.",
  );

  // Auto-send off, so typing it by hand does not send it: it stays in the inbox and says why.
  await setAutoSend(page, false);
  await page.getByLabel(`Soort van ${scan}`).filter({ visible: true }).selectOption("receipt");
  await expect(row(page, scanId)).toContainText("Kasticket");
  await expect(async () => {
    await page.reload();
    await expect(row(page, scanId)).toContainText("automatisch verzenden staat uit", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await screenshot(page, testInfo, "entrepreneur-dossier-typed-nl");

  // Sent by hand: "sending" at once, then Sent without a reload.
  await page.getByRole("button", { name: `Verzenden: ${scan}` }).click();
  await expect(results).toContainText("1 document op weg, 0 niet verzonden");
  await expect(results.getByTestId("send-progress")).toHaveText("Klaar: 1 verzonden, 0 mislukt", { timeout: 30_000 });
  const scanMail = await waitForEmail(request, (email) =>
    email.attachments.some((attachment) => attachment.filename === scan),
  );
  expect(scanMail.to).toEqual([LEMAIRE_PURCHASE]);
  expect(scanMail.subject).toBe(`${STUDIO_LEMAIRE} · Kasticket`);
  // Exactly one mail per document.
  expect((await mailsTo(request, since, (to) => to === LEMAIRE_PURCHASE)).length).toBe(2);

  // Sent documents are archived from the Sent tab, and show under Archived.
  await page
    .getByRole("navigation", { name: "Documenten per status" })
    .getByRole("link", { name: /^Verzonden/ })
    .click();
  await expect(page).toHaveURL(/tab=sent/);
  await expect(row(page, scanId)).toContainText("Verzonden");
  await screenshot(page, testInfo, "entrepreneur-dossier-sent-nl");
  await page.getByRole("button", { name: `Archiveren: ${scan}` }).click();
  await expect(row(page, scanId)).toHaveCount(0);
  await page
    .getByRole("navigation", { name: "Documenten per status" })
    .getByRole("link", { name: /^Archief/ })
    .click();
  await expect(page).toHaveURL(/tab=archived/);
  await expect(page.getByRole("button", { name: `Uit het archief halen: ${scan}` })).toBeVisible();

  await switchLanguage(page, "fr");
  await expect(page.getByRole("button", { name: `Sortir des archives: ${scan}` })).toBeVisible();
  await screenshot(page, testInfo, "entrepreneur-dossier-archived-fr");
  await switchLanguage(page, "nl");
  await setAutoSend(page, true);
});

test("an accountant sends the inbox of a dossier in bulk and watches the documents turn Sent without reloading", async ({
  page,
  request,
}, testInfo) => {
  await signInAs(page, "accountant");
  await switchLanguage(page, "nl");
  await openDossierFromPortal(page, VAN_DAMME);
  const checkboxes = page.getByRole("checkbox", { name: / selecteren$/ });
  const count = await checkboxes.count();
  // 50 on the first run (a page of the 60 seeded), what is left on the second.
  expect(count).toBeGreaterThan(0);
  if ((await tabCount(page, "Inbox")) >= 50) expect(count).toBe(50);
  const sentBefore = await tabCount(page, "Verzonden");
  const since = new Date().toISOString();
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  await page.getByRole("checkbox", { name: `Alles op deze pagina selecteren (${count})` }).check();
  await expect(page.getByText(`${count} geselecteerd`)).toBeVisible();
  await page.getByRole("button", { name: "Selectie verzenden" }).click();
  const results = page.getByTestId("send-results");
  await expect(results).toContainText(`${count} documenten op weg, 0 niet verzonden`);
  await screenshot(page, testInfo, "accountant-bulk-sending-nl");

  // Live: the list and its counts follow each document until all are Sent.
  await expect(results.getByTestId("send-progress")).toHaveText(`Klaar: ${count} verzonden, 0 mislukt`, {
    timeout: 90_000,
  });
  await expect.poll(() => tabCount(page, "Verzonden"), { timeout: 20_000 }).toBe(sentBefore + count);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  // One mail per document at the fake Resend.
  expect((await mailsTo(request, since, (to) => to.endsWith(VAN_DAMME_DOMAIN))).length).toBe(count);
  await screenshot(page, testInfo, "accountant-bulk-sent-nl");

  await page
    .getByRole("navigation", { name: "Documenten per status" })
    .getByRole("link", { name: /^Verzonden/ })
    .click();
  await switchLanguage(page, "fr");
  await expect(page.getByText("Envoyé").first()).toBeVisible();
  await screenshot(page, testInfo, "accountant-dossier-sent-fr");
  await switchLanguage(page, "nl");
});

test("a refused address fails the document with its reason, and a retry after the fix succeeds", async ({
  page,
  request,
}, testInfo) => {
  await setFakeRecipient(request, VAN_DAMME_OTHER, "fail");
  try {
    await signInAs(page, "accountant");
    await switchLanguage(page, "nl");
    await openDossierFromPortal(page, VAN_DAMME);

    // Uploaded with its type: recognised at once, and left in the inbox since auto-send is off.
    const name = uniqueName(testInfo, "brief-van-de-bank");
    await page.getByLabel("Soort:").selectOption("other");
    const ids = await upload(page, [pdfFile(name, "Brief")]);
    const documentId = ids.get(name) ?? "";
    await expect(row(page, documentId)).toContainText("Ander document");

    await page.getByRole("button", { name: `Verzenden: ${name}` }).click();
    const results = page.getByTestId("send-results");
    await expect(results.getByTestId("send-progress")).toHaveText("Klaar: 0 verzonden, 1 mislukt", {
      timeout: 30_000,
    });
    const reason = "Het pakket weigerde het e-mailadres. Kijk het adres na bij de integratie van het dossier.";
    await expect(results).toContainText(reason);

    await page
      .getByRole("navigation", { name: "Documenten per status" })
      .getByRole("link", { name: /^Mislukt/ })
      .click();
    await expect(page).toHaveURL(/tab=failed/);
    await expect(row(page, documentId)).toContainText("Mislukt");
    await expect(row(page, documentId)).toContainText(reason);
    await screenshot(page, testInfo, "accountant-dossier-failed-reason-nl");

    // The address is fixed at the package's end; a retry goes through.
    await setFakeRecipient(request, VAN_DAMME_OTHER, "succeed");
    await page.getByRole("button", { name: `Opnieuw proberen: ${name}` }).click();
    await expect(page.getByTestId("send-results").getByTestId("send-progress")).toHaveText(
      "Klaar: 1 verzonden, 0 mislukt",
      { timeout: 30_000 },
    );
    const mail = await waitForEmail(request, (email) =>
      email.attachments.some((attachment) => attachment.filename === name),
    );
    expect(mail.to).toEqual([VAN_DAMME_OTHER]);

    // The document page tells the whole story: the failed try with its reason, then the retry.
    await page.goto(`${page.url().split("?")[0]}/documents/${documentId}`);
    await expect(page.getByTestId("document-status")).toContainText("Verzonden");
    const history = page.getByTestId("document-history");
    await expect(history.getByRole("listitem").filter({ hasText: "Opnieuw geprobeerd" }).first()).toContainText(
      "Gelukt",
    );
    await expect(
      history.getByRole("listitem").filter({ hasText: "Met de hand verzonden door Bram Janssens" }).first(),
    ).toContainText(reason);
    await screenshot(page, testInfo, "accountant-document-nl");
    await switchLanguage(page, "fr");
    await expect(page.getByTestId("document-history")).toContainText("Nouvel essai");
    await screenshot(page, testInfo, "accountant-document-fr");
    await switchLanguage(page, "nl");
  } finally {
    await setFakeRecipient(request, VAN_DAMME_OTHER, "succeed");
  }
});
