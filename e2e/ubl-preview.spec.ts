import { randomUUID } from "node:crypto";
import { ublInvoiceXml } from "@/tests/helpers/ubl";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// Against the production build: a UBL e-invoice without a PDF of its own gets Koppel's rendering
// (pdfkit, kept out of the server bundle so it finds its font files) as its preview, labelled as
// one, while the file URL still serves the original XML.

test("a UBL e-invoice without its own PDF shows Koppel's rendering, labelled as one", async ({ page }, testInfo) => {
  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  const dossierPath = new URL(page.url()).pathname;
  const sameOrigin = { origin: new URL(testInfo.project.use.baseURL ?? "http://localhost").origin };
  // A number of its own per run and project: the same file twice is refused.
  const number = `INV-E2E-${randomUUID().slice(0, 8)}`;
  const created = await page.request.post(`/api${dossierPath}/documents`, {
    headers: sameOrigin,
    multipart: {
      file: { name: "e-factuur.xml", mimeType: "application/xml", buffer: Buffer.from(ublInvoiceXml({ number })) },
    },
  });
  expect(created.status()).toBe(201);
  const documentId = (await created.json()).results[0].document.id as string;

  const view = await page.request.get(`/api/documents/${documentId}/file?view=pdf`);
  expect(view.status()).toBe(200);
  expect(view.headers()["content-type"]).toBe("application/pdf");
  expect(view.headers()["content-security-policy"]).toBe("sandbox; frame-ancestors 'self'");
  expect(view.headers()["content-disposition"]).toContain("e-factuur-rendering.pdf");
  const pdf = await view.body();
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const title = Buffer.from(`Weergave door Koppel van e-factuur ${number}`, "utf16le").swap16();
  expect(pdf.includes(title)).toBe(true);

  const original = await page.request.get(`/api/documents/${documentId}/file`);
  expect(original.headers()["content-type"]).toBe("application/xml");

  await page.goto(`${dossierPath}/documents/${documentId}`);
  await expect(page.getByText("Weergave door Koppel — de XML is het origineel")).toBeVisible();
  await saveScreenshot(page, testInfo, "ubl-rendering-preview");
});
