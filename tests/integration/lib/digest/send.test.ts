import { randomUUID } from "node:crypto";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { documents, outboxEmails, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { sendFailureDigest } from "@/lib/digest/send";
import { getFailureDigestSetting, setFailureDigestEnabled } from "@/lib/digest/settings";
import { resetEnvCache } from "@/lib/env";
import { handler as failureDigest } from "@/lib/jobs/handlers/failure-digest";
import type { JobStep } from "@/lib/jobs/types";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";

// The failure digest against this file's database, mailing into the local outbox (and once into
// the fake Resend). Clocks are passed in: "today" and "tomorrow" are explicit dates, not waits.

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "AUTH_URL", "DATABASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

let opened: OpenedDb;
let db: Db;

beforeAll(async () => {
  setEnv({ AUTH_URL: "https://app.koppel.test" });
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

// 07:23 in Brussels on 10 March, and the next morning.
const TODAY = new Date("2026-03-10T06:23:00Z");
const LATER_TODAY = new Date("2026-03-10T18:00:00Z");
const TOMORROW = new Date("2026-03-11T06:23:00Z");
const hoursBefore = (date: Date, hours: number) => new Date(date.getTime() - hours * 3_600_000);

async function insertMember(portalId: string, role: "admin" | "accountant", locale: "nl" | "fr" | "en" = "nl") {
  const [user] = await db
    .insert(users)
    .values({ email: `${randomUUID()}@office.test`, name: `${role} ${locale}`, locale })
    .returning();
  if (!user) throw new Error("no user");
  const [member] = await db.insert(portalMembers).values({ portalId, userId: user.id, role }).returning();
  if (!member) throw new Error("no member");
  const actor: Actor = { kind: "user", userId: user.id, portalRoles: { [portalId]: role }, dossiers: {} };
  return { user, member, actor };
}

async function insertFailure(
  dossier: { id: string; portalId: string },
  values: { status: "failed" | "rejected" | "sent"; at: Date; reason?: string },
) {
  const document = await insertDocument(db, dossier);
  await db
    .update(documents)
    .set({ status: values.status, lastErrorReason: values.reason ?? null, updatedAt: values.at })
    .where(eq(documents.id, document.id));
  return document;
}

async function mailsTo(email: string) {
  return db
    .select()
    .from(outboxEmails)
    .where(eq(outboxEmails.to, [email]));
}

async function office() {
  const portal = await insertPortal(db, `Kantoor ${randomUUID().slice(0, 8)}`);
  const dossier = await insertDossier(db, portal.id);
  return { portal, dossier };
}

describe("sendFailureDigest", () => {
  it("mails each admin the portal's new failures in the admin's language, with the failures link", async () => {
    const { portal, dossier } = await office();
    const nl = await insertMember(portal.id, "admin", "nl");
    const fr = await insertMember(portal.id, "admin", "fr");
    const failed = await insertFailure(dossier, {
      status: "failed",
      at: hoursBefore(TODAY, 2),
      reason: "dispatch.bounce.bounced",
    });
    const rejected = await insertFailure(dossier, {
      status: "rejected",
      at: hoursBefore(TODAY, 3),
      reason: "Boekjaar is afgesloten",
    });
    const sent = await insertFailure(dossier, { status: "sent", at: hoursBefore(TODAY, 1) });
    const other = await office();
    const elsewhere = await insertFailure(other.dossier, { status: "failed", at: hoursBefore(TODAY, 1) });

    await expect(sendFailureDigest(db, nl.member.id, { now: TODAY })).resolves.toMatchObject({
      outcome: "sent",
      count: 2,
    });
    await expect(sendFailureDigest(db, fr.member.id, { now: TODAY })).resolves.toMatchObject({ outcome: "sent" });

    const [nlMail] = await mailsTo(nl.user.email);
    const [frMail] = await mailsTo(fr.user.email);
    expect(nlMail?.subject).toBe(`${portal.name}: 2 nieuwe mislukte documenten`);
    expect(frMail?.subject).toBe(`${portal.name} : 2 nouveaux documents en échec`);
    expect(nlMail?.text).toContain(`https://app.koppel.test/portals/${portal.id}/failures`);
    expect(frMail?.text).toContain(`https://app.koppel.test/portals/${portal.id}/failures`);
    // Our reasons translated, a package's own words as they are.
    expect(nlMail?.text).toContain(`${failed.fileName} · Mislukt: De mail met dit document kwam terug`);
    expect(frMail?.text).toContain(`${failed.fileName} · Échec : Le mail contenant ce document est revenu`);
    expect(frMail?.text).toContain(`${rejected.fileName} · Refusé : Boekjaar is afgesloten`);
    for (const text of [nlMail?.text, frMail?.text]) {
      expect(text).not.toContain(sent.fileName);
      expect(text).not.toContain(elsewhere.fileName);
    }
  });

  it("sends at most once a day, and the next day only what failed since", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    const first = await insertFailure(dossier, { status: "failed", at: hoursBefore(TODAY, 1) });

    await expect(sendFailureDigest(db, admin.member.id, { now: TODAY })).resolves.toMatchObject({ outcome: "sent" });
    const second = await insertFailure(dossier, { status: "failed", at: hoursBefore(LATER_TODAY, 1) });
    await expect(sendFailureDigest(db, admin.member.id, { now: LATER_TODAY })).resolves.toEqual({
      outcome: "already_sent_today",
    });
    expect(await mailsTo(admin.user.email)).toHaveLength(1);

    await expect(sendFailureDigest(db, admin.member.id, { now: TOMORROW })).resolves.toMatchObject({
      outcome: "sent",
      count: 1,
    });
    const mails = await mailsTo(admin.user.email);
    expect(mails).toHaveLength(2);
    const tomorrowsMail = mails.find((mail) => mail.idempotencyKey.endsWith("2026-03-11"));
    expect(tomorrowsMail?.text).toContain(second.fileName);
    expect(tomorrowsMail?.text).not.toContain(first.fileName);
  });

  it("counts days in Brussels: after midnight there is a new day, before it not", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    // 23:30 UTC on 10 March is 00:30 on 11 March in Brussels (CET, UTC+1).
    const justAfterMidnight = new Date("2026-03-10T23:30:00Z");
    const lateEvening = new Date("2026-03-10T22:30:00Z");
    await insertFailure(dossier, { status: "failed", at: hoursBefore(lateEvening, 1) });

    await expect(sendFailureDigest(db, admin.member.id, { now: lateEvening })).resolves.toMatchObject({
      outcome: "sent",
    });
    await insertFailure(dossier, { status: "failed", at: new Date("2026-03-10T23:00:00Z") });
    await expect(sendFailureDigest(db, admin.member.id, { now: justAfterMidnight })).resolves.toMatchObject({
      outcome: "sent",
      count: 1,
    });
    await expect(sendFailureDigest(db, admin.member.id, { now: TOMORROW })).resolves.toEqual({
      outcome: "already_sent_today",
    });
  });

  it("sends nothing when nothing new failed, and nothing to accountants", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    const accountant = await insertMember(portal.id, "accountant");
    // Failed before the first digest's look-back of a day.
    await insertFailure(dossier, { status: "failed", at: hoursBefore(TODAY, 30) });

    await expect(sendFailureDigest(db, admin.member.id, { now: TODAY })).resolves.toEqual({ outcome: "no_failures" });
    await expect(sendFailureDigest(db, accountant.member.id, { now: TODAY })).resolves.toEqual({
      outcome: "not_recipient",
    });
    expect(await mailsTo(admin.user.email)).toEqual([]);
    expect(await mailsTo(accountant.user.email)).toEqual([]);
  });

  it("sends nothing to an admin who switched it off", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    await insertFailure(dossier, { status: "failed", at: hoursBefore(TODAY, 1) });

    await setFailureDigestEnabled(db, admin.actor, portal.id, false);

    await expect(sendFailureDigest(db, admin.member.id, { now: TODAY })).resolves.toEqual({
      outcome: "not_recipient",
    });
    expect(await mailsTo(admin.user.email)).toEqual([]);
  });

  it("goes through Resend when it is configured, keyed by admin and day", async () => {
    const resend = await startFakeResend();
    setEnv({ AUTH_URL: "https://app.koppel.test", RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    try {
      const { portal, dossier } = await office();
      const admin = await insertMember(portal.id, "admin", "en");
      await insertFailure(dossier, { status: "rejected", at: hoursBefore(TODAY, 1), reason: "Duplicate invoice" });

      const result = await sendFailureDigest(db, admin.member.id, { now: TODAY });

      expect(result).toMatchObject({ outcome: "sent", emailId: "re_fake_1" });
      expect(resend.requests).toHaveLength(1);
      expect(resend.requests[0]?.headers["idempotency-key"]).toBe(`failure-digest:${admin.member.id}:2026-03-10`);
      expect(resend.requests[0]?.body).toMatchObject({
        to: [admin.user.email],
        subject: `${portal.name}: 1 new failed document`,
      });
    } finally {
      setEnv({ AUTH_URL: "https://app.koppel.test" });
      await resend.close();
    }
  });
});

describe("failure digest setting", () => {
  it("is the admin's own: on by default, switched by that admin only", async () => {
    const { portal } = await office();
    const admin = await insertMember(portal.id, "admin");
    const otherAdmin = await insertMember(portal.id, "admin");
    const accountant = await insertMember(portal.id, "accountant");

    await expect(getFailureDigestSetting(db, admin.actor, portal.id)).resolves.toEqual({
      portalId: portal.id,
      isEnabled: true,
    });
    await setFailureDigestEnabled(db, admin.actor, portal.id, false);

    await expect(getFailureDigestSetting(db, admin.actor, portal.id)).resolves.toMatchObject({ isEnabled: false });
    await expect(getFailureDigestSetting(db, otherAdmin.actor, portal.id)).resolves.toMatchObject({ isEnabled: true });
    await expect(setFailureDigestEnabled(db, accountant.actor, portal.id, true)).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      setFailureDigestEnabled(
        db,
        { kind: "token", tokenId: "t", portalId: portal.id, role: "admin", scopes: API_SCOPES },
        portal.id,
        true,
      ),
    ).rejects.toMatchObject({ code: "not_found" });
    const other = await office();
    await expect(getFailureDigestSetting(db, admin.actor, other.portal.id)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("failure digest setting: who has one", () => {
  it("answers not found to everyone but the admin themself, and changes nobody's setting", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    const accountant = await insertMember(portal.id, "accountant");
    const outsiders: Actor[] = [
      accountant.actor,
      { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossier.id]: portal.id } },
      { kind: "token", tokenId: randomUUID(), portalId: portal.id, role: "accountant", scopes: API_SCOPES },
      { kind: "system", reason: "test" },
    ];
    for (const actor of outsiders) {
      await expect(getFailureDigestSetting(db, actor, portal.id)).rejects.toMatchObject({ code: "not_found" });
      await expect(setFailureDigestEnabled(db, actor, portal.id, false)).rejects.toMatchObject({ code: "not_found" });
    }
    const rows = await db
      .select({ id: portalMembers.id, isEnabled: portalMembers.isFailureDigestEnabled })
      .from(portalMembers)
      .where(eq(portalMembers.portalId, portal.id));
    expect(rows.map((row) => row.isEnabled)).toEqual([true, true]);
    await expect(getFailureDigestSetting(db, admin.actor, portal.id)).resolves.toMatchObject({ isEnabled: true });
  });

  it("goes by the role in the database as the switch runs: an admin demoted meanwhile is refused", async () => {
    const { portal } = await office();
    const demoted = await insertMember(portal.id, "admin");
    await db.update(portalMembers).set({ role: "accountant" }).where(eq(portalMembers.id, demoted.member.id));
    // The actor was built while the person was still an admin.
    await expect(setFailureDigestEnabled(db, demoted.actor, portal.id, false)).rejects.toMatchObject({
      code: "not_found",
    });
    const [row] = await db.select().from(portalMembers).where(eq(portalMembers.id, demoted.member.id));
    expect(row?.isFailureDigestEnabled).toBe(true);
  });
});

describe("failure-digest job", () => {
  it("sends each switched-on admin's digest once, however often it runs that day", async () => {
    const { portal, dossier } = await office();
    const admin = await insertMember(portal.id, "admin");
    const switchedOff = await insertMember(portal.id, "admin");
    await setFailureDigestEnabled(db, switchedOff.actor, portal.id, false);
    await insertFailure(dossier, { status: "failed", at: new Date(Date.now() - 60_000) });
    const step: JobStep = {
      run: async (_name, fn) => JSON.parse(JSON.stringify(await fn())),
      sendEvents: async () => undefined,
      sleepUntil: async () => {},
    };
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

    await failureDigest.run({ payload: {}, step, logger, attempt: 0 });
    await failureDigest.run({ payload: {}, step, logger, attempt: 0 });

    expect(await mailsTo(admin.user.email)).toHaveLength(1);
    expect(await mailsTo(switchedOff.user.email)).toEqual([]);
    const [member] = await db
      .select({ sentAt: portalMembers.failureDigestSentAt })
      .from(portalMembers)
      .where(and(eq(portalMembers.id, admin.member.id)));
    expect(member?.sentAt).not.toBeNull();
    expect(
      await db
        .select()
        .from(outboxEmails)
        .where(like(outboxEmails.idempotencyKey, `failure-digest:${switchedOff.member.id}:%`)),
    ).toEqual([]);
  });
});
