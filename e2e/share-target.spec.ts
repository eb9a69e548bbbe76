import { randomUUID } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

// Headless Chromium cannot install the app or share into it. So these tests read the share target
// from the manifest as a phone would, and post its fields to its action URL with the session
// cookie: once as a form from the signed-in page, once as the share sheet sends it (no Origin,
// Sec-Fetch-Site: none). Eva, the demo entrepreneur, runs two companies: she picks one.

type Manifest = {
  name: string;
  display: string;
  start_url: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
  share_target: {
    action: string;
    method: string;
    enctype: string;
    params: { files: { name: string; accept: string[] }[] };
  };
};

const PICK_PAGE = /\/share\/[0-9a-f-]{36}$/;
// Eva's dossier that has no integration to pass the document on: it stays in her Inbox.
const PICKED_DOSSIER = "Studio Lemaire SRL";

/** The document's link in the dossier's list (the table on desktop, the cards on a phone). */
function documentLink(page: Page, fileName: string) {
  return page.getByRole("link", { name: fileName, exact: true }).locator("visible=true").first();
}

async function readManifest(request: APIRequestContext): Promise<Manifest> {
  const response = await request.get("/manifest.webmanifest");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/manifest+json");
  return (await response.json()) as Manifest;
}

test("the manifest makes Koppel installable, publicly, and declares a share target for the upload types (share)", async ({
  page,
  request,
}) => {
  // `request` carries no session: what "Add to home screen" fetches must be public.
  const manifest = await readManifest(request);
  expect(manifest).toMatchObject({ name: "Koppel", display: "standalone", start_url: "/" });
  expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`).sort()).toEqual([
    "192x192 any",
    "512x512 any",
    "512x512 maskable",
  ]);
  for (const src of [...manifest.icons.map((icon) => icon.src), "/apple-touch-icon.png"]) {
    const icon = await request.get(src, { maxRedirects: 0 });
    expect(icon.status(), src).toBe(200);
    expect(icon.headers()["content-type"]).toBe("image/png");
  }
  expect(manifest.share_target).toMatchObject({ method: "POST", enctype: "multipart/form-data" });
  expect(manifest.share_target.params.files[0]?.accept).toEqual(
    expect.arrayContaining(["application/pdf", "image/jpeg", "image/png", "application/xml", ".xml"]),
  );

  await page.goto("/sign-in");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", "/apple-touch-icon.png");
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#1f57b8");
});

test("a file shared to Koppel waits for the entrepreneur to pick one of her dossiers, then lands there (share)", async ({
  page,
}, testInfo) => {
  const { share_target: target } = await readManifest(page.request);
  const field = target.params.files[0];
  if (!field) throw new Error("the share target takes no files");
  const fileName = `gedeeld-${randomUUID().slice(0, 8)}.pdf`;

  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  // The share target's own fields, posted by the browser as a form: its Origin, its cookie.
  await page.evaluate(
    ({ action, method, enctype, name, accept }) => {
      const form = document.createElement("form");
      form.id = "share-target";
      form.action = action;
      form.method = method;
      form.enctype = enctype;
      const input = document.createElement("input");
      input.type = "file";
      input.name = name;
      input.multiple = true;
      input.accept = accept.join(",");
      form.append(input);
      document.body.append(form);
    },
    { action: target.action, method: target.method, enctype: target.enctype, name: field.name, accept: field.accept },
  );
  await page.locator("#share-target input[type=file]").setInputFiles({
    name: fileName,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: `Gedeeld ${fileName}` })),
  });
  await page.locator("#share-target").evaluate((form: HTMLFormElement) => form.submit());
  await page.waitForURL(PICK_PAGE);
  const pickPage = page.url();

  await expect(page.getByRole("heading", { name: "Voor welk dossier is dit bestand?", level: 1 })).toBeVisible();
  await expect(page.getByText(fileName)).toBeVisible();
  await expect(page.getByRole("button", { name: "Bakkerij Wouters BV" })).toBeVisible();
  await saveScreenshot(page, testInfo, "share-pick-nl");
  await page.getByRole("button", { name: PICKED_DOSSIER }).click();

  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}\?shared=1$/);
  await expect(page.getByRole("heading", { name: PICKED_DOSSIER, level: 1 })).toBeVisible();
  await expect(page.getByRole("status", { name: "Gedeeld met Koppel" })).toContainText(
    "1 document toegevoegd aan dit dossier.",
  );
  await expect(documentLink(page, fileName)).toBeVisible();
  await saveScreenshot(page, testInfo, "share-landed-nl");

  // Picked once: the share and its files are gone.
  expect((await page.goto(pickPage))?.status()).toBe(404);
});

test("the share sheet's own request (no Origin, Sec-Fetch-Site none) is taken, refusals are explained, and other sites are refused (share)", async ({
  page,
  request,
}, testInfo) => {
  const { share_target: target } = await readManifest(request);
  const field = target.params.files[0]?.name ?? "";
  const good = `bon-${randomUUID().slice(0, 8)}.pdf`;
  const files = [
    { name: good, mimeType: "application/pdf", buffer: Buffer.from(buildSamplePdf({ title: good })) },
    { name: "programma.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ\x90\x00 not a pdf") },
  ];
  const multipart = () => {
    const form = new FormData();
    for (const file of files) form.append(field, new Blob([file.buffer], { type: file.mimeType }), file.name);
    return form;
  };

  // Signed out: to the sign-in page, which brings the person back to share again. Nothing kept.
  const anonymous = await request.post(target.action, {
    headers: { "sec-fetch-site": "none" },
    multipart: multipart(),
    maxRedirects: 0,
  });
  expect(anonymous.status()).toBe(303);
  expect(anonymous.headers().location).toBe("/sign-in?callbackUrl=%2Fshare%2Fnotice%2Fsigned-in");

  await signInAs(page, "entrepreneur");
  await switchLanguage(page, "nl");
  // Another site posting with her cookie: refused before anything is read.
  const crossSite = await page.request.post(target.action, {
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    multipart: multipart(),
    maxRedirects: 0,
  });
  expect(crossSite.status()).toBe(403);
  expect(await crossSite.text()).toContain("Niet gedeeld");

  const shared = await page.request.post(target.action, {
    headers: { "sec-fetch-site": "none" },
    multipart: multipart(),
    maxRedirects: 0,
  });
  expect(shared.status()).toBe(303);
  const location = shared.headers().location ?? "";
  expect(location).toMatch(PICK_PAGE);

  await page.goto(location);
  await expect(page.getByRole("heading", { name: "Voor welk dossier zijn deze bestanden?", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: PICKED_DOSSIER }).click();
  await page.waitForURL(/\?shared=1&refused=upload\.unsupportedType$/);
  const outcome = page.getByRole("status", { name: "Gedeeld met Koppel" });
  await expect(outcome).toContainText("1 document toegevoegd aan dit dossier.");
  await expect(outcome).toContainText("1 bestand werd niet aanvaard:");
  await expect(outcome).toContainText("Dit soort bestand nemen we niet aan.");
  await expect(documentLink(page, good)).toBeVisible();
  await saveScreenshot(page, testInfo, "share-refused-nl");

  // Over what one upload may carry: a page that says so.
  const tooLarge = await page.request.post(target.action, {
    headers: { "sec-fetch-site": "none" },
    multipart: {
      [field]: { name: "groot.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(21 * 1024 * 1024, 0x25) },
    },
    maxRedirects: 0,
  });
  expect(tooLarge.status()).toBe(303);
  await page.goto(tooLarge.headers().location ?? "");
  await expect(page.getByRole("heading", { name: "Te groot om in één keer te delen", level: 1 })).toBeVisible();
});
