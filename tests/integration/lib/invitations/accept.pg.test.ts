import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { invitations, memberEvents, portalMembers, portals, users } from "@/db/schema";
import { acceptInvitation } from "@/lib/invitations/accept";
import { newInvitationToken } from "@/lib/invitations/token";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";

// Concurrent accepts need real connections: PGlite runs one statement at a time. This file runs only
// with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

const N = 8;
const WEEK = 7 * 24 * 60 * 60 * 1000;

let opened: OpenedDb;
let portalId = "";
beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  portalId = (await insertPortal(opened.db, "Kantoor Race")).id;
});
afterAll(async () => {
  await opened?.close();
});

describe("concurrent accepts (real PostgreSQL)", () => {
  it("of one invitation: exactly one succeeds, the others see it used, one membership and one history row", async () => {
    for (let round = 0; round < 5; round++) {
      const email = `race-${round}@kantoor.test`;
      const { token, tokenHash } = newInvitationToken();
      await opened.db.insert(invitations).values({
        kind: "portal_member",
        tokenHash,
        email,
        locale: "nl",
        portalId,
        role: "accountant",
        expiresAt: new Date(Date.now() + WEEK),
      });
      const results = await Promise.allSettled(Array.from({ length: N }, () => acceptInvitation(opened.db, token)));
      const fulfilled = results.filter((result) => result.status === "fulfilled");
      const rejected = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
      expect(fulfilled).toHaveLength(1);
      expect(rejected.map((reason) => (reason as { state?: string }).state)).toEqual(Array(N - 1).fill("used"));
      const people = await opened.db.select().from(users).where(eq(users.email, email));
      expect(people).toHaveLength(1);
      const memberships = await opened.db
        .select()
        .from(portalMembers)
        .where(eq(portalMembers.userId, people[0]?.id ?? ""));
      expect(memberships).toHaveLength(1);
      const joined = await opened.db.select().from(memberEvents).where(eq(memberEvents.subjectEmail, email));
      expect(joined).toHaveLength(1);
    }
  });

  it("of two sign-ups of one company: one office is made, the other is told it exists, nothing half-made", async () => {
    const signUps = ["first@kantoor.test", "second@kantoor.test"].map((email) => {
      const { token, tokenHash } = newInvitationToken();
      return {
        token,
        row: {
          kind: "office_sign_up" as const,
          tokenHash,
          email,
          locale: "nl" as const,
          signUp: { officeName: `Office of ${email}`, companyNumber: "0412345614", personName: email },
          expiresAt: new Date(Date.now() + WEEK),
        },
      };
    });
    await opened.db.insert(invitations).values(signUps.map((signUp) => signUp.row));
    const results = await Promise.allSettled(signUps.map((signUp) => acceptInvitation(opened.db, signUp.token)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ state: "officeExists" });
    const offices = await opened.db.select().from(portals).where(eq(portals.companyNumber, "0412345614"));
    expect(offices).toHaveLength(1);
    // The loser's transaction rolled back whole: no user, no open-then-used invitation.
    const losers = await opened.db
      .select({ email: invitations.email })
      .from(invitations)
      .where(sql`${invitations.kind} = 'office_sign_up' and ${invitations.acceptedAt} is null`);
    expect(losers).toHaveLength(1);
    const loserUsers = await opened.db
      .select()
      .from(users)
      .where(eq(users.email, losers[0]?.email ?? ""));
    expect(loserUsers).toEqual([]);
  });
});
