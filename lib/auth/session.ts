import "server-only";
import { eq } from "drizzle-orm";
import { redirect } from "next/navigation";
import { cache } from "react";
import { type DbOrTx, getDb } from "@/db";
import { dossierMembers, portalMembers } from "@/db/schema";
import type { Actor } from "./actor";
import { auth } from "./auth";

export const getSessionUserId = cache(async (): Promise<string | null> => {
  const session = await auth();
  return session?.user?.id ?? null;
});

/** Builds a user's actor from their memberships as they are in the database now. */
export async function loadUserActor(db: DbOrTx, userId: string): Promise<Actor> {
  const [portalRows, dossierRows] = await Promise.all([
    db
      .select({ portalId: portalMembers.portalId, role: portalMembers.role })
      .from(portalMembers)
      .where(eq(portalMembers.userId, userId)),
    db
      .select({ dossierId: dossierMembers.dossierId, portalId: dossierMembers.portalId })
      .from(dossierMembers)
      .where(eq(dossierMembers.userId, userId)),
  ]);
  return {
    kind: "user",
    userId,
    portalRoles: Object.fromEntries(portalRows.map((row) => [row.portalId, row.role])),
    dossiers: Object.fromEntries(dossierRows.map((row) => [row.dossierId, row.portalId])),
  };
}

/** The signed-in user's actor, or null for anonymous visitors. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const userId = await getSessionUserId();
  if (!userId) return null;
  return loadUserActor(await getDb(), userId);
});

/** For pages and actions behind sign-in: anonymous visitors go to the sign-in page. */
export async function requireActor(): Promise<Extract<Actor, { kind: "user" }>> {
  const actor = await getActor();
  if (actor?.kind !== "user") redirect("/sign-in");
  return actor;
}
