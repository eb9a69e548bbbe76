import { randomUUID } from "node:crypto";
import { and, arrayContains, count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { invitations, memberEvents, outboxEmails, portalMembers, portals, users } from "@/db/schema";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { resetEnvCache, signUpMode } from "@/lib/env";
import { NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { acceptInvitation, InvitationUnusableError } from "@/lib/invitations/accept";
import type { OfficeSignUpInput } from "@/lib/invitations/schemas";
import {
  createOfficeByOperator,
  createSignUpInvite,
  findSignUpInvite,
  requestOfficeSignUp,
} from "@/lib/invitations/sign-up";
import { hashInvitationToken } from "@/lib/invitations/token";
import { createTestDb } from "../../../helpers/db";

// Office sign-up end to end in the services: /sign-up's request under each KOPPEL_SIGNUP, the
// confirmation link (found in the outbox mail, as a person would) creating office and admin in
// one transaction, the operator's `office:invite` and `office:create`. Mail goes to the outbox.

const ENV_KEYS = ["KOPPEL_SIGNUP", "DATABASE_URL", "RESEND_API_KEY", "AUTH_URL"] as const;
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
let companyBase = 7_100_000;
const context = { clientAddress: "192.0.2.10" };

beforeAll(async () => {
  setMode("open");
  opened = await createTestDb();
  db = opened.db;
  // lib/email/send.ts asks getDb() for the database: hand it this file's test database.
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

function signUpInput(overrides: Partial<OfficeSignUpInput> = {}): OfficeSignUpInput {
  return {
    officeName: "Kantoor Janssens",
    companyNumber: companyNumberFromBase(companyBase++),
    personName: "Els Janssens",
    email: `${randomUUID()}@kantoor.test`,
    locale: "nl",
    ...overrides,
  };
}

/** The token of the newest link mailed to an address (the outbox holds the mail as sent). */
async function tokenMailedTo(email: string, path: "/invitations/" | "/sign-up?invite=" = "/invitations/") {
  const [mail] = await db
    .select({ text: outboxEmails.text, subject: outboxEmails.subject })
    .from(outboxEmails)
    .where(arrayContains(outboxEmails.to, [email]))
    .orderBy(desc(outboxEmails.createdAt))
    .limit(1);
  if (!mail) throw new Error(`no mail to ${email}`);
  const escaped = path.replace(/[?]/g, "\\?");
  const match = mail.text.match(new RegExp(`https://app\\.koppel\\.test${escaped}([A-Za-z0-9_-]{43})`));
  if (!match?.[1]) throw new Error(`no ${path} link in the mail to ${email}`);
  return { token: match[1], subject: mail.subject };
}

async function portalsWith(companyNumber: string) {
  return db
    .select({ id: portals.id, name: portals.name })
    .from(portals)
    .where(eq(portals.companyNumber, companyNumber));
}

async function countRows(table: typeof invitations | typeof users | typeof portals) {
  const [row] = await db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("KOPPEL_SIGNUP defaults", () => {
  it("is open on the embedded database and invite-only with DATABASE_URL", () => {
    setEnv({});
    expect(signUpMode()).toBe("open");
    setEnv({ DATABASE_URL: "postgres://koppel@db.example/koppel" });
    expect(signUpMode()).toBe("invite");
    setEnv({ DATABASE_URL: "postgres://koppel@db.example/koppel", KOPPEL_SIGNUP: "open" });
    expect(signUpMode()).toBe("open");
    setMode("open");
  });
});

describe("requestOfficeSignUp", () => {
  it("open: records the sign-up and mails its confirmation link in the person's language, creating nothing yet", async () => {
    setMode("open");
    const input = signUpInput({ locale: "fr", officeName: "Cabinet Dupont" });
    const portalsBefore = await countRows(portals);
    expect(await requestOfficeSignUp(db, input, context)).toEqual({ isMailed: true });

    const [row] = await db.select().from(invitations).where(eq(invitations.email, input.email));
    expect(row).toMatchObject({
      kind: "office_sign_up",
      locale: "fr",
      portalId: null,
      acceptedAt: null,
      signUp: { officeName: "Cabinet Dupont", companyNumber: input.companyNumber, personName: "Els Janssens" },
    });
    const { subject } = await tokenMailedTo(input.email);
    expect(subject).toContain("Cabinet Dupont");
    expect(await countRows(portals)).toBe(portalsBefore);
  });

  it("off: refuses as not found and records nothing", async () => {
    setMode("off");
    const input = signUpInput();
    const error = await refusal(requestOfficeSignUp(db, input, context));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ messageKey: "signUp.closed" });
    expect(await db.select().from(invitations).where(eq(invitations.email, input.email))).toEqual([]);
  });

  it("invite: needs an open office:invite link, and only for its own address", async () => {
    setMode("invite");
    const input = signUpInput();
    // No link, a malformed one, a well-formed unknown one.
    for (const inviteToken of [undefined, "nope", "A".repeat(43)]) {
      const error = await refusal(requestOfficeSignUp(db, { ...input, inviteToken }, context));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        messageKey: "signUp.inviteNeeded",
        fieldErrors: { inviteToken: ["signUp.inviteNeeded"] },
      });
    }

    const invite = await createSignUpInvite(db, { email: input.email, locale: "en" });
    expect(invite.isMailed).toBe(true);
    const { token } = await tokenMailedTo(input.email, "/sign-up?invite=");
    expect(invite.url).toBe(`https://app.koppel.test/sign-up?invite=${token}`);
    expect(await findSignUpInvite(db, token)).toMatchObject({ email: input.email, locale: "en" });

    // The link is bound to its address.
    const other = await refusal(
      requestOfficeSignUp(db, { ...input, email: `${randomUUID()}@elders.test`, inviteToken: token }, context),
    );
    expect(other).toMatchObject({ fieldErrors: { email: ["signUp.inviteOtherEmail"] } });

    await requestOfficeSignUp(db, { ...input, inviteToken: token }, context);
    const [row] = await db
      .select({ signUp: invitations.signUp })
      .from(invitations)
      .where(and(eq(invitations.email, input.email), eq(invitations.kind, "office_sign_up")));
    const [inviteRow] = await db
      .select({ id: invitations.id })
      .from(invitations)
      .where(and(eq(invitations.email, input.email), eq(invitations.kind, "sign_up_invite")));
    expect(row?.signUp?.signUpInviteId).toBe(inviteRow?.id);
  });

  it("refuses an enterprise number already on Koppel, on its field, and records nothing", async () => {
    setMode("open");
    const companyNumber = companyNumberFromBase(companyBase++);
    await db.insert(portals).values({ name: "Bestaand kantoor", companyNumber });
    const input = signUpInput({ companyNumber });
    const error = await refusal(requestOfficeSignUp(db, input, context));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ fieldErrors: { companyNumber: ["signUp.officeExists"] } });
    expect(await db.select().from(invitations).where(eq(invitations.email, input.email))).toEqual([]);
  });

  it("is rate-limited per address, with the minutes to wait", async () => {
    setMode("open");
    const email = `${randomUUID()}@kantoor.test`;
    // Held inside one 15-minute window, so the six requests are counted together.
    vi.useFakeTimers({ now: new Date("2026-03-10T10:05:00Z"), toFake: ["Date"] });
    for (let i = 0; i < 5; i++) await requestOfficeSignUp(db, signUpInput({ email }), context);
    const error = await refusal(requestOfficeSignUp(db, signUpInput({ email }), context)).finally(() =>
      vi.useRealTimers(),
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).messageValues).toEqual({ minutes: expect.any(Number) });
  });
});

describe("confirming a sign-up (acceptInvitation)", () => {
  it("creates the office, the person and their admin membership together; a second click is 'used'", async () => {
    setMode("open");
    const input = signUpInput({ locale: "fr", personName: "Marie Dupont", officeName: "Cabinet Dupont" });
    await requestOfficeSignUp(db, input, context);
    const { token } = await tokenMailedTo(input.email);

    const accepted = await acceptInvitation(db, token);
    expect(accepted).toMatchObject({
      kind: "office_sign_up",
      email: input.email,
      name: "Marie Dupont",
      dossierId: null,
    });
    expect(await portalsWith(input.companyNumber)).toEqual([{ id: accepted.portalId, name: "Cabinet Dupont" }]);
    const [user] = await db.select().from(users).where(eq(users.email, input.email));
    expect(user).toMatchObject({ id: accepted.userId, name: "Marie Dupont", locale: "fr" });
    expect(user?.emailVerified).toBeInstanceOf(Date);
    expect(
      await db
        .select({ userId: portalMembers.userId, role: portalMembers.role })
        .from(portalMembers)
        .where(eq(portalMembers.portalId, accepted.portalId)),
    ).toEqual([{ userId: accepted.userId, role: "admin" }]);
    expect(
      await db
        .select({ action: memberEvents.action, subjectEmail: memberEvents.subjectEmail })
        .from(memberEvents)
        .where(eq(memberEvents.portalId, accepted.portalId)),
    ).toEqual([{ action: "office_created", subjectEmail: input.email }]);

    const portalsBefore = await countRows(portals);
    const again = await refusal(acceptInvitation(db, token));
    expect(again).toBeInstanceOf(InvitationUnusableError);
    expect(again).toMatchObject({ state: "used" });
    expect(await countRows(portals)).toBe(portalsBefore);
  });

  it("of two sign-ups of one enterprise number, the second confirmed gets 'officeExists' and leaves nothing half-made", async () => {
    setMode("open");
    const companyNumber = companyNumberFromBase(companyBase++);
    const first = signUpInput({ companyNumber, officeName: "Eerste" });
    const second = signUpInput({ companyNumber, officeName: "Tweede" });
    await requestOfficeSignUp(db, first, context);
    await requestOfficeSignUp(db, second, context);
    const firstToken = (await tokenMailedTo(first.email)).token;
    const secondToken = (await tokenMailedTo(second.email)).token;

    const accepted = await acceptInvitation(db, firstToken);
    const counts = { portals: await countRows(portals), users: await countRows(users) };
    const error = await refusal(acceptInvitation(db, secondToken));
    expect(error).toBeInstanceOf(InvitationUnusableError);
    expect(error).toMatchObject({ state: "officeExists", messageKey: "invitation.officeExists" });

    expect(await portalsWith(companyNumber)).toEqual([{ id: accepted.portalId, name: "Eerste" }]);
    expect({ portals: await countRows(portals), users: await countRows(users) }).toEqual(counts);
    expect(await db.select().from(users).where(eq(users.email, second.email))).toEqual([]);
    const [secondRow] = await db
      .select({ acceptedAt: invitations.acceptedAt })
      .from(invitations)
      .where(eq(invitations.email, second.email));
    expect(secondRow?.acceptedAt).toBeNull();
  });

  it("uses the office:invite link with it: the link is spent, and a second sign-up through it is undone", async () => {
    setMode("invite");
    const email = `${randomUUID()}@kantoor.test`;
    await createSignUpInvite(db, { email, locale: "nl" });
    const inviteToken = (await tokenMailedTo(email, "/sign-up?invite=")).token;
    // Two sign-ups through the same link (two tabs) before either is confirmed.
    const first = signUpInput({ email, inviteToken });
    const second = signUpInput({ email, inviteToken });
    await requestOfficeSignUp(db, first, context);
    const firstToken = (await tokenMailedTo(email)).token;
    await requestOfficeSignUp(db, second, context);
    const secondToken = (await tokenMailedTo(email)).token;
    expect(secondToken).not.toBe(firstToken);

    await acceptInvitation(db, firstToken);
    expect(await findSignUpInvite(db, inviteToken)).toBeNull();
    const reuse = await refusal(requestOfficeSignUp(db, signUpInput({ email, inviteToken }), context));
    expect(reuse).toMatchObject({ messageKey: "signUp.inviteNeeded" });

    const portalsBefore = await countRows(portals);
    const error = await refusal(acceptInvitation(db, secondToken));
    expect(error).toMatchObject({ state: "used" });
    expect(await countRows(portals)).toBe(portalsBefore);
    expect(await portalsWith(second.companyNumber)).toEqual([]);
    const [secondRow] = await db
      .select({ acceptedAt: invitations.acceptedAt })
      .from(invitations)
      .where(eq(invitations.tokenHash, hashInvitationToken(secondToken)));
    expect(secondRow?.acceptedAt).toBeNull();
  });
});

describe("createOfficeByOperator (npm run office:create)", () => {
  it("makes the office without members and invites its admin, who becomes admin by accepting", async () => {
    setMode("off");
    const companyNumber = companyNumberFromBase(companyBase++);
    const adminEmail = `${randomUUID()}@kantoor.test`;
    const created = await createOfficeByOperator(db, {
      officeName: "Kantoor Peeters",
      companyNumber,
      adminEmail,
      locale: "en",
    });
    expect(created.isMailed).toBe(true);
    expect(await portalsWith(companyNumber)).toEqual([{ id: created.portalId, name: "Kantoor Peeters" }]);
    expect(await db.select().from(portalMembers).where(eq(portalMembers.portalId, created.portalId))).toEqual([]);
    const { token } = await tokenMailedTo(adminEmail);
    expect(created.url).toBe(`https://app.koppel.test/invitations/${token}`);

    const accepted = await acceptInvitation(db, token);
    expect(accepted).toMatchObject({ kind: "portal_member", portalId: created.portalId, email: adminEmail });
    expect(
      await db
        .select({ userId: portalMembers.userId, role: portalMembers.role })
        .from(portalMembers)
        .where(eq(portalMembers.portalId, created.portalId)),
    ).toEqual([{ userId: accepted.userId, role: "admin" }]);
  });

  it("refuses an enterprise number already on Koppel, and so does /sign-up afterwards", async () => {
    setMode("open");
    const companyNumber = companyNumberFromBase(companyBase++);
    await createOfficeByOperator(db, {
      officeName: "Eén",
      companyNumber,
      adminEmail: `${randomUUID()}@kantoor.test`,
      locale: "nl",
    });
    const portalsBefore = await countRows(portals);
    const again = await refusal(
      createOfficeByOperator(db, {
        officeName: "Twee",
        companyNumber,
        adminEmail: `${randomUUID()}@kantoor.test`,
        locale: "nl",
      }),
    );
    expect(again).toMatchObject({ fieldErrors: { companyNumber: ["signUp.officeExists"] } });
    expect(await countRows(portals)).toBe(portalsBefore);
    const signUp = await refusal(requestOfficeSignUp(db, signUpInput({ companyNumber }), context));
    expect(signUp).toMatchObject({ fieldErrors: { companyNumber: ["signUp.officeExists"] } });
  });
});
