import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossierMembers, memberEvents, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadUserActor } from "@/lib/auth/load-actor";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

export type Person = Extract<Actor, { kind: "user" }> & { email: string };

/** A person with an account, in `portalId` with `role` (or in no office when role is null). */
export async function insertPerson(
  db: DbOrTx,
  portalId: string | null,
  role: "admin" | "accountant" | null,
  values: { name?: string | null; lastSignedInAt?: Date | null; email?: string } = {},
): Promise<Person> {
  const email = values.email ?? `${randomUUID()}@kantoor.test`;
  const [user] = await db
    .insert(users)
    .values({ email, name: values.name ?? null, lastSignedInAt: values.lastSignedInAt ?? null })
    .returning({ id: users.id });
  if (!user) throw new Error("user not inserted");
  if (portalId && role) await db.insert(portalMembers).values({ portalId, userId: user.id, role });
  return { ...(await personActor(db, user.id)), email };
}

/** The person's actor as a new request would build it: memberships read from the database now. */
export async function personActor(db: DbOrTx, userId: string): Promise<Person> {
  const actor = await loadUserActor(db, userId);
  if (actor.kind !== "user") throw new Error("not a person");
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return { ...actor, email: user?.email ?? "" };
}

/** An office with two admins, an accountant, and an entrepreneur of one of its dossiers. */
export async function createOffice(db: DbOrTx, name = "Kantoor Peeters") {
  const portal = await insertPortal(db, name);
  const dossier = await insertDossier(db, portal.id);
  const admin = await insertPerson(db, portal.id, "admin", { name: "An Peeters" });
  const otherAdmin = await insertPerson(db, portal.id, "admin", { name: "Bart Claes" });
  const accountant = await insertPerson(db, portal.id, "accountant", { name: "Chris Dubois" });
  const entrepreneurUser = await insertPerson(db, null, null, { name: "Dirk Ondernemer" });
  await db
    .insert(dossierMembers)
    .values({ portalId: portal.id, dossierId: dossier.id, userId: entrepreneurUser.userId });
  const entrepreneur = await personActor(db, entrepreneurUser.userId);
  return { portal, dossier, admin, otherAdmin, accountant, entrepreneur };
}

export async function roleOf(db: DbOrTx, portalId: string, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ role: portalMembers.role })
    .from(portalMembers)
    .where(and(eq(portalMembers.portalId, portalId), eq(portalMembers.userId, userId)));
  return row?.role ?? null;
}

export async function adminsOf(db: DbOrTx, portalId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: portalMembers.userId })
    .from(portalMembers)
    .where(and(eq(portalMembers.portalId, portalId), eq(portalMembers.role, "admin")));
  return rows.map((row) => row.userId).sort();
}

export async function eventsOf(db: DbOrTx, portalId: string) {
  return db.select().from(memberEvents).where(eq(memberEvents.portalId, portalId)).orderBy(asc(memberEvents.id));
}
