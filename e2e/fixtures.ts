import { mkdirSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Page, type TestInfo } from "@playwright/test";

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

export const test = base;
export { expect };
