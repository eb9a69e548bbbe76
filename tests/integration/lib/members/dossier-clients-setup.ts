import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx, OpenedDb } from "@/db";
import { dossierMembers, dossiers, memberEvents, outboxEmails, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadUserActor } from "@/lib/auth/load-actor";
import { resetEnvCache } from "@/lib/env";
import type { Locale } from "@/lib/i18n/config";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The people of a dossier's "Toegang" tab, as real rows (users, memberships) with actors loaded
// from them the way a request does, mailing into the local outbox of the test's database.

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "AUTH_URL", "KOPPEL_TRUSTED_PROXIES"] as const;
type EnvKey = (typeof ENV_KEYS)[number];

/** Sets the env of lib/env.ts for this file, and gives back a function that restores it. */
export function useEnv(values: Partial<Record<EnvKey, string>>): () => void {
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  const apply = (next: Partial<Record<EnvKey, string | undefined>>) => {
    for (const key of ENV_KEYS) {
      const value = next[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEnvCache();
  };
  apply(values);
  return () => apply(saved);
}

/** lib/email/send.ts asks getDb() for the database: hand it this file's test database. */
export function useTestDbForMail(opened: OpenedDb): () => void {
  globalThis.__koppelDb = Promise.resolve(opened);
  return () => {
    globalThis.__koppelDb = undefined;
  };
}

export const BASE_URL = "https://app.koppel.test";

type Person = { user: typeof users.$inferSelect; actor: Extract<Actor, { kind: "user" }> };

/** A person with the given memberships, and their actor as a request would load it. */
export async function insertPerson(
  db: DbOrTx,
  values: {
    name?: string | null;
    email?: string;
    locale?: Locale;
    portalRoles?: Record<string, "admin" | "accountant">;
    dossiers?: { id: string; portalId: string }[];
  } = {},
): Promise<Person> {
  const [user] = await db
    .insert(users)
    .values({
      email: values.email ?? `${randomUUID()}@people.test`,
      name: values.name ?? null,
      locale: values.locale ?? "nl",
    })
    .returning();
  if (!user) throw new Error("user not inserted");
  for (const [portalId, role] of Object.entries(values.portalRoles ?? {})) {
    await db.insert(portalMembers).values({ portalId, userId: user.id, role });
  }
  for (const dossier of values.dossiers ?? []) {
    await db.insert(dossierMembers).values({ portalId: dossier.portalId, dossierId: dossier.id, userId: user.id });
  }
  return { user, actor: (await loadUserActor(db, user.id)) as Person["actor"] };
}

/**
 * Office A ("Kantoor De Vos") with a French-speaking dossier, a second dossier and their
 * entrepreneurs; office B ("Cabinet Dupont") with a dossier and its people.
 */
export async function createClientsWorld(db: DbOrTx) {
  const portal = await insertPortal(db, "Kantoor De Vos");
  const otherPortal = await insertPortal(db, "Cabinet Dupont");
  const dossier = await insertDossier(db, portal.id);
  await db.update(dossiers).set({ name: "Boulangerie Lemaire", locale: "fr" }).where(eq(dossiers.id, dossier.id));
  const neighbourDossier = await insertDossier(db, portal.id);
  const foreignDossier = await insertDossier(db, otherPortal.id);
  const people = {
    admin: await insertPerson(db, { name: "Anne De Vos", portalRoles: { [portal.id]: "admin" } }),
    accountant: await insertPerson(db, { name: "Bart Peeters", portalRoles: { [portal.id]: "accountant" } }),
    entrepreneur: await insertPerson(db, { name: "Claire Lemaire", locale: "fr", dossiers: [dossier] }),
    neighbour: await insertPerson(db, { name: "Dirk Janssens", dossiers: [neighbourDossier] }),
    otherAdmin: await insertPerson(db, { name: "Eric Dupont", portalRoles: { [otherPortal.id]: "admin" } }),
    otherAccountant: await insertPerson(db, { portalRoles: { [otherPortal.id]: "accountant" } }),
    foreignEntrepreneur: await insertPerson(db, { dossiers: [foreignDossier] }),
  };
  return {
    portal,
    otherPortal,
    dossier: { ...dossier, locale: "fr" as const },
    neighbourDossier,
    foreignDossier,
    people,
  };
}
export type ClientsWorld = Awaited<ReturnType<typeof createClientsWorld>>;

/** The mails in the outbox to one address, newest first. */
export async function mailsTo(db: Db, email: string) {
  return db
    .select({ subject: outboxEmails.subject, text: outboxEmails.text, html: outboxEmails.html })
    .from(outboxEmails)
    .where(sql`${email} = any(${outboxEmails.to})`)
    .orderBy(desc(outboxEmails.createdAt), desc(outboxEmails.id));
}

/** The invitation token in a mail's link (…/invitations/<token>). */
export function tokenOf(mail: { text: string }): string {
  const match = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no invitation link in: ${mail.text}`);
  return match[1];
}

/** The history rows of one dossier, oldest first. */
export async function dossierEvents(db: Db, portalId: string, dossierId: string) {
  return db
    .select()
    .from(memberEvents)
    .where(and(eq(memberEvents.portalId, portalId), eq(memberEvents.dossierId, dossierId)))
    .orderBy(memberEvents.id);
}
