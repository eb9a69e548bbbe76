import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { CLIENT_MESSAGE_AREAS, type ClientMessageArea, pickMessages } from "@/lib/i18n/client-messages";
import { isLocale, LOCALES, type Locale } from "@/lib/i18n/config";
import { expect, signInAs, switchLanguage, test } from "./fixtures";
import { messageKeys, providedMessages } from "./flight-messages";

/**
 * Each page's HTML carries, for its client components, only the messages of its area
 * (lib/i18n/client-messages.ts), never the whole catalog: no mail templates, no API key or webhook
 * texts on pages that do not show them, and almost nothing on the 404 page. The browser shows
 * these pages without a missing-message error.
 */

type Catalog = Record<string, unknown>;

/**
 * The catalogs, read from their files (one per namespace, as lib/i18n/messages.ts registers them):
 * Playwright's loader does not import JSON modules without an import attribute.
 */
const MESSAGES = Object.fromEntries(
  LOCALES.map((locale) => {
    const dir = path.join(process.cwd(), "lib", "i18n", "messages", locale);
    const namespaces = readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => [file.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(dir, file), "utf8"))]);
    return [locale, Object.fromEntries(namespaces) as Catalog];
  }),
) as Record<Locale, Catalog>;

/** Message paths that only the server reads (mail templates, explanations on admin pages). */
const SERVER_ONLY = [
  "dispatch.email",
  "invitations.mail",
  "webhooks.disabledEmail",
  "recognition.signing",
  "apiKeys.page",
  "apiKeys.list",
  "webhooks.page",
] as const;

/** Every message key path the page's client providers hold, and the JSON size of them together. */
async function clientMessagesOf(request: APIRequestContext, path: string, status = 200) {
  const response = await request.get(path, { maxRedirects: 0 });
  expect(response.status(), path).toBe(status);
  const html = await response.text();
  const provided = providedMessages(html);
  return {
    html,
    keys: [...new Set(provided.flatMap((p) => messageKeys(p.messages)))].sort(),
    bytes: provided.reduce((sum, p) => sum + Buffer.byteLength(p.json), 0),
  };
}

/** The key paths an area (with the root provider around it) hands to the browser. */
function expectedKeys(locale: Locale, area: ClientMessageArea): string[] {
  const areas: ClientMessageArea[] = ["root", area];
  return [
    ...new Set(areas.flatMap((a) => messageKeys(pickMessages(MESSAGES[locale], CLIENT_MESSAGE_AREAS[a])))),
  ].sort();
}

async function localeOf(page: Page): Promise<Locale> {
  const lang = await page.locator("html").getAttribute("lang");
  if (!isLocale(lang)) throw new Error(`unexpected page language ${lang}`);
  return lang;
}

/** The longest stretch of a message without a placeholder: what any page showing it would contain. */
function textOf(locale: Locale, keyPath: string): string {
  const message = keyPath.split(".").reduce<unknown>((node, part) => (node as Catalog)[part], MESSAGES[locale]);
  if (typeof message !== "string") throw new Error(`${keyPath} is no message`);
  return message
    .split(/\{[^{}]*\}/)
    .map((part) => part.trim())
    .reduce((longest, part) => (part.length > longest.length ? part : longest), "");
}

/** `shownHere`: server-only messages the page itself renders as text (the recognition page's signing help). */
function expectNoServerOnlyMessages(keys: string[], html: string, locale: Locale, shownHere: string[] = []) {
  expect(keys.filter((key) => SERVER_ONLY.some((p) => key.startsWith(`${p}.`)))).toEqual([]);
  // And not as text anywhere in the HTML either, unless the page itself shows it.
  const texts = ["dispatch.email.intro", "invitations.mail.portal_member.body", "recognition.signing.signature"];
  for (const keyPath of texts.filter((key) => !shownHere.includes(key))) {
    const text = textOf(locale, keyPath);
    expect(text.length, keyPath).toBeGreaterThan(15);
    expect(html.includes(text), keyPath).toBe(false);
  }
}

/** Fails the test when next-intl reports a missing message in the browser. */
function watchMissingMessages(page: Page): string[] {
  const missing: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /MISSING_MESSAGE|INSUFFICIENT_PATH/.test(message.text())) {
      missing.push(message.text());
    }
  });
  page.on("pageerror", (error) => {
    if (/MISSING_MESSAGE|INSUFFICIENT_PATH/.test(error.message)) missing.push(error.message);
  });
  return missing;
}

test.describe("messages in the HTML", () => {
  test("the sign-in page carries only its own forms' messages", async ({ page }) => {
    const missing = watchMissingMessages(page);
    await page.goto("/sign-in");
    await expect(page.getByRole("button", { name: /an\.admin@demo/ })).toBeVisible();
    const locale = await localeOf(page);
    const { keys, html, bytes } = await clientMessagesOf(page.request, "/sign-in");
    expect(keys).toEqual(expectedKeys(locale, "signIn"));
    expect(keys.every((key) => key.startsWith("auth.") || key.startsWith("errorPages."))).toBe(true);
    expectNoServerOnlyMessages(keys, html, locale);
    // It was about 95 KB of JSON when every page carried the whole catalog.
    expect(bytes).toBeLessThan(2_000);
    expect(missing).toEqual([]);
  });

  test("the 404 page carries only the error boundary's few messages", async ({ page }) => {
    await signInAs(page, "admin");
    const { keys, bytes } = await clientMessagesOf(page.request, "/no-such-page", 404);
    expect(keys.length).toBeGreaterThan(0);
    // The boundary's own words, and its page for a lost database (app/error.tsx).
    const boundary = ["errorPages.error.", "errorPages.databaseUnavailable."];
    expect(keys.every((key) => boundary.some((prefix) => key.startsWith(prefix)))).toBe(true);
    expect(bytes).toBeLessThan(900);
  });

  test("an entrepreneur's documents carry the document messages, and nothing of the office's settings", async ({
    page,
  }) => {
    const missing = watchMissingMessages(page);
    await signInAs(page, "entrepreneur");
    await switchLanguage(page, "nl");
    const dossierPath = new URL(page.url()).pathname.match(/^\/dossiers\/[0-9a-f-]{36}/)?.[0] ?? "";
    expect(dossierPath).not.toBe("");
    await page.goto(dossierPath);
    // The upload form and the document list are client components: they render with their messages.
    await expect(page.getByText(textOf("nl", "documents.upload.chooseFiles")).first()).toBeVisible();

    const list = await clientMessagesOf(page.request, dossierPath);
    expect(list.keys).toEqual(expectedKeys("nl", "dossierDocuments"));
    expectNoServerOnlyMessages(list.keys, list.html, "nl");
    const adminOnly = ["apiKeys.", "webhooks.", "members.", "recognition.", "connections.", "integrations."];
    expect(list.keys.filter((key) => adminOnly.some((p) => key.startsWith(p)))).toEqual([]);

    const documentHref = await page.locator(`a[href^="${dossierPath}/documents/"]`).first().getAttribute("href");
    expect(documentHref).toBeTruthy();
    await page.goto(documentHref ?? "");
    const documentPage = await clientMessagesOf(page.request, documentHref ?? "");
    expect(documentPage.keys).toEqual(expectedKeys("nl", "document"));
    expectNoServerOnlyMessages(documentPage.keys, documentPage.html, "nl");
    expect(missing).toEqual([]);
  });

  test("an admin's pages carry each its own area: API keys and webhook texts only where they are used", async ({
    page,
  }) => {
    const missing = watchMissingMessages(page);
    await signInAs(page, "admin");
    await switchLanguage(page, "nl");
    const portalPath = new URL(page.url()).pathname.match(/^\/portals\/[0-9a-f-]{36}/)?.[0] ?? "";
    expect(portalPath).not.toBe("");

    // The overview's one translating client component is the new-dossier form: its messages come with it.
    const overview = await clientMessagesOf(page.request, portalPath);
    expect(overview.keys).toEqual(expectedKeys("nl", "root"));
    const pages: [string, ClientMessageArea][] = [
      [`${portalPath}?new=1`, "portalOverview"],
      [`${portalPath}/integrations`, "portalIntegrations"],
      [`${portalPath}/settings/api-keys`, "apiKeys"],
      [`${portalPath}/settings/webhooks`, "webhooks"],
      [`${portalPath}/settings/webhook`, "recognitionWebhook"],
    ];
    for (const [path, area] of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const { keys, html } = await clientMessagesOf(page.request, path);
      expect(keys, path).toEqual(expectedKeys("nl", area));
      expectNoServerOnlyMessages(
        keys,
        html,
        "nl",
        area === "recognitionWebhook" ? ["recognition.signing.signature"] : [],
      );
      if (area !== "apiKeys")
        expect(
          keys.filter((key) => key.startsWith("apiKeys.")),
          path,
        ).toEqual([]);
      if (area !== "recognitionWebhook") {
        expect(
          keys.filter((key) => key.startsWith("recognition.")),
          path,
        ).toEqual([]);
      }
    }
    // The API key form is a client component: its texts are there, and it renders them.
    await page.goto(`${portalPath}/settings/api-keys`);
    await expect(page.getByText(textOf("nl", "apiKeys.create.title")).first()).toBeVisible();
    expect(missing).toEqual([]);
  });
});
