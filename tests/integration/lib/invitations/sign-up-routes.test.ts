import { randomUUID } from "node:crypto";
import { arrayContains, eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import type { ReactElement, ReactNode } from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { invitations, outboxEmails } from "@/db/schema";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { acceptInvitation } from "@/lib/invitations/accept";
import { createOfficeByOperator, createSignUpInvite, requestOfficeSignUp } from "@/lib/invitations/sign-up";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";

// /sign-up for an anonymous visitor, run for real: the page under each KOPPEL_SIGNUP (the form,
// the "needs an invitation" and "link does not work" pages, 404 when off) and its server action
// (field errors, the office that is already on Koppel, the rate limit with its minutes, the mail
// that could not go out, the way on to the check-email page). Stand-ins: the database handle, the
// request's headers and the language (English; the UI locale French).
const session = vi.hoisted(() => ({ db: null as unknown }));
// Nobody is signed in (the language switch on the page asks).
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => null,
  requireActor: async () => {
    throw new Error("no one is signed in");
  },
  getSessionUserId: async () => null,
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ origin: "https://app.koppel.test", host: "app.koppel.test" }),
  cookies: async () => ({ get: () => undefined, set: () => undefined }),
}));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
  getLocale: async () => "fr",
}));

const { default: SignUpPage } = await import("@/app/(auth)/sign-up/page");
const { default: CheckEmailPage } = await import("@/app/(auth)/sign-up/check-email/page");
const { requestOfficeSignUpAction } = await import("@/app/(auth)/sign-up/actions");

const ENV_KEYS = ["KOPPEL_SIGNUP", "RESEND_API_KEY", "RESEND_BASE_URL", "AUTH_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}
const setMode = (mode: "open" | "invite" | "off") =>
  setEnv({ AUTH_URL: "https://app.koppel.test", KOPPEL_SIGNUP: mode });

let opened: OpenedDb;
let db: Db;
let companyBase = 7_300_000;

beforeAll(async () => {
  setMode("open");
  opened = await createTestDb();
  db = opened.db;
  session.db = db;
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

type Element = ReactElement<Record<string, unknown> & { children?: ReactNode }>;

/** The first element in a rendered tree (not run: function components stay elements) whose props match. */
function findElement(node: unknown, matches: (props: Record<string, unknown>) => boolean): Element | null {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findElement(child, matches);
      if (found) return found;
    }
    return null;
  }
  if (!node || typeof node !== "object" || !("props" in node)) return null;
  const element = node as Element;
  if (matches(element.props)) return element;
  return findElement(element.props.children, matches);
}

/** The page run as Next runs it: the default export wraps its content in the "signUp" client-messages area. */
function page(query: Record<string, string> = {}): Promise<unknown> {
  const wrapper = SignUpPage({ searchParams: Promise.resolve(query) }) as Element;
  expect(wrapper.props.area).toBe("signUp");
  const content = wrapper.props.children as ReactElement<Record<string, unknown>>;
  return (content.type as (props: Record<string, unknown>) => Promise<unknown>)(content.props);
}

/** What Next's notFound() and redirect() throw: their digest. */
async function digestOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === "string") return digest;
    throw error;
  }
  throw new Error("expected Next to interrupt rendering");
}

const notice = (element: unknown) => (element as Element).props as { title?: string; body?: string };
const t = MESSAGES.en.signUp;

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.append(name, value);
  return data;
}

function validForm(overrides: Record<string, string> = {}) {
  return {
    officeName: "Kantoor Maes",
    companyNumber: companyNumberFromBase(companyBase++),
    personName: "Jan Maes",
    email: `${randomUUID()}@kantoor.test`,
    locale: "nl",
    ...overrides,
  };
}

describe("GET /sign-up", () => {
  it("open: shows the form, its language set to the visitor's, without an invitation", async () => {
    setMode("open");
    const rendered = await page();
    const signUpForm = findElement(rendered, (props) => "defaultLocale" in props);
    expect(signUpForm?.props).toEqual({ defaultLocale: "fr", invite: null });
  });

  it("off: is not found, and neither is its check-email page", async () => {
    setMode("off");
    expect(await digestOf(page())).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;404/);
    expect(await digestOf(CheckEmailPage())).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;404/);
  });

  it("invite: without a link, explains that signing up needs an invitation (no form)", async () => {
    setMode("invite");
    const rendered = await page();
    expect(notice(rendered)).toEqual({ title: t.inviteNeeded.title, body: t.inviteNeeded.body });
    expect(findElement(rendered, (props) => "defaultLocale" in props)).toBeNull();
  });

  it("invite: with an open link, shows the form with the invited address fixed", async () => {
    setMode("invite");
    const email = `${randomUUID()}@kantoor.test`;
    const { url } = await createSignUpInvite(db, { email, locale: "fr" });
    const token = new URL(url).searchParams.get("invite") ?? "";
    const signUpForm = findElement(await page({ invite: token }), (props) => "defaultLocale" in props);
    expect(signUpForm?.props).toEqual({ defaultLocale: "fr", invite: { token, email } });
  });

  it("invite: an unknown, expired, withdrawn or used link, or another kind of invitation, gets a page saying so", async () => {
    setMode("invite");
    const linkFor = async () => {
      const email = `${randomUUID()}@kantoor.test`;
      const { url } = await createSignUpInvite(db, { email, locale: "nl" });
      return { email, token: new URL(url).searchParams.get("invite") ?? "" };
    };
    const expired = await linkFor();
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.email, expired.email));
    const revoked = await linkFor();
    await db.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.email, revoked.email));
    // Used: its sign-up was confirmed.
    const used = await linkFor();
    await requestOfficeSignUp(
      db,
      {
        officeName: "Gebruikt",
        companyNumber: companyNumberFromBase(companyBase++),
        personName: "Ann",
        email: used.email,
        locale: "nl",
        inviteToken: used.token,
      },
      { clientAddress: "192.0.2.20" },
    );
    const confirmations = await db
      .select({ text: outboxEmails.text })
      .from(outboxEmails)
      .where(arrayContains(outboxEmails.to, [used.email]));
    const confirmation = confirmations.map((row) => row.text.match(/\/invitations\/([\w-]{43})/)?.[1]).find(Boolean);
    await acceptInvitation(db, confirmation ?? "");
    // Another kind: an invitation to join an office, pasted into /sign-up.
    const operatorInvite = await createOfficeByOperator(db, {
      officeName: "Ander",
      companyNumber: companyNumberFromBase(companyBase++),
      adminEmail: `${randomUUID()}@kantoor.test`,
      locale: "nl",
    });
    const memberToken = operatorInvite.url.split("/invitations/")[1] ?? "";

    const cases = [
      ["A".repeat(43), "unknown"],
      ["short", "unknown"],
      [expired.token, "expired"],
      [revoked.token, "revoked"],
      [used.token, "used"],
      [memberToken, "unknown"],
    ] as const;
    for (const [token, state] of cases) {
      const rendered = await page({ invite: token });
      expect(notice(rendered), state).toEqual({ title: t.inviteUnusable.title, body: t.inviteUnusable[state] });
      expect(findElement(rendered, (props) => "defaultLocale" in props)).toBeNull();
    }
  });
});

describe("requestOfficeSignUpAction", () => {
  it("records the sign-up, mails the link and goes on to the check-email page", async () => {
    setMode("open");
    const values = validForm();
    expect(await digestOf(requestOfficeSignUpAction(null, form(values)))).toMatch(
      /^NEXT_REDIRECT;\w+;\/sign-up\/check-email;/,
    );
    const mails = await db
      .select()
      .from(outboxEmails)
      .where(arrayContains(outboxEmails.to, [values.email]));
    expect(mails).toHaveLength(1);
  });

  it("answers refused fields with their message keys, and what was typed", async () => {
    setMode("open");
    const values = validForm({ companyNumber: "0123.456.700", email: "not-an-address", personName: " ", locale: "de" });
    const state = await requestOfficeSignUpAction(null, form(values));
    expect(state).toMatchObject({
      ok: false,
      error: { code: "validation_failed" },
      fieldErrors: {
        companyNumber: ["companyNumber.invalid"],
        email: ["email.invalid"],
        personName: ["personName.required"],
        locale: ["locale.invalid"],
      },
      values,
    });
  });

  it("tells an office already on Koppel to ask its admin, on the enterprise number", async () => {
    setMode("open");
    const companyNumber = companyNumberFromBase(companyBase++);
    await createOfficeByOperator(db, {
      officeName: "Er al",
      companyNumber,
      adminEmail: `${randomUUID()}@kantoor.test`,
      locale: "nl",
    });
    const state = await requestOfficeSignUpAction(null, form(validForm({ companyNumber: `BE ${companyNumber}` })));
    expect(state).toMatchObject({ ok: false, fieldErrors: { companyNumber: ["signUp.officeExists"] } });
  });

  it("is rate-limited with the minutes to wait, and says why when sign-up is closed or needs the invited address", async () => {
    setMode("open");
    const email = `${randomUUID()}@kantoor.test`;
    for (let i = 0; i < 5; i++) await digestOf(requestOfficeSignUpAction(null, form(validForm({ email }))));
    expect(await requestOfficeSignUpAction(null, form(validForm({ email })))).toMatchObject({
      ok: false,
      error: { code: "rate_limited", messageKey: "rateLimited", messageValues: { minutes: expect.any(Number) } },
    });

    setMode("off");
    expect(await requestOfficeSignUpAction(null, form(validForm()))).toMatchObject({
      ok: false,
      error: { code: "not_found", messageKey: "signUp.closed" },
    });

    setMode("invite");
    expect(await requestOfficeSignUpAction(null, form(validForm()))).toMatchObject({
      ok: false,
      error: { messageKey: "signUp.inviteNeeded" },
      fieldErrors: { inviteToken: ["signUp.inviteNeeded"] },
    });
    const invited = `${randomUUID()}@kantoor.test`;
    const { url } = await createSignUpInvite(db, { email: invited, locale: "nl" });
    const inviteToken = new URL(url).searchParams.get("invite") ?? "";
    expect(
      await requestOfficeSignUpAction(null, form(validForm({ email: `${randomUUID()}@elders.test`, inviteToken }))),
    ).toMatchObject({ ok: false, fieldErrors: { email: ["signUp.inviteOtherEmail"] } });
    expect(await digestOf(requestOfficeSignUpAction(null, form(validForm({ email: invited, inviteToken }))))).toMatch(
      /^NEXT_REDIRECT;\w+;\/sign-up\/check-email;/,
    );
  });

  it("stays on the form and says so when the confirmation mail could not go out", async () => {
    const resend = await startFakeResend();
    try {
      setEnv({
        AUTH_URL: "https://app.koppel.test",
        KOPPEL_SIGNUP: "open",
        RESEND_API_KEY: "re_test",
        RESEND_BASE_URL: resend.url,
      });
      resend.respondWith({ status: 422, body: { name: "validation_error", message: "no", statusCode: 422 } });
      const values = validForm();
      expect(await requestOfficeSignUpAction(null, form(values))).toEqual({ ok: true, isMailed: false, values });
    } finally {
      await resend.close();
      setMode("open");
    }
  });

  it("has every message it can answer with in Dutch, French and English", () => {
    const keys = [
      "signUp.officeExists",
      "signUp.inviteNeeded",
      "signUp.inviteOtherEmail",
      "signUp.closed",
      "rateLimited",
      "companyNumber.invalid",
      "companyNumber.required",
      "officeName.required",
      "officeName.tooLong",
      "personName.required",
      "personName.tooLong",
      "email.required",
      "email.invalid",
      "locale.invalid",
    ];
    for (const locale of ["nl", "fr", "en"] as const) {
      const errors = createTranslator({ locale, messages: MESSAGES[locale], namespace: "errors" });
      for (const key of keys) expect(errors.has(key as never), `${locale} ${key}`).toBe(true);
    }
  });
});
