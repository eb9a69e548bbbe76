import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossierMembers, portalMembers } from "@/db/schema";
import type { Actor } from "./actor";

/**
 * Builds a user's actor from their memberships as they are in the database now. Kept apart from
 * session.ts (next-auth, request scope) so jobs, scripts and tests can use it with any db.
 */
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
