import "server-only";
import { and, asc, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";

export type ActorDossier = { id: string; portalId: string; name: string };

/**
 * The dossiers the user is an entrepreneur of, by name: the header's switcher for someone who
 * runs more than one company. Dossiers seen through a portal role are on the portal overview.
 */
export async function listActorDossiers(db: DbOrTx, actor: Actor): Promise<ActorDossier[]> {
  if (actor.kind !== "user") return [];
  // The candidates are the user's dossier memberships; the permission table says which of them open.
  const ids = Object.keys(actor.dossiers);
  if (ids.length === 0) return [];
  const portalIds = [...new Set(Object.values(actor.dossiers))];
  const rows = await db
    .select({ id: dossiers.id, portalId: dossiers.portalId, name: dossiers.name })
    .from(dossiers)
    .where(and(inArray(dossiers.portalId, portalIds), inArray(dossiers.id, ids)))
    .orderBy(asc(dossiers.name));
  return rows.filter((row) => can(actor, "dossier.view", { portalId: row.portalId, dossierId: row.id }));
}
