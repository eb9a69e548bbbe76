import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { portalMembers } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";
import { ConflictError } from "@/lib/errors";
import { recordMemberEvent } from "./history";
import { lockMemberChange } from "./lock";
import { type ChangeMemberRoleInput, changeMemberRoleSchema, memberRefOrNotFound } from "./schemas";

export type RoleChange = {
  userId: string;
  email: string;
  role: PortalRole;
  previousRole: PortalRole;
  /** False when the member already had this role: nothing was written. */
  isChanged: boolean;
  /** The acting person changed their own role (and, lowered, can no longer manage members). */
  isYou: boolean;
};

/**
 * Gives an office member another role (admins only). The office's last admin cannot be lowered:
 * checked under the office's lock in the same transaction as the change and its history row
 * (lib/members/lock.ts), so concurrent changes cannot get around it. An admin may lower
 * themselves while another admin remains. The change counts from the member's next request, as
 * memberships are read fresh on each (lib/auth/load-actor.ts).
 */
export async function changeMemberRole(db: DbOrTx, actor: Actor, input: ChangeMemberRoleInput): Promise<RoleChange> {
  authorize(actor, "member.manage", { portalId: input.portalId });
  const { portalId, userId } = memberRefOrNotFound(input);
  const { role } = parseInput(changeMemberRoleSchema.pick({ role: true }), input);
  return db.transaction(async (tx) => {
    const { member, adminCount } = await lockMemberChange(tx, actor, { portalId, userId });
    const change = {
      userId,
      email: member.email,
      role,
      previousRole: member.role,
      isYou: actor.kind === "user" && actor.userId === userId,
    };
    if (member.role === role) return { ...change, isChanged: false };
    if (member.role === "admin" && adminCount <= 1) throw new ConflictError("members.lastAdmin");
    await tx
      .update(portalMembers)
      .set({ role, updatedAt: sql`now()` })
      .where(and(eq(portalMembers.portalId, portalId), eq(portalMembers.userId, userId)));
    await recordMemberEvent(tx, actor, {
      portalId,
      action: "role_changed",
      subjectEmail: member.email,
      subjectUserId: userId,
      role,
      previousRole: member.role,
    });
    return { ...change, isChanged: true };
  });
}
