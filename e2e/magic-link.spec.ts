import { expect, saveScreenshot, test } from "./fixtures";

test("signing in by magic link through the local outbox", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  await saveScreenshot(page, testInfo, "sign-in-nl");
  await page.locator("#email").fill("bram.accountant@demo.koppel.example");
  await page.locator("form:has(#email) button[type=submit]").click();
  await expect(page).toHaveURL(/\/sign-in\/check-email/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/mailbox/i);

  await page.goto("/dev/outbox");
  const mail = page
    .locator("[data-testid=outbox-email]")
    .filter({ hasText: "bram.accountant@demo.koppel.example" })
    .first();
  await expect(mail).toBeVisible();
  const link = await mail.locator("a").first().getAttribute("href");
  expect(link).toContain("/api/auth/callback/email");
  await page.goto(link ?? "/");
  await expect(page).toHaveURL(/\/portals\//);
  await expect(page.getByRole("heading", { name: "Dossiers", level: 1 })).toBeVisible();
});

test("an unknown address gets the same answer and no mail", async ({ page }) => {
  await page.goto("/sign-in");
  await page.locator("#email").fill("nobody@unknown.example");
  await page.locator("form:has(#email) button[type=submit]").click();
  await expect(page).toHaveURL(/\/sign-in\/check-email/);
  await page.goto("/dev/outbox");
  await expect(page.getByText("nobody@unknown.example")).toHaveCount(0);
});

test("anonymous visitors are sent to sign-in", async ({ page }) => {
  await page.goto("/portals/00000000-0000-4000-8000-000000000000");
  await expect(page).toHaveURL(/\/sign-in/);
});
