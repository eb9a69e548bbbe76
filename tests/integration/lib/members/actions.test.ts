import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { invitations, outboxEmails } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { officeRows } from "../../../helpers/office-rows";
import { adminsOf, createOffice, eventsOf, roleOf } from "./setup";

// The members page's server actions, run for real down from the session: who is signed in
// (Auth.js's auth()), the database handle, Next's cache and the request's headers are the only
// stand-ins, so the actor is built from the membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "198.51.100.7" }),
}));

const actions = await import("@/app/(app)/portals/[portalId]/settings/members/actions");
const { revalidatePath } = await import("next/cache");

const ACTIONS_FILE = path.join(
  process.cwd(),
  "app",
  "(app)",
  "portals",
  "[portalId]",
  "settings",
  "members",
  "actions.ts",
);
const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let office: Awaited<ReturnType<typeof createOffice>>;
let other: Awaited<ReturnType<typeof createOffice>>;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) form.append(name, value);
  return form;
}

const inviteForm = (values: Record<string, string> = {}) =>
  formOf({
    portalId: office.portal.id,
    email: "nieuwe.collega@kantoor.test",
    role: "accountant",
    locale: "fr",
    ...values,
  });

/** next/navigation's redirect, thrown: "NEXT_REDIRECT;<type>;<url>;<status>;". */
async function redirectOf(promise: Promise<unknown>): Promise<string> {
  const refused = await promise.then(
    () => {
      throw new Error("expected a redirect");
    },
    (error: unknown) => error as { digest?: string },
  );
  return String(refused.digest).split(";")[2] ?? "";
}

function useResend(status: number | null) {
  if (status === null) {
    for (const key of ENV_KEYS) delete process.env[key];
  } else {
    process.env.RESEND_API_KEY = "re_test";
    process.env.RESEND_BASE_URL = resend.url;
    resend.respondWith(status === 200 ? undefined : { status, body: { name: "validation_error", message: "no" } });
  }
  resetEnvCache();
}

async function inviteAsAdmin(email: string): Promise<string> {
  session.userId = office.admin.userId;
  const result = await actions.inviteMemberAction(null, inviteForm({ email }));
  if (!result?.ok) throw new Error(`invite failed: ${JSON.stringify(result)}`);
  return result.invitationId;
}

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  resend = await startFakeResend();
  office = await createOffice(opened.db);
  other = await createOffice(opened.db, "Kantoor Janssens");
});
beforeEach(() => {
  session.userId = office.admin.userId;
  useResend(null);
  vi.mocked(revalidatePath).mockClear();
});
afterEach(() => useResend(null));
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  await resend?.close();
  await opened?.close();
});

describe("inviteMemberAction", () => {
  it("invites a colleague in the chosen language and mails them", async () => {
    const result = await actions.inviteMemberAction(null, inviteForm({ email: " Nieuwe.Collega@Kantoor.test " }));
    expect(result).toEqual({
      ok: true,
      invitationId: expect.any(String),
      email: "nieuwe.collega@kantoor.test",
      isMailed: true,
    });
    const [row] = await opened.db
      .select()
      .from(invitations)
      .where(eq(invitations.id, (result as { invitationId: string }).invitationId));
    expect(row).toMatchObject({ kind: "portal_member", portalId: office.portal.id, role: "accountant", locale: "fr" });
    const mails = await opened.db.select().from(outboxEmails);
    expect(mails.filter((mail) => mail.to.includes("nieuwe.collega@kantoor.test"))).toHaveLength(1);
    expect(revalidatePath).toHaveBeenCalledWith(`/portals/${office.portal.id}/settings/members`);
  });

  it("answers field errors with what was typed, and never invites a member twice", async () => {
    expect(await actions.inviteMemberAction(null, inviteForm({ email: "geen-adres", role: "eigenaar" }))).toEqual({
      ok: false,
      error: { code: "validation_failed", messageKey: "validationFailed" },
      fieldErrors: { email: ["email.invalid"], role: ["role.invalid"] },
      values: { email: "geen-adres", role: "eigenaar", locale: "fr" },
    });
    expect(await actions.inviteMemberAction(null, inviteForm({ email: office.accountant.email }))).toMatchObject({
      ok: false,
      fieldErrors: { email: ["invitation.alreadyMember"] },
    });
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("says when the mail could not be sent; sending again works once the mail service answers", async () => {
    useResend(422);
    const result = await actions.inviteMemberAction(null, inviteForm({ email: "onbereikbaar@kantoor.test" }));
    expect(result).toMatchObject({ ok: true, email: "onbereikbaar@kantoor.test", isMailed: false });
    const invitationId = (result as { invitationId: string }).invitationId;
    useResend(200);
    expect(await actions.resendMemberInvitationAction({ portalId: office.portal.id, invitationId })).toEqual({
      ok: true,
      email: "onbereikbaar@kantoor.test",
      isMailed: true,
    });
  });

  it("refuses with the minutes to wait once an address had too many invitations", async () => {
    const email = "te-vaak@kantoor.test";
    for (let round = 0; round < 5; round++) {
      expect(await actions.inviteMemberAction(null, inviteForm({ email }))).toMatchObject({ ok: true });
    }
    const refused = await actions.inviteMemberAction(null, inviteForm({ email }));
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "rate_limited", messageKey: "rateLimited", messageValues: { minutes: expect.any(Number) } },
      values: { email },
    });
    // Within the 15-minute window, however far into it this run is.
    const minutes = Number(refused?.ok === false ? refused.error.messageValues?.minutes : undefined);
    expect(minutes).toBeGreaterThanOrEqual(1);
    expect(minutes).toBeLessThanOrEqual(15);
  });
});

describe("resendMemberInvitationAction and revokeMemberInvitationAction", () => {
  it("sends an invitation again with a new link, then withdraws it", async () => {
    const invitationId = await inviteAsAdmin("opnieuw@kantoor.test");
    const [before] = await opened.db.select().from(invitations).where(eq(invitations.id, invitationId));
    expect(await actions.resendMemberInvitationAction({ portalId: office.portal.id, invitationId })).toEqual({
      ok: true,
      email: "opnieuw@kantoor.test",
      isMailed: true,
    });
    const [resent] = await opened.db.select().from(invitations).where(eq(invitations.id, invitationId));
    expect(resent?.tokenHash).not.toBe(before?.tokenHash);

    expect(await actions.revokeMemberInvitationAction({ portalId: office.portal.id, invitationId })).toEqual({
      ok: true,
    });
    const [revoked] = await opened.db.select().from(invitations).where(eq(invitations.id, invitationId));
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    // A withdrawn invitation is no longer open: nothing to send or withdraw.
    expect(await actions.resendMemberInvitationAction({ portalId: office.portal.id, invitationId })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    const actionsOnIt = (await eventsOf(opened.db, office.portal.id))
      .filter((event) => event.subjectEmail === "opnieuw@kantoor.test")
      .map((event) => event.action);
    expect(actionsOnIt).toEqual(["invited", "invitation_resent", "invitation_revoked"]);
  });
});

describe("changeMemberRoleAction and removeMemberAction", () => {
  it("changes a role and removes a member of the office", async () => {
    const fresh = await createOffice(opened.db, "Kantoor Wijzigen");
    session.userId = fresh.admin.userId;
    expect(
      await actions.changeMemberRoleAction({
        portalId: fresh.portal.id,
        userId: fresh.accountant.userId,
        role: "admin",
      }),
    ).toEqual({ ok: true, role: "admin", isChanged: true });
    expect(await actions.removeMemberAction({ portalId: fresh.portal.id, userId: fresh.accountant.userId })).toEqual({
      ok: true,
    });
    expect(await roleOf(opened.db, fresh.portal.id, fresh.accountant.userId)).toBeNull();
    expect(revalidatePath).toHaveBeenCalledWith(`/portals/${fresh.portal.id}/settings/members`);
  });

  it("sends an admin who lowers themselves to the overview, and one who leaves to the home page", async () => {
    const fresh = await createOffice(opened.db, "Kantoor Vertrek");
    session.userId = fresh.admin.userId;
    expect(
      await redirectOf(
        actions.changeMemberRoleAction({ portalId: fresh.portal.id, userId: fresh.admin.userId, role: "accountant" }),
      ),
    ).toBe(`/portals/${fresh.portal.id}`);
    session.userId = fresh.otherAdmin.userId;
    await actions.changeMemberRoleAction({ portalId: fresh.portal.id, userId: fresh.accountant.userId, role: "admin" });
    expect(
      await redirectOf(actions.removeMemberAction({ portalId: fresh.portal.id, userId: fresh.otherAdmin.userId })),
    ).toBe("/");
    expect(await adminsOf(opened.db, fresh.portal.id)).toEqual([fresh.accountant.userId]);
  });

  it("tells the last admin the office needs an admin", async () => {
    const fresh = await createOffice(opened.db, "Kantoor Alleen");
    session.userId = fresh.admin.userId;
    await actions.removeMemberAction({ portalId: fresh.portal.id, userId: fresh.otherAdmin.userId });
    const refusal = { ok: false, error: { code: "conflict", messageKey: "members.lastAdmin" } };
    expect(
      await actions.changeMemberRoleAction({
        portalId: fresh.portal.id,
        userId: fresh.admin.userId,
        role: "accountant",
      }),
    ).toEqual(refusal);
    expect(await actions.removeMemberAction({ portalId: fresh.portal.id, userId: fresh.admin.userId })).toEqual(
      refusal,
    );
  });
});

describe("who may use the members page's actions", () => {
  async function callEveryAction(invitationId: string) {
    const portalId = office.portal.id;
    return {
      invite: await actions.inviteMemberAction(null, inviteForm({ email: "inbreker@kantoor.test", role: "admin" })),
      resend: await actions.resendMemberInvitationAction({ portalId, invitationId }),
      revoke: await actions.revokeMemberInvitationAction({ portalId, invitationId }),
      changeRole: await actions.changeMemberRoleAction({
        portalId,
        userId: office.otherAdmin.userId,
        role: "accountant",
      }),
      remove: await actions.removeMemberAction({ portalId, userId: office.otherAdmin.userId }),
    };
  }

  it("sends a visitor without a session to sign in, and changes nothing", async () => {
    const invitationId = await inviteAsAdmin("anoniem@kantoor.test");
    const before = await officeRows(opened.db, office.portal.id);
    session.userId = null;
    const portalId = office.portal.id;
    const calls = [
      actions.inviteMemberAction(null, inviteForm()),
      actions.resendMemberInvitationAction({ portalId, invitationId }),
      actions.revokeMemberInvitationAction({ portalId, invitationId }),
      actions.changeMemberRoleAction({ portalId, userId: office.otherAdmin.userId, role: "accountant" }),
      actions.removeMemberAction({ portalId, userId: office.otherAdmin.userId }),
    ];
    for (const call of calls) expect(await redirectOf(call)).toBe("/sign-in");
    expect(await officeRows(opened.db, office.portal.id)).toBe(before);
  });

  it.each([
    ["the office's accountant", "accountant", "forbidden"],
    ["an entrepreneur of the office's dossier", "entrepreneur", "not_found"],
    ["another office's admin", "otherAdmin", "not_found"],
  ] as const)("refuses %s (%s) and changes nothing", async (_who, person, code) => {
    const invitationId = await inviteAsAdmin(`${person}-doelwit@kantoor.test`);
    const before = await officeRows(opened.db, office.portal.id);
    vi.mocked(revalidatePath).mockClear();
    session.userId = person === "otherAdmin" ? other.admin.userId : office[person].userId;
    const results = await callEveryAction(invitationId);
    for (const result of Object.values(results)) expect(result).toMatchObject({ ok: false, error: { code } });
    expect(await officeRows(opened.db, office.portal.id)).toBe(before);
    expect(revalidatePath).not.toHaveBeenCalled();
    const [invitation] = await opened.db
      .select({ revokedAt: invitations.revokedAt })
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.portalId, office.portal.id)));
    expect(invitation?.revokedAt).toBeNull();
  });

  it("the actions file holds no authorization logic: parse → service → revalidate", () => {
    const source = readFileSync(ACTIONS_FILE, "utf8");
    expect(source.trimStart().startsWith('"use server";')).toBe(true);
    const exports = source.match(/^export (?!type ).*$/gm) ?? [];
    expect(exports.length).toBeGreaterThan(0);
    for (const line of exports) expect(line).toMatch(/^export async function \w+Action\(/);
    expect(source).not.toMatch(
      /lib\/auth\/(authorize|permissions)|\bauthorize\(|\bcan\(|portalRoles|\.role\b\s*[!=]==/,
    );
    expect(source).toContain('from "@/lib/members/change-role"');
    expect(source).toContain('from "@/lib/members/remove"');
  });
});
