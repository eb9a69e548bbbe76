import "server-only";
import { and, count, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { portalMembers, portals, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";
import { NotFoundError } from "@/lib/errors";
import type { MemberRef } from "./schemas";

export type LockedMember = { userId: string; email: string; role: PortalRole };

/**
 * The start of every change to an office's memberships that could leave it without an admin
 * (lowering a role, removing someone). Call it first inside the change's transaction:
 *
 * 1. locks the office's row (`select … for update`), so such changes in one office run one after
 *    the other: two admins demoting each other at once cannot both count two admins and leave none;
 * 2. reads the acting person's own role again, now that no change can slip in between: whoever was
 *    demoted or removed by the change that went first acts no more (their actor was built before);
 * 3. reads the member the change is about, and counts the office's admins.
 *
 * Under READ COMMITTED each statement after the lock sees what the change before it committed.
 */
export async function lockMemberChange(
  tx: DbOrTx,
  actor: Actor,
  ref: MemberRef,
): Promise<{ member: LockedMember; adminCount: number }> {
  const [office] = await tx.select({ id: portals.id }).from(portals).where(eq(portals.id, ref.portalId)).for("update");
  if (!office) throw new NotFoundError();

  if (actor.kind === "user") {
    const [own] = await tx
      .select({ role: portalMembers.role })
      .from(portalMembers)
      .where(and(eq(portalMembers.portalId, ref.portalId), eq(portalMembers.userId, actor.userId)));
    const { [ref.portalId]: _stale, ...otherOffices } = actor.portalRoles;
    authorize(
      { ...actor, portalRoles: own ? { ...otherOffices, [ref.portalId]: own.role } : otherOffices },
      "member.manage",
      { portalId: ref.portalId },
    );
  }

  const [member] = await tx
    .select({ userId: portalMembers.userId, email: users.email, role: portalMembers.role })
    .from(portalMembers)
    .innerJoin(users, eq(users.id, portalMembers.userId))
    .where(and(eq(portalMembers.portalId, ref.portalId), eq(portalMembers.userId, ref.userId)));
  if (!member) throw new NotFoundError();
  const [admins] = await tx
    .select({ count: count() })
    .from(portalMembers)
    .where(and(eq(portalMembers.portalId, ref.portalId), eq(portalMembers.role, "admin")));
  return { member, adminCount: admins?.count ?? 0 };
}
