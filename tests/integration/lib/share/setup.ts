import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { documents, dossierMembers, pendingShares, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadUserActor } from "@/lib/auth/load-actor";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

type UserActor = Extract<Actor, { kind: "user" }>;

/**
 * Two offices and the people who share into them, as rows (memberships and users), with each
 * person's actor as the session would build it:
 * - solo: the entrepreneur of one dossier of office A;
 * - multi: the entrepreneur of both of office A's dossiers;
 * - accountant: office A's accountant (both its dossiers);
 * - otherAdmin: office B's admin (its one dossier); otherEntrepreneur: of that dossier;
 * - nobody: signed in, in no office and no dossier.
 */
export async function createShareWorld(db: Db) {
  const portal = await insertPortal(db, "Kantoor De Vos");
  const otherPortal = await insertPortal(db, "Fiduciaire Dubois");
  const dossier = await insertDossier(db, portal.id);
  const secondDossier = await insertDossier(db, portal.id);
  const foreignDossier = await insertDossier(db, otherPortal.id);
  const user = async () => {
    const [row] = await db
      .insert(users)
      .values({ email: `${randomUUID()}@share.test` })
      .returning({ id: users.id });
    if (!row) throw new Error("user not inserted");
    return row.id;
  };
  const ids = {
    solo: await user(),
    multi: await user(),
    accountant: await user(),
    otherAdmin: await user(),
    otherEntrepreneur: await user(),
    nobody: await user(),
  };
  await db.insert(portalMembers).values([
    { portalId: portal.id, userId: ids.accountant, role: "accountant" },
    { portalId: otherPortal.id, userId: ids.otherAdmin, role: "admin" },
  ]);
  await db.insert(dossierMembers).values([
    { portalId: portal.id, dossierId: dossier.id, userId: ids.solo },
    { portalId: portal.id, dossierId: dossier.id, userId: ids.multi },
    { portalId: portal.id, dossierId: secondDossier.id, userId: ids.multi },
    { portalId: otherPortal.id, dossierId: foreignDossier.id, userId: ids.otherEntrepreneur },
  ]);
  const actorOf = async (id: string) => (await loadUserActor(db, id)) as UserActor;
  const actors = {
    solo: await actorOf(ids.solo),
    multi: await actorOf(ids.multi),
    accountant: await actorOf(ids.accountant),
    otherAdmin: await actorOf(ids.otherAdmin),
    otherEntrepreneur: await actorOf(ids.otherEntrepreneur),
    nobody: await actorOf(ids.nobody),
  };
  return { portal, otherPortal, dossier, secondDossier, foreignDossier, ids, actors };
}
export type ShareWorld = Awaited<ReturnType<typeof createShareWorld>>;

/** A form as a phone's share sheet posts it: one `file` part per shared file. */
export function shareForm(files: { content: Uint8Array; name: string; type?: string }[]): FormData {
  const form = new FormData();
  for (const file of files) {
    form.append("file", new File([new Uint8Array(file.content)], file.name, { type: file.type ?? "" }));
  }
  return form;
}

export async function documentsIn(db: Db, dossierId: string) {
  return db
    .select({ id: documents.id, fileName: documents.fileName, source: documents.source })
    .from(documents)
    .where(eq(documents.dossierId, dossierId));
}

export async function sharesOf(db: Db, userId: string) {
  return db.select().from(pendingShares).where(eq(pendingShares.userId, userId));
}
