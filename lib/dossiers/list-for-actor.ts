import "server-only";
import { and, asc, eq, inArray, or, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossiers, portals } from "@/db/schema";
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

export type UploadDossier = ActorDossier & { portalName: string };

/**
 * Every dossier the user may upload to, by name: their own as an entrepreneur and, for admins and
 * accountants, their offices' dossiers. Where a file shared from a phone can go.
 */
export async function listUploadDossiers(db: DbOrTx, actor: Actor): Promise<UploadDossier[]> {
  if (actor.kind !== "user") return [];
  const conditions: SQL[] = [];
  const portalIds = Object.keys(actor.portalRoles);
  if (portalIds.length > 0) conditions.push(inArray(dossiers.portalId, portalIds));
  const ownIds = Object.keys(actor.dossiers);
  if (ownIds.length > 0) {
    const ownPortalIds = [...new Set(Object.values(actor.dossiers))];
    conditions.push(and(inArray(dossiers.portalId, ownPortalIds), inArray(dossiers.id, ownIds)) as SQL);
  }
  if (conditions.length === 0) return [];
  const rows = await db
    .select({ id: dossiers.id, portalId: dossiers.portalId, name: dossiers.name, portalName: portals.name })
    .from(dossiers)
    .innerJoin(portals, eq(portals.id, dossiers.portalId))
    .where(or(...conditions))
    .orderBy(asc(dossiers.name), asc(dossiers.id));
  return rows.filter((row) => can(actor, "document.upload", { portalId: row.portalId, dossierId: row.id }));
}
