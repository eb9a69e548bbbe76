import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedDb, openDb } from "@/db";
import { changeMemberRole } from "@/lib/members/change-role";
import { removeMember } from "@/lib/members/remove";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";
import { adminsOf, eventsOf, insertPerson } from "./setup";

// "An office always keeps an admin", under concurrent changes. PGlite runs one transaction at a
// time, so this file runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts
// then). The two admins act through two separate pools, so their transactions run on two
// connections and really overlap; without the office's row lock (lib/members/lock.ts) both would
// count two admins and both would succeed.

const ROUNDS = 10;

let first: OpenedDb;
let second: OpenedDb;

beforeAll(async () => {
  first = await createTestDb();
  expect(first.driver).not.toBe("pglite");
  second = await openDb({ url: process.env.TEST_DATABASE_URL });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
});

async function officeWithTwoAdmins(round: number) {
  const portal = await insertPortal(first.db, `Kantoor ${round}`);
  const a = await insertPerson(first.db, portal.id, "admin", { name: `A ${round}` });
  const b = await insertPerson(first.db, portal.id, "admin", { name: `B ${round}` });
  return { portalId: portal.id, a, b };
}

function outcomes(results: PromiseSettledResult<unknown>[]) {
  const fulfilled = results.filter((result) => result.status === "fulfilled");
  const refusals = results
    .filter((result): result is PromiseRejectedResult => result.status === "rejected")
    .map((result) => (result.reason as { code?: string; messageKey?: string }) ?? {});
  return { fulfilled: fulfilled.length, refusals };
}

describe("the last admin under concurrent changes (real PostgreSQL)", () => {
  it("two admins demoting each other at once: exactly one succeeds, one admin remains", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { portalId, a, b } = await officeWithTwoAdmins(round);
      const results = await Promise.allSettled([
        changeMemberRole(first.db, a, { portalId, userId: b.userId, role: "accountant" }),
        changeMemberRole(second.db, b, { portalId, userId: a.userId, role: "accountant" }),
      ]);
      const { fulfilled, refusals } = outcomes(results);
      expect(fulfilled).toBe(1);
      // The one who went second was no longer an admin by then.
      expect(refusals).toEqual([expect.objectContaining({ code: "forbidden" })]);
      expect(await adminsOf(first.db, portalId)).toHaveLength(1);
      expect((await eventsOf(first.db, portalId)).map((event) => event.action)).toEqual(["role_changed"]);
    }
  });

  it("two admins each lowering themselves at once: one succeeds, the other is told the office needs an admin", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { portalId, a, b } = await officeWithTwoAdmins(round);
      const results = await Promise.allSettled([
        changeMemberRole(first.db, a, { portalId, userId: a.userId, role: "accountant" }),
        changeMemberRole(second.db, b, { portalId, userId: b.userId, role: "accountant" }),
      ]);
      const { fulfilled, refusals } = outcomes(results);
      expect(fulfilled).toBe(1);
      expect(refusals).toEqual([expect.objectContaining({ code: "conflict", messageKey: "members.lastAdmin" })]);
      expect(await adminsOf(first.db, portalId)).toHaveLength(1);
    }
  });

  it("two admins each leaving the office at once: one leaves, the other stays admin", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { portalId, a, b } = await officeWithTwoAdmins(round);
      const results = await Promise.allSettled([
        removeMember(first.db, a, { portalId, userId: a.userId }),
        removeMember(second.db, b, { portalId, userId: b.userId }),
      ]);
      const { fulfilled, refusals } = outcomes(results);
      expect(fulfilled).toBe(1);
      expect(refusals).toEqual([expect.objectContaining({ code: "conflict", messageKey: "members.lastAdmin" })]);
      expect(await adminsOf(first.db, portalId)).toHaveLength(1);
      expect((await eventsOf(first.db, portalId)).map((event) => event.action)).toEqual(["removed"]);
    }
  });

  it("one admin removing the other while that one lowers the first: one admin remains", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { portalId, a, b } = await officeWithTwoAdmins(round);
      const results = await Promise.allSettled([
        removeMember(first.db, a, { portalId, userId: b.userId }),
        changeMemberRole(second.db, b, { portalId, userId: a.userId, role: "accountant" }),
      ]);
      expect(outcomes(results).fulfilled).toBe(1);
      expect(await adminsOf(first.db, portalId)).toHaveLength(1);
    }
  });
});
