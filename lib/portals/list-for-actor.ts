import "server-only";
import { asc, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { portals } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";

export type ActorPortal = { id: string; name: string };

/** The portals the user may open (a member: admin or accountant), by name: the header's switcher. */
export async function listActorPortals(db: DbOrTx, actor: Actor): Promise<ActorPortal[]> {
  if (actor.kind !== "user") return [];
  // The candidates are the user's memberships; the permission table says which of them open.
  const ids = Object.keys(actor.portalRoles);
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: portals.id, name: portals.name })
    .from(portals)
    .where(inArray(portals.id, ids))
    .orderBy(asc(portals.name));
  return rows.filter((row) => can(actor, "portal.view", { portalId: row.id }));
}
