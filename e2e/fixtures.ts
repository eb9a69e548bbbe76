import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import {
  type APIRequestContext,
  type BrowserContext,
  test as base,
  expect,
  type Page,
  type TestInfo,
} from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { E2E_RECOGNITION_SECRET } from "./e2e-env";
import { FAKE_RESEND_URL, type FakeEmail, type FakeRequest } from "./fake-resend";

export const USERS = {
  admin: { email: "an.admin@demo.koppel.example", name: "An Peeters" },
  accountant: { email: "bram.accountant@demo.koppel.example", name: "Bram Janssens" },
  entrepreneur: { email: "eva.ondernemer@demo.koppel.example", name: "Eva Claes" },
  otherAdmin: { email: "olivier.admin@ander.koppel.example", name: "Olivier Dubois" },
} as const;

export type DemoUserKey = keyof typeof USERS;

/** Signs in through the demo buttons on the sign-in page and waits for the landing page. */
export async function signInAs(page: Page, user: DemoUserKey): Promise<void> {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: new RegExp(USERS[user].email.replace(/\./g, "\\.")) }).click();
  await page.waitForURL(/\/(portals|dossiers)\/[0-9a-f-]{36}|\/no-access/);
}

/** Switches the UI language with the header switch (stored on the user) and waits for it. */
export async function switchLanguage(page: Page, locale: "nl" | "fr" | "en"): Promise<void> {
  if ((await page.locator("html").getAttribute("lang")) === locale) return;
  const visibleButton = page.getByRole("button", { name: locale, exact: true }).locator("visible=true");
  // On phones the switch lives in the account menu.
  if ((await visibleButton.count()) === 0) await page.locator("summary[aria-label]").last().click();
  await visibleButton.first().click();
  await expect(page.locator("html")).toHaveAttribute("lang", locale);
}

const SCREENSHOT_DIR = path.join(process.cwd(), "e2e", "screenshots");

/** Saves a full-page screenshot named after the project (desktop / phone). */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${testInfo.project.name}-${name}.png`), fullPage: true });
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy: every test fails on a violation in any of its pages.

const CSP_MESSAGE = /Content Security Policy|\[csp-violation\]/;
const watchedContexts = new WeakSet<BrowserContext>();

/**
 * Records the CSP violations of a browser context's pages and frames: Chromium's console message
 * for each, and the `securitypolicyviolation` event, which an init script turns into a console
 * message of its own (it also names the directive and what was blocked).
 */
async function watchForCspViolations(context: BrowserContext, violations: string[]): Promise<void> {
  if (watchedContexts.has(context)) return;
  watchedContexts.add(context);
  context.on("console", (message) => {
    const text = message.text();
    if (CSP_MESSAGE.test(text)) violations.push(`${message.location().url || "?"}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (event) => {
        console.error(
          `[csp-violation] ${event.effectiveDirective} refused ${event.blockedURI || "inline"} in ${event.documentURI}` +
            ` (${event.sourceFile || "?"}:${event.lineNumber}:${event.columnNumber})`,
        );
      },
      true,
    );
  });
}

export const test = base.extend<{ cspViolations: string[]; missingMessages: string[] }>({
  /**
   * Automatic for every test: the violations seen in the test's own context and in every context
   * it opens with `browser.newContext`. The test fails if any are left at its end; a test that
   * provokes one on purpose takes it out of this list.
   */
  cspViolations: [
    async ({ browser, context }, use) => {
      const violations: string[] = [];
      await watchForCspViolations(context, violations);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const opened = await newContext(...args);
        await watchForCspViolations(opened, violations);
        return opened;
      };
      try {
        await use(violations);
      } finally {
        browser.newContext = newContext;
      }
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
  /**
   * Automatic for every test: next-intl's missing-message errors in the test's own context. Pages
   * send the browser only their area's messages (lib/i18n/client-messages.ts), so a client
   * component that reads outside them shows here.
   */
  missingMessages: [
    async ({ context }, use) => {
      const missing: string[] = [];
      context.on("console", (message) => {
        const text = message.text();
        if (message.type() === "error" && /MISSING_MESSAGE|INSUFFICIENT_PATH/.test(text)) {
          missing.push(`${message.location().url || "?"}: ${text}`);
        }
      });
      await use(missing);
      expect(missing, "next-intl reported missing messages in the browser").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

// ---------------------------------------------------------------------------------------------
// Mail through the fake Resend (e2e/fake-resend.ts), and signed recognition deliveries.

/** What the fake Resend has delivered (and every request it saw), read over HTTP. */
export async function fakeResendSent(
  request: APIRequestContext,
): Promise<{ emails: FakeEmail[]; requests: FakeRequest[] }> {
  const response = await request.get(`${FAKE_RESEND_URL}/__sent`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as { emails: FakeEmail[]; requests: FakeRequest[] };
}

/** Makes the fake Resend refuse (422) or accept mail for one recipient from now on. */
export async function setFakeRecipient(
  request: APIRequestContext,
  recipient: string,
  mode: "fail" | "succeed",
): Promise<void> {
  const response = await request.post(`${FAKE_RESEND_URL}/__control`, { data: { recipient, mode } });
  expect(response.ok()).toBe(true);
}

/** Waits until the fake Resend has delivered a mail that matches, and returns it. */
export async function waitForEmail(
  request: APIRequestContext,
  matches: (email: FakeEmail) => boolean,
  timeout = 30_000,
): Promise<FakeEmail> {
  let found: FakeEmail | undefined;
  await expect
    .poll(
      async () => {
        found = (await fakeResendSent(request)).emails.find(matches);
        return Boolean(found);
      },
      { timeout },
    )
    .toBe(true);
  if (!found) throw new Error("no matching mail");
  return found;
}

/**
 * Posts a recognition result for a document the way the recognition step does: signed with
 * HMAC-SHA256 over "<timestamp>.<raw body>" under the run's secret.
 */
export async function postRecognition(
  request: APIRequestContext,
  delivery: {
    documentId: string;
    documentType: string;
    confidence: number;
    fields: Record<string, string | number>;
  },
) {
  const body = JSON.stringify(delivery);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", E2E_RECOGNITION_SECRET).update(`${timestamp}.${body}`).digest("hex");
  return request.post("/api/webhooks/recognition", {
    headers: {
      "content-type": "application/json",
      "x-koppel-timestamp": timestamp,
      "x-koppel-signature": `v1=${signature}`,
    },
    data: body,
  });
}

// ---------------------------------------------------------------------------------------------
// Portal, dossier and connection steps shared by the integration specs.

/** A full-page screenshot taken from the top, so the sticky header does not land mid-page. */
export async function saveTopScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, name);
}

/** A connection's card on the portal's Integraties page, by its label. */
export function connectionCard(page: Page, label: string) {
  return page
    .locator("li[data-connection-id]")
    .filter({ has: page.getByRole("heading", { name: label, exact: true }) });
}

/** The portal overview the user lands on, and its id. */
export async function openPortal(page: Page): Promise<string> {
  await page.goto("/");
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}/);
  return new URL(page.url()).pathname.split("/")[2] ?? "";
}

export async function openPortalIntegrations(page: Page): Promise<void> {
  await openPortal(page);
  await page.getByRole("link", { name: "Integraties", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Integraties", level: 1 })).toBeVisible();
}

/** Opens a dossier found by name and returns its URL and its enterprise number (digits only). */
export async function openDossierByName(page: Page, name: string): Promise<{ url: string; companyNumber: string }> {
  await openPortal(page);
  await page.getByRole("searchbox").fill(name);
  await page.getByRole("button", { name: "Zoeken" }).click();
  // The search is a navigation of its own: a click on a result before it lands is overtaken by it.
  await page.waitForURL((url) => url.searchParams.get("q") === name);
  await expect(page.getByText(`voor „${name}”`)).toBeVisible();
  await page.getByRole("link", { name }).first().click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  const header = await page
    .getByText(/Ondernemingsnummer \d{4}\.\d{3}\.\d{3}/)
    .first()
    .textContent();
  const match = header?.match(/(\d{4})\.(\d{3})\.(\d{3})/);
  if (!match) throw new Error(`no enterprise number on the page of ${name}`);
  return { url: page.url().split("?")[0] ?? "", companyNumber: `${match[1]}${match[2]}${match[3]}` };
}

/** Switches the open dossier's auto-send and resolves with whether it was on before. */
export async function setAutoSend(page: Page, isOn: boolean): Promise<boolean> {
  const toggle = page.getByRole("switch", { name: "Automatisch verzenden" });
  const wasOn = (await toggle.getAttribute("aria-checked")) === "true";
  if (wasOn !== isOn) await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", String(isOn));
  return wasOn;
}

/** The portal's add-connection panel, with one package picked. */
export async function openAddConnection(page: Page, packageName: RegExp) {
  await openPortalIntegrations(page);
  await page
    .getByRole("link", { name: /Koppeling toevoegen/ })
    .first()
    .click();
  await page.getByRole("region", { name: "Koppeling toevoegen" }).getByRole("button", { name: packageName }).click();
}

/** On a dossier: its Integraties tab, with one of the office's connections picked. */
export async function pickConnectionForDossier(page: Page, label: string) {
  await page
    .getByRole("navigation", { name: "Onderdelen van het dossier" })
    .getByRole("link", { name: "Integraties" })
    .click();
  await page
    .locator('[data-marking="green"]')
    .getByRole("link", { name: new RegExp(label) })
    .click();
  await expect(page.locator("#integration-form")).toBeVisible();
}

export async function saveIntegration(page: Page, label: string) {
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(
    page.getByRole("region", { name: /Huidige integratie/ }).getByText(label, { exact: false }),
  ).toBeVisible();
}

/** Uploads documents with their type chosen at upload (so they arrive recognised). */
export async function uploadTyped(
  page: Page,
  dossierUrl: string,
  batches: readonly { documentType: string; names: string[] }[],
) {
  await page.goto(dossierUrl);
  for (const batch of batches) {
    const files = batch.names.map((name) => ({
      name,
      mimeType: "application/pdf",
      buffer: Buffer.from(buildSamplePdf({ title: name })),
    }));
    await page.getByLabel("Soort:").selectOption(batch.documentType);
    await page.getByLabel("Bestanden kiezen").setInputFiles(files);
    const results = page.getByTestId("upload-results");
    for (const file of files) {
      await expect(results.getByRole("listitem").filter({ hasText: file.name })).toContainText("Toegevoegd");
    }
  }
}

/** Uploads typed documents and sends exactly these in bulk; waits until all are sent. */
export async function uploadAndSend(
  page: Page,
  dossierUrl: string,
  batches: readonly { documentType: string; names: string[] }[],
) {
  await uploadTyped(page, dossierUrl, batches);
  const names = batches.flatMap((batch) => batch.names);
  await page.goto(dossierUrl);
  for (const name of names) await page.getByRole("checkbox", { name: `${name} selecteren` }).check();
  await expect(page.getByText(`${names.length} geselecteerd`)).toBeVisible();
  await page.getByRole("button", { name: "Selectie verzenden" }).click();
  const results = page.getByTestId("send-results");
  await expect(results).toContainText(`${names.length} documenten op weg, 0 niet verzonden`);
  await expect(results.getByTestId("send-progress")).toHaveText(`Klaar: ${names.length} verzonden, 0 mislukt`, {
    timeout: 90_000,
  });
}
