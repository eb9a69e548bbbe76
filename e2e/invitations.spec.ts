import { type Browser, type BrowserContext, devices, type Page } from "@playwright/test";
import { DEMO_EXPIRED_INVITATION } from "@/lib/auth/demo-users";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, saveScreenshot, test, waitForEmail } from "./fixtures";

// An office starts on its own: it signs up, invites an accountant, who creates a dossier and
// invites its entrepreneur, who accepts on a phone and uploads a document. Every link is read from
// the mail that the fake Resend received. The spec makes its own phone-size browser for the
// entrepreneur, so it runs in the desktop project only (playwright.config.ts).

type Copy = {
  locale: "nl" | "fr";
  signUp: { office: string; companyNumber: string; name: string; email: string; language: string; submit: string };
  signUpLink: string;
  createOffice: string;
  checklist: RegExp;
  members: { email: string; language: string; submit: string; sent: RegExp };
  accept: string;
  otherAccount: string;
  newDossier: { open: RegExp; name: string; companyNumber: string; submit: string };
  access: { emails: string; submit: string; sent: RegExp };
  upload: { files: string; added: string };
};

const COPY: Record<"nl" | "fr", Copy> = {
  nl: {
    locale: "nl",
    signUp: {
      office: "Naam van het kantoor",
      companyNumber: "Ondernemingsnummer",
      name: "Je naam",
      email: "Je e-mailadres",
      language: "Taal",
      submit: "Registreren",
    },
    signUpLink: "Registreer je kantoor",
    createOffice: "Mijn kantoor aanmaken",
    checklist: /Zet je kantoor op weg/,
    members: {
      email: "E-mailadres",
      language: "Taal van de uitnodiging",
      submit: "Uitnodiging versturen",
      sent: /Uitnodiging verstuurd naar/,
    },
    accept: "Aanvaarden en verdergaan",
    otherAccount: "Je bent aangemeld met een ander adres",
    newDossier: { open: /Nieuw dossier/, name: "name", companyNumber: "companyNumber", submit: "Dossier aanmaken" },
    access: { emails: "E-mailadressen", submit: "Uitnodigen", sent: /uitnodiging verstuurd/i },
    upload: { files: "Bestanden kiezen", added: "Toegevoegd" },
  },
  fr: {
    locale: "fr",
    signUp: {
      office: "Nom du cabinet",
      companyNumber: "Numéro d'entreprise",
      name: "Votre nom",
      email: "Votre adresse e-mail",
      language: "Langue",
      submit: "S'inscrire",
    },
    signUpLink: "Inscrivez votre cabinet",
    createOffice: "Créer mon cabinet",
    checklist: /cabinet/i,
    members: {
      email: "Adresse e-mail",
      language: "Langue de l'invitation",
      submit: "Envoyer l'invitation",
      sent: /Invitation envoyée à/,
    },
    accept: "Accepter et continuer",
    otherAccount: "Vous êtes connecté avec une autre adresse",
    newDossier: { open: /Nouveau dossier/, name: "name", companyNumber: "companyNumber", submit: "Créer le dossier" },
    access: { emails: "Adresses e-mail", submit: "Inviter", sent: /invitation envoyée/i },
    upload: { files: "Choisir des fichiers", added: "Ajouté" },
  },
};

/** A valid Belgian enterprise number that no earlier run used (mod-97 check digits). */
function freshCompanyNumber(): string {
  const base = 1_000_000 + Math.floor(Math.random() * 8_000_000);
  return `${String(base).padStart(8, "0")}${String(97 - (base % 97)).padStart(2, "0")}`;
}

/** The invitation link of the newest mail to an address. */
async function invitationLinkFor(page: Page, email: string, since: string): Promise<{ link: string; subject: string }> {
  const mail = await waitForEmail(page.request, (sent) => sent.to.includes(email) && sent.receivedAt >= since);
  const link = /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]{43}/.exec(mail.text ?? "")?.[0];
  expect(link, `an invitation link in the mail to ${email}`).toBeTruthy();
  return { link: link ?? "", subject: mail.subject };
}

async function phoneContext(browser: Browser, locale: string): Promise<BrowserContext> {
  return browser.newContext({
    ...devices["Pixel 7"],
    viewport: { width: 390, height: 844 },
    locale,
  });
}

async function runOfficeFlow(
  browser: Browser,
  page: Page,
  copy: Copy,
  screenshot: (page: Page, name: string) => Promise<void>,
) {
  const stamp = `${Date.now()}-${copy.locale}`;
  const office = {
    name: `Kantoor E2E ${stamp}`,
    companyNumber: freshCompanyNumber(),
    admin: `admin-${stamp}@e2e.koppel.example`,
  };
  const accountantEmail = `boekhouder-${stamp}@e2e.koppel.example`;
  const entrepreneurEmail = `ondernemer-${stamp}@e2e.koppel.example`;
  const since = new Date().toISOString();

  // 1. The office signs itself up from the sign-in page.
  await page.goto("/sign-in");
  await page.getByRole("link", { name: copy.signUpLink }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await page.getByLabel(copy.signUp.office, { exact: true }).fill(office.name);
  await page.getByLabel(copy.signUp.companyNumber, { exact: true }).fill(office.companyNumber);
  await page.getByLabel(copy.signUp.name, { exact: true }).fill(`Admin ${stamp}`);
  await page.getByLabel(copy.signUp.email, { exact: true }).fill(office.admin);
  await page.locator("select[name=locale]").selectOption(copy.locale);
  await screenshot(page, "sign-up");
  await page.getByRole("button", { name: copy.signUp.submit }).click();
  await expect(page).toHaveURL(/\/sign-up\/check-email/);

  const confirmation = await invitationLinkFor(page, office.admin, since);
  await page.goto(confirmation.link);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(office.name);
  await screenshot(page, "sign-up-confirm");
  await page.getByRole("button", { name: copy.createOffice }).click();
  await page.waitForURL(/\/portals\/[0-9a-f-]{36}$/);
  const portalPath = new URL(page.url()).pathname;
  await expect(page.getByText(copy.checklist).first()).toBeVisible();
  await screenshot(page, "new-office-overview");

  // 2. The admin invites an accountant.
  await page.goto(`${portalPath}/settings/members`);
  const inviteForm = page.locator("form").filter({ has: page.locator("input[name=role]") });
  await inviteForm.getByLabel(copy.members.email, { exact: true }).fill(accountantEmail);
  await inviteForm.locator("input[name=role][value=accountant]").check();
  await inviteForm.getByLabel(copy.members.language, { exact: true }).selectOption(copy.locale);
  await inviteForm.getByRole("button", { name: copy.members.submit }).click();
  await expect(page.getByText(copy.members.sent).first()).toBeVisible();
  await screenshot(page, "members-invited");

  // The admin, still signed in, opening the accountant's link is asked to switch accounts.
  const accountantInvite = await invitationLinkFor(page, accountantEmail, since);
  await page.goto(accountantInvite.link);
  await expect(page.getByRole("heading", { level: 2 })).toHaveText(copy.otherAccount);
  await expect(page.getByRole("button", { name: copy.accept })).toHaveCount(0);

  // 3. The accountant accepts in a browser of their own and lands on the office.
  const accountantContext = await browser.newContext({ locale: `${copy.locale}-BE` });
  const accountant = await accountantContext.newPage();
  await accountant.goto(accountantInvite.link);
  await expect(accountant.getByRole("heading", { level: 1 })).toContainText(office.name);
  await accountant.getByRole("button", { name: copy.accept }).click();
  await accountant.waitForURL(new RegExp(`${portalPath}$`));

  // 4. The accountant creates a dossier and invites its entrepreneur.
  await accountant.getByRole("link", { name: copy.newDossier.open }).first().click();
  const dossierForm = accountant.locator("form").filter({ has: accountant.locator("input[name=companyNumber]") });
  const dossierName = `Klant ${stamp}`;
  await dossierForm.locator("input[name=name]").fill(dossierName);
  await dossierForm.locator("input[name=companyNumber]").fill(freshCompanyNumber());
  await dossierForm.getByRole("button", { name: copy.newDossier.submit }).click();
  const dossierLink = accountant.locator('a[href^="/dossiers/"]').filter({ hasText: dossierName }).first();
  await expect(dossierLink).toBeVisible();
  const dossierPath = (await dossierLink.getAttribute("href")) ?? "";
  await accountant.goto(`${dossierPath}/access`);
  await accountant.getByLabel(copy.access.emails, { exact: true }).fill(entrepreneurEmail);
  await accountant.getByRole("button", { name: copy.access.submit, exact: true }).click();
  await expect(accountant.getByText(copy.access.sent).first()).toBeVisible();
  await screenshot(accountant, "dossier-access-invited");

  // 5. The entrepreneur accepts on a phone, lands on the dossier and uploads a document.
  const entrepreneurInvite = await invitationLinkFor(page, entrepreneurEmail, since);
  const phone = await phoneContext(browser, `${copy.locale}-BE`);
  const entrepreneur = await phone.newPage();
  await entrepreneur.goto(entrepreneurInvite.link);
  await expect(entrepreneur.getByRole("heading", { level: 1 })).toContainText(dossierName);
  await screenshot(entrepreneur, "entrepreneur-invitation");
  await entrepreneur.getByRole("button", { name: copy.accept }).click();
  await entrepreneur.waitForURL(new RegExp(`${dossierPath}$`));
  await entrepreneur.getByLabel(copy.upload.files).setInputFiles({
    name: `factuur-${stamp}.pdf`,
    mimeType: "application/pdf",
    buffer: Buffer.from(buildSamplePdf({ title: stamp })),
  });
  await expect(
    entrepreneur
      .getByTestId("upload-results")
      .getByRole("listitem")
      .filter({ hasText: `factuur-${stamp}.pdf` }),
  ).toContainText(copy.upload.added);
  await screenshot(entrepreneur, "entrepreneur-uploaded");

  await accountantContext.close();
  await phone.close();
  return { accountantInvite, entrepreneurInvite, accountantEmail, office };
}

test.describe("invitations", () => {
  test("an office signs up, invites an accountant, who invites an entrepreneur, who accepts on a phone and uploads", async ({
    browser,
    page,
  }, testInfo) => {
    const { accountantInvite } = await runOfficeFlow(browser, page, COPY.nl, (shot, name) =>
      saveScreenshot(shot, testInfo, `invit-${name}-nl`),
    );
    // The mail was in Dutch, as the admin chose.
    expect(accountantInvite.subject).toMatch(/nodigt je uit voor Kantoor E2E/);

    // A used link, opened again by someone else, says so and changes nothing.
    const stranger = await browser.newContext({ locale: "nl-BE" });
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(accountantInvite.link);
    await expect(strangerPage.getByRole("heading", { level: 1 })).toHaveText("Deze uitnodiging is al gebruikt");
    await expect(strangerPage.getByRole("button", { name: COPY.nl.accept })).toHaveCount(0);
    await saveScreenshot(strangerPage, testInfo, "invit-reused-nl");
    await stranger.close();
  });

  test("an expired invitation and an unknown link explain themselves and offer sign-in", async ({ page }, testInfo) => {
    await page.goto(`/invitations/${DEMO_EXPIRED_INVITATION.token}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deze uitnodiging is verlopen");
    await expect(page.getByRole("link", { name: "Naar aanmelden" })).toBeVisible();
    await saveScreenshot(page, testInfo, "invit-expired-nl");
    await page.goto(`/invitations/${"x".repeat(43)}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deze link werkt niet");
  });
});

test.describe("invitations in French", () => {
  // A French browser: the sign-in and sign-up pages follow Accept-Language.
  test.use({ locale: "fr-BE" });

  test("the same office flow in French: the invitations are in French", async ({ browser, page }, testInfo) => {
    const { accountantInvite, entrepreneurInvite } = await runOfficeFlow(browser, page, COPY.fr, (shot, name) =>
      saveScreenshot(shot, testInfo, `invit-${name}-fr`),
    );
    expect(accountantInvite.subject).toMatch(/vous invite à rejoindre Kantoor E2E/);
    expect(entrepreneurInvite.subject).toMatch(/vous invite à envoyer vos documents/);
  });
});
