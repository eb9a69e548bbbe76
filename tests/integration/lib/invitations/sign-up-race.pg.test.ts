import { randomUUID } from "node:crypto";
import { arrayContains, count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { invitations, outboxEmails, portalMembers, portals, users } from "@/db/schema";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { resetEnvCache } from "@/lib/env";
import { acceptInvitation, InvitationUnusableError } from "@/lib/invitations/accept";
import { requestOfficeSignUp } from "@/lib/invitations/sign-up";
import { createTestDb } from "../../../helpers/db";

// Two sign-ups of one enterprise number confirmed at the same moment, on real PostgreSQL (PGlite
// runs one transaction at a time): the unique index decides, exactly one office exists, and the
// loser's transaction leaves no person, membership or spent link behind.

const saved = { KOPPEL_SIGNUP: process.env.KOPPEL_SIGNUP, AUTH_URL: process.env.AUTH_URL };
let opened: OpenedDb;

beforeAll(async () => {
  process.env.KOPPEL_SIGNUP = "open";
  process.env.AUTH_URL = "https://app.koppel.test";
  resetEnvCache();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("confirming two sign-ups of one enterprise number at once (real PostgreSQL)", () => {
  it("makes one office; the other confirmation is refused as officeExists and changes nothing", async () => {
    const { db } = opened;
    const companyNumber = companyNumberFromBase(7_500_000);
    const emails = [`${randomUUID()}@een.test`, `${randomUUID()}@twee.test`];
    for (const email of emails) {
      await requestOfficeSignUp(
        db,
        { officeName: email, companyNumber, personName: "P", email, locale: "nl" },
        { clientAddress: "192.0.2.30" },
      );
    }
    // Each confirmation link, from its mail in the outbox.
    const tokens: string[] = [];
    for (const email of emails) {
      const [mail] = await db
        .select({ text: outboxEmails.text })
        .from(outboxEmails)
        .where(arrayContains(outboxEmails.to, [email]));
      tokens.push(mail?.text.match(/\/invitations\/([\w-]{43})/)?.[1] ?? "");
    }

    const outcomes = await Promise.allSettled(tokens.map((token) => acceptInvitation(db, token)));
    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const lost = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const reason = (lost[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(InvitationUnusableError);
    expect(reason).toMatchObject({ state: "officeExists" });

    const offices = await db.select({ id: portals.id }).from(portals).where(eq(portals.companyNumber, companyNumber));
    expect(offices).toHaveLength(1);
    const people = await db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.email, emails));
    expect(people).toHaveLength(1);
    const [members] = await db
      .select({ n: count() })
      .from(portalMembers)
      .where(eq(portalMembers.portalId, offices[0]?.id ?? ""));
    expect(members?.n).toBe(1);
    const accepted = await db
      .select({ email: invitations.email, acceptedAt: invitations.acceptedAt })
      .from(invitations)
      .where(inArray(invitations.email, emails));
    expect(accepted.filter((row) => row.acceptedAt !== null).map((row) => row.email)).toEqual([people[0]?.email]);
  });
});
