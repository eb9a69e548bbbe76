import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { ublBytes } from "../tests/helpers/ubl";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// An entrepreneur shares Peppol e-invoices from her phone into her dossier Studio Lemaire SRL
// (free mail to its bookkeeper, auto-send on): the XML types the document at once and it is sent;
// the same file again is refused; the same invoice in other bytes is held as a possible duplicate
// until she says it is a different document.

const DOSSIER = "Studio Lemaire SRL";
// db/seed.ts numbers the demo dossiers from this base; Studio Lemaire is the second.
const DOSSIER_COMPANY_NUMBER = companyNumberFromBase(4_012_345 + 7_919);
const PICK_PAGE = /\/share\/[0-9a-f-]{36}$/;

/** Shares files into Koppel as the phone's share sheet does, picks the dossier, and lands on it. */
async function share(page: Page, files: { name: string; content: Uint8Array }[]): Promise<string> {
  const manifest = (await (await page.request.get("/manifest.webmanifest")).json()) as {
    share_target: { action: string; params: { files: { name: string }[] } };
  };
  const field = manifest.share_target.params.files[0]?.name ?? "";
  const form = new FormData();
  for (const file of files)
    form.append(field, new Blob([Buffer.from(file.content)], { type: "application/xml" }), file.name);
  const shared = await page.request.post(manifest.share_target.action, {
    headers: { "sec-fetch-site": "none" },
    multipart: form,
    maxRedirects: 0,
  });
  expect(shared.status()).toBe(303);
  const location = shared.headers().location ?? "";
  expect(location).toMatch(PICK_PAGE);
  await page.goto(location);
  await page.getByRole("button", { name: DOSSIER }).click();
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}\?shared=/);
  return page.url();
}

function documentLink(page: Page, fileName: string) {
  return page.getByRole("link", { name: fileName, exact: true }).locator("visible=true").first();
}

/** Opens the document from the dossier's tab (Inbox: "", Sent: "?tab=sent"), reloading until it is listed there. */
async function openFromTab(page: Page, dossierUrl: string, tab: "" | "?tab=sent", fileName: string) {
  const list = `${new URL(dossierUrl).pathname}${tab}`;
  await expect(async () => {
    await page.goto(list);
    await expect(documentLink(page, fileName)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await documentLink(page, fileName).click();
  await page.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
}

/** Reloads the document page until its status says `status` (auto-send runs in the background). */
async function expectStatus(page: Page, status: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("document-status")).toContainText(status, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
}

test("a shared e-invoice is typed from its XML and sent at once; the same file again is refused; the same invoice again waits as a possible duplicate (einvoice)", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const run = randomUUID().slice(0, 8);
  const invoice = {
    number: `F-${run}`,
    payableAmount: "1656.25",
    lines: [{ amount: "1368.80", description: "Drukwerk folders" }],
    customer: {
      name: DOSSIER,
      vatNumber: `BE${DOSSIER_COMPANY_NUMBER}`,
      endpoint: { value: DOSSIER_COMPANY_NUMBER, scheme: "0208" },
    },
  };
  const first = { name: `peppol-${run}.xml`, content: ublBytes(invoice) };

  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");

  // 1. Typed at once from the XML, with supplier and amount, and sent by auto-send.
  const dossierUrl = await share(page, [first]);
  await expect(page.getByRole("status", { name: "Gedeeld met Koppel" })).toContainText(
    "1 document toegevoegd aan dit dossier.",
  );
  // Auto-send is on and the mail goes at once: it is found under Sent.
  await openFromTab(page, dossierUrl, "?tab=sent", first.name);
  const firstDocument = page.url();
  const fields = page.getByRole("region", { name: "Herkende gegevens" });
  await expect(fields).toContainText("Aankoopfactuur");
  await expect(fields).toContainText("Drukkerij Peeters BV");
  await expect(fields).toContainText(invoice.number);
  await expect(fields).toContainText("1.656,25");
  await expectStatus(page, "Verzonden");
  await saveScreenshot(page, testInfo, "einvoice-sent-nl");

  // 2. The very same file again: refused, and nothing new in the dossier.
  await share(page, [first]);
  const outcome = page.getByRole("status", { name: "Gedeeld met Koppel" });
  await expect(outcome).toContainText("Dit bestand zit al in dit dossier.");
  await saveScreenshot(page, testInfo, "einvoice-same-file-nl");

  // 3. The same invoice (supplier VAT, number, amount) in other bytes: held, not sent.
  const again = {
    name: `peppol-${run}-opnieuw.xml`,
    content: ublBytes({ ...invoice, lines: [{ amount: "1368.80", description: "Drukwerk folders (kopie)" }] }),
  };
  await share(page, [again]);
  await openFromTab(page, dossierUrl, "", again.name);
  await expect(page.getByText("Dit is misschien dezelfde factuur als:")).toBeVisible();
  await expect(page.getByRole("link", { name: new RegExp(first.name) })).toHaveAttribute(
    "href",
    new URL(firstDocument).pathname,
  );
  await page.reload();
  await expect(page.getByTestId("document-status")).toContainText("Inbox");
  await saveScreenshot(page, testInfo, "einvoice-possible-duplicate-nl");

  // 4. She confirms it is a different document: it goes.
  await page.getByRole("button", { name: "Het is een ander document — verzend het" }).click();
  await page.getByRole("button", { name: "Ja, het is een ander document" }).click();
  await expectStatus(page, "Verzonden");
  await expect(page.getByText("Dit is misschien dezelfde factuur als:")).toHaveCount(0);
});
