import type { Page } from "@playwright/test";
import { envSchema } from "@/lib/env-schema";
import { expect, signInAs, test } from "./fixtures";

const { CHROMIUM_PATH } = envSchema.pick({ CHROMIUM_PATH: true }).parse(process.env);

// Which pages the browser may restore from its back/forward cache (lib/security/headers.ts,
// isBackForwardCacheable): the public sign-in page yes, a private page no. Playwright starts
// Chromium with --disable-back-forward-cache; this file's browser keeps the cache on.

test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  },
});

/**
 * Marks the window, leaves the page with a full load of `path` (a new document: a client-side
 * navigation would keep the window anyway), runs `meanwhile`, and comes Back to `backAt`: whether
 * the marked window came back.
 */
async function isRestoredOnBack(
  page: Page,
  backAt: string | RegExp,
  path: string,
  meanwhile?: () => Promise<void>,
): Promise<boolean> {
  await page.evaluate(() => {
    (window as unknown as { koppelMark?: number }).koppelMark = 1;
  });
  await page.evaluate((to) => {
    window.location.href = to;
  }, path);
  await page.waitForURL((url) => url.pathname === path);
  await page.waitForLoadState("load");
  await meanwhile?.();
  // A page restored from the cache fires no load event: wait for the commit only.
  await page.goBack({ waitUntil: "commit" });
  await expect(page).toHaveURL(backAt);
  await page.waitForFunction(() => document.readyState === "complete");
  return page.evaluate(() => (window as unknown as { koppelMark?: number }).koppelMark === 1);
}

test("the public sign-in page comes back from the back/forward cache; a private page does not once the session ends", async ({
  page,
  context,
}) => {
  const signIn = await page.request.get("/sign-in");
  expect(signIn.headers()["cache-control"]).not.toContain("no-store");
  await page.goto("/sign-in");
  expect(await isRestoredOnBack(page, "/sign-in", "/sign-up")).toBe(true);

  await signInAs(page, "entrepreneur");
  const dossierPath = new URL(page.url()).pathname;
  const dossier = await page.request.get(dossierPath);
  expect(dossier.headers()["cache-control"]).toContain("no-store");
  await page.goto(dossierPath);
  const documentPath = await page.locator("[data-document-id] a").first().getAttribute("href");
  expect(documentPath).toBeTruthy();
  // The session ends while the dossier is in the history (signed out in another tab, say): Back
  // must load it afresh, which sends the visitor to sign in, never show the documents kept from before.
  const isRestored = await isRestoredOnBack(page, /\/sign-in/, documentPath ?? "", () => context.clearCookies());
  expect(isRestored).toBe(false);
  await expect(page.locator("[data-document-id]")).toHaveCount(0);
});
