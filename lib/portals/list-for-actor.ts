import "server-only";
import { asc, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { portals } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";

export type ActorPortal = { id: string; name: string; role: PortalRole };

/** The portals the user is a member of (admin or accountant), by name: the header's switcher. */
export async function listActorPortals(db: DbOrTx, actor: Actor): Promise<ActorPortal[]> {
  if (actor.kind !== "user") return [];
  const ids = Object.keys(actor.portalRoles);
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: portals.id, name: portals.name })
    .from(portals)
    .where(inArray(portals.id, ids))
    .orderBy(asc(portals.name));
  return rows.flatMap((row) => {
    const role = actor.portalRoles[row.id];
    return role && can(actor, "portal.view", { portalId: row.id }) ? [{ ...row, role }] : [];
  });
}
