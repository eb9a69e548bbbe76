import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, signInAs, switchLanguage, test } from "./fixtures";

const MISSING = "00000000-0000-4000-8000-000000000000";
// Over 20 MB, and over what one upload request may carry.
const TOO_LARGE = Buffer.alloc(21 * 1024 * 1024, 0x25);

test("the upload and file routes answer anonymous visitors and outsiders with problems, never data", async ({
  browser,
  page,
}, testInfo) => {
  // Two browser contexts, three sign-ins and a 21 MB file handed to the page: on a loaded 2-core
  // machine that alone can take most of the default minute.
  test.setTimeout(120_000);
  const { baseURL, locale, viewport, isMobile, hasTouch, userAgent, deviceScaleFactor } = testInfo.project.use;
  const contextOptions = { baseURL, locale, viewport, isMobile, hasTouch, userAgent, deviceScaleFactor };
  // Uploads are taken from Koppel's own pages only (lib/http/same-origin.ts); a browser's fetch
  // sends this Origin itself, Playwright's request context does not.
  const sameOrigin = { origin: new URL(baseURL ?? "http://localhost").origin };
  // An accountant's document in a dossier the entrepreneur is not in.
  await signInAs(page, "accountant");
  await page.getByRole("searchbox").fill("Drukkerij Van Damme");
  await page.getByRole("button", { name: "Zoeken" }).click();
  await page.getByRole("link", { name: "Drukkerij Van Damme BV" }).first().click();
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}$/);
  const foreignDossierPath = new URL(page.url()).pathname;
  const href = await page.locator("a[href*='/documents/']").first().getAttribute("href");
  const foreignDocumentId = href?.split("/").pop() ?? "";

  const anonymous = await browser.newContext(contextOptions);
  for (const response of [
    await anonymous.request.get(`/api/documents/${foreignDocumentId}/file`),
    await anonymous.request.get(`/api/documents/${foreignDocumentId}/file?view=pdf`),
    await anonymous.request.post(`/api/dossiers/${MISSING}/documents`, {
      headers: sameOrigin,
      multipart: { file: { name: "a.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") } },
    }),
  ]) {
    expect(response.status()).toBe(401);
    expect(response.headers()["content-type"]).toContain("application/problem+json");
  }
  await anonymous.close();

  const entrepreneur = await browser.newContext(contextOptions);
  const entrepreneurPage = await entrepreneur.newPage();
  await signInAs(entrepreneurPage, "entrepreneur");
  await switchLanguage(entrepreneurPage, "nl");
  const ownDossierPath = new URL(entrepreneurPage.url()).pathname;
  const request = entrepreneur.request;
  for (const path of [
    `/api/documents/${foreignDocumentId}/file`,
    `/api/documents/${foreignDocumentId}/file?view=pdf`,
    `/api/documents/${MISSING}/file`,
    `/api/documents/${MISSING}/file?view=pdf`,
    "/api/documents/x/file",
  ]) {
    const response = await request.get(path);
    expect(response.status()).toBe(404);
    expect(response.headers()["content-type"]).toContain("application/problem+json");
  }
  const foreignUpload = await request.post(`/api${foreignDossierPath}/documents`, {
    headers: sameOrigin,
    multipart: {
      file: { name: "a.pdf", mimeType: "application/pdf", buffer: Buffer.from(buildSamplePdf({ title: "x" })) },
    },
  });
  expect(foreignUpload.status()).toBe(404);
  const foreignPage = await entrepreneurPage.goto(`${foreignDossierPath}/documents/${foreignDocumentId}`);
  expect(foreignPage?.status()).toBe(404);

  // Her own dossier: refusals say why in her language, and nothing is stored.
  const tooLarge = await request.post(`/api${ownDossierPath}/documents`, {
    headers: sameOrigin,
    multipart: { file: { name: "groot.pdf", mimeType: "application/pdf", buffer: TOO_LARGE } },
  });
  expect(tooLarge.status()).toBe(413);
  const tooLargeBody = await tooLarge.json();
  expect(tooLargeBody.detail).toContain("groter dan 20 MB");
  expect(JSON.stringify(tooLargeBody)).not.toMatch(/at .*\.(js|ts):\d+/);
  const exe = await request.post(`/api${ownDossierPath}/documents`, {
    headers: sameOrigin,
    multipart: {
      file: { name: "factuur.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ\x90\x00 not a pdf") },
    },
  });
  expect(exe.status()).toBe(415);
  expect((await exe.json()).results[0].message).toContain("Dit soort bestand nemen we niet aan");
  const empty = await request.post(`/api${ownDossierPath}/documents`, { headers: sameOrigin, data: { file: "nope" } });
  expect(empty.status()).toBe(400);
  // Another site posting with her session cookie: refused before anything else.
  const crossSite = await request.post(`/api${ownDossierPath}/documents`, {
    headers: { origin: "https://evil.example" },
    multipart: {
      file: { name: "a.pdf", mimeType: "application/pdf", buffer: Buffer.from(buildSamplePdf({ title: "x" })) },
    },
  });
  expect(crossSite.status()).toBe(403);
  expect(crossSite.headers()["content-type"]).toContain("application/problem+json");

  // A stored file comes back as itself, inline, never sniffed, in a sandbox.
  const created = await request.post(`/api${ownDossierPath}/documents`, {
    headers: sameOrigin,
    multipart: {
      file: {
        name: "Factuur é.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(buildSamplePdf({ title: `Factuur ${testInfo.project.name} ${Date.now()}` })),
      },
    },
  });
  expect(created.status()).toBe(201);
  const documentId = (await created.json()).results[0].document.id as string;
  const file = await request.get(`/api/documents/${documentId}/file`);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect(file.headers()["x-content-type-options"]).toBe("nosniff");
  expect(file.headers()["content-security-policy"]).toBe("sandbox; frame-ancestors 'self'");
  expect(file.headers()["content-disposition"]).toBe(
    `inline; filename="Factuur _.pdf"; filename*=UTF-8''Factuur%20%C3%A9.pdf`,
  );
  const whole = await file.body();
  expect(whole.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(file.headers()["accept-ranges"]).toBe("bytes");
  // Through the production server too, one range is a 206 of exactly those bytes, past the end a 416.
  const tail = await request.get(`/api/documents/${documentId}/file`, { headers: { range: "bytes=-7" } });
  expect(tail.status()).toBe(206);
  expect(tail.headers()["content-range"]).toBe(`bytes ${whole.length - 7}-${whole.length - 1}/${whole.length}`);
  expect(tail.headers()["content-security-policy"]).toBe("sandbox; frame-ancestors 'self'");
  expect((await tail.body()).equals(whole.subarray(whole.length - 7))).toBe(true);
  const past = await request.get(`/api/documents/${documentId}/file`, { headers: { range: `bytes=${whole.length}-` } });
  expect(past.status()).toBe(416);
  expect(past.headers()["content-range"]).toBe(`bytes */${whole.length}`);

  // Deleted from its page, after asking: back on the dossier, and the document is gone.
  await entrepreneurPage.goto(`${ownDossierPath}/documents/${documentId}`);
  await expect(entrepreneurPage.getByTestId("document-status")).toContainText("Inbox");
  await entrepreneurPage.getByRole("button", { name: "Verwijderen: Factuur é.pdf" }).click();
  await expect(entrepreneurPage.getByText("Dit document definitief verwijderen?")).toBeVisible();
  await entrepreneurPage.getByRole("button", { name: "Ja, verwijderen" }).click();
  await entrepreneurPage.waitForURL((url) => url.pathname === ownDossierPath);
  expect((await request.get(`/api/documents/${documentId}/file`)).status()).toBe(404);
  expect((await entrepreneurPage.goto(`${ownDossierPath}/documents/${documentId}`))?.status()).toBe(404);
  await expect(entrepreneurPage.getByRole("heading", { name: "Dit document vinden we niet" })).toBeVisible();

  // The upload form refuses a file over 20 MB before sending it, in her language.
  await entrepreneurPage.goto(ownDossierPath);
  await entrepreneurPage
    .getByLabel("Bestanden kiezen")
    .setInputFiles({ name: "te-groot.pdf", mimeType: "application/pdf", buffer: TOO_LARGE });
  await expect(entrepreneurPage.getByTestId("upload-results")).toContainText(
    "Dit bestand is groter dan 20 MB. Kies een kleiner bestand of splits het document.",
  );
  await entrepreneur.close();
});
