import { expect, fakeResendSent, saveScreenshot, test, waitForEmail } from "./fixtures";

// Mail goes through the fake Resend in this run (RESEND_API_KEY is set), so the sign-in link is
// read there; the developers' outbox page is hidden whenever Resend is configured.

test("signing in by magic link sent through Resend", async ({ page, request }, testInfo) => {
  const startedAt = new Date().toISOString();
  await page.goto("/sign-in");
  await saveScreenshot(page, testInfo, "sign-in-nl");
  await page.locator("#email").fill("bram.accountant@demo.koppel.example");
  await page.locator("form:has(#email) button[type=submit]").click();
  await expect(page).toHaveURL(/\/sign-in\/check-email/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/mailbox/i);

  const mail = await waitForEmail(
    request,
    (email) => email.to.includes("bram.accountant@demo.koppel.example") && email.receivedAt >= startedAt,
  );
  const link = /https?:\/\/\S+\/api\/auth\/callback\/email\S*/.exec(mail.text ?? "")?.[0];
  expect(link).toBeTruthy();
  await page.goto(link ?? "/");
  await expect(page).toHaveURL(/\/portals\//);
  await expect(page.getByRole("heading", { name: "Dossiers", level: 1 })).toBeVisible();
});

test("an unknown address gets the same answer and no mail", async ({ page, request }) => {
  await page.goto("/sign-in");
  await page.locator("#email").fill("nobody@unknown.example");
  await page.locator("form:has(#email) button[type=submit]").click();
  await expect(page).toHaveURL(/\/sign-in\/check-email/);
  const { requests } = await fakeResendSent(request);
  expect(requests.filter((entry) => entry.to.includes("nobody@unknown.example"))).toEqual([]);
});

test("the developers' outbox is hidden when mail goes through Resend", async ({ page }) => {
  const response = await page.goto("/dev/outbox");
  expect(response?.status()).toBe(404);
});

test("anonymous visitors are sent to sign-in", async ({ page }) => {
  await page.goto("/portals/00000000-0000-4000-8000-000000000000");
  await expect(page).toHaveURL(/\/sign-in/);
});
