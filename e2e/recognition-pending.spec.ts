import path from "node:path";
import type { Page, TestInfo } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, openDossierByName, postRecognition, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// An upload without a type says "being recognised" only where a recognition step will report it:
// the office's step has reported one of its documents (lib/recognition/step.ts), and the upload is
// younger than 15 minutes. Elsewhere it asks for the type at once. (Past the 15 minutes: the unit
// tests of lib/recognition/pending.ts; the server decides on its own clock.)

/** A dossier of the demo office that sends nothing: recognising a document there sends nothing either. */
const DEMO_DOSSIER = "Huisarts Goossens";
/** A dossier of the other office, which has no recognition step (nothing in the run reports its documents). */
const OTHER_OFFICE_DOSSIER = "Menuiserie Renard";

function screenshotPath(testInfo: TestInfo, name: string): string {
  return path.join(process.cwd(), "e2e", "screenshots", `${testInfo.project.name}-${name}.png`);
}

function uniqueName(testInfo: TestInfo, stem: string): string {
  return `${stem}-${testInfo.project.name}-${Date.now().toString(36)}.pdf`;
}

/** Uploads one file with the picker (button label in the page's language) and returns its document id. */
async function uploadOne(page: Page, fileName: string, labels: { choose: string; added: string }): Promise<string> {
  await page.getByLabel(labels.choose).setInputFiles({
    name: fileName,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: `Scan ${fileName}` })),
  });
  const line = page.getByTestId("upload-results").getByRole("listitem").filter({ hasText: fileName });
  await expect(line).toContainText(labels.added);
  const href = await line.getByRole("link", { name: fileName }).getAttribute("href");
  const id = href?.split("/").pop() ?? "";
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

/** The visible row (table on desktop, card on phones) of a document. */
function row(page: Page, documentId: string) {
  return page.locator(`[data-document-id="${documentId}"]`).filter({ visible: true });
}

test("in an office whose recognition step reports, a fresh upload says it is being recognised", async ({
  page,
  request,
}, testInfo) => {
  await signInAs(page, "accountant");
  await switchLanguage(page, "nl");
  await openDossierByName(page, DEMO_DOSSIER);
  const labels = { choose: "Bestanden kiezen", added: "Toegevoegd" };

  // The office's recognition step reports a first document (signed, as it does): it is connected.
  const first = await uploadOne(page, uniqueName(testInfo, "eerste-scan"), labels);
  const answer = await postRecognition(request, {
    documentId: first,
    documentType: "other",
    confidence: 0.9,
    fields: {},
  });
  expect(answer.status()).toBe(200);

  await page.reload();
  await expect(row(page, first)).toContainText("Ander document");
  // The upload's type picker may now promise recognition.
  await expect(page.getByLabel("Soort:").locator("option:checked")).toHaveText("Nog niet bekend (wordt herkend)");

  const fresh = uniqueName(testInfo, "nieuwe-scan");
  const freshId = await uploadOne(page, fresh, labels);
  await expect(row(page, freshId)).toContainText("Wordt herkend…");
  await expect(row(page, freshId)).not.toContainText("Niet herkend");
  await expect(row(page, freshId)).not.toContainText("Kies de soort van dit document.");
  // Still in the person's hands if they know better: the type can be picked right away.
  await expect(page.getByLabel(`Soort van ${fresh}`).filter({ visible: true })).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, "recognition-pending-nl");
  await row(page, freshId).screenshot({ path: screenshotPath(testInfo, "recognition-pending-row-nl") });
});

test("in an office without a recognition step, a fresh upload asks for its type at once (fr)", async ({
  page,
}, testInfo) => {
  await signInAs(page, "otherAdmin");
  await switchLanguage(page, "fr");
  await page.getByRole("link", { name: OTHER_OFFICE_DOSSIER, exact: true }).click();
  await expect(page.getByRole("heading", { name: OTHER_OFFICE_DOSSIER, level: 1 })).toBeVisible();

  // Nothing will recognise it, so the picker does not say it will.
  const picker = page.getByLabel("Type :");
  await expect(picker.locator("option:checked")).toHaveText("Choisir plus tard");
  await expect(picker).not.toContainText("sera reconnu");

  const fileName = uniqueName(testInfo, "scan-menuiserie");
  const id = await uploadOne(page, fileName, { choose: "Choisir des fichiers", added: "Ajouté" });
  await expect(row(page, id)).toContainText("Non reconnu");
  await expect(row(page, id)).toContainText("Choisissez le type de ce document.");
  await expect(row(page, id)).not.toContainText("Reconnaissance en cours");
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, "recognition-pick-type-fr");
  await row(page, id).screenshot({ path: screenshotPath(testInfo, "recognition-pick-type-row-fr") });
});
