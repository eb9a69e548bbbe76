import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { portalMembers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";
import { ConflictError } from "@/lib/errors";
import { recordMemberEvent } from "./history";
import { lockMemberChange } from "./lock";
import { type MemberRef, memberRefOrNotFound } from "./schemas";

export type RemovedMember = {
  userId: string;
  email: string;
  /** The role they held. */
  role: PortalRole;
  /** The acting person removed themselves (and has no access to the office any more). */
  isYou: boolean;
};

/**
 * Removes someone from the office (admins only): only their membership goes. Their account, the
 * documents they uploaded, the API keys and invitations they made and the history all stay. The
 * office's last admin cannot be removed (checked under the office's lock, in the same transaction
 * as the removal and its history row: lib/members/lock.ts); an admin may remove themselves while
 * another admin remains. It counts from the person's next request: memberships are read fresh on
 * each (lib/auth/load-actor.ts).
 */
export async function removeMember(db: DbOrTx, actor: Actor, input: MemberRef): Promise<RemovedMember> {
  authorize(actor, "member.manage", { portalId: input.portalId });
  const { portalId, userId } = memberRefOrNotFound(input);
  return db.transaction(async (tx) => {
    const { member, adminCount } = await lockMemberChange(tx, actor, { portalId, userId });
    if (member.role === "admin" && adminCount <= 1) throw new ConflictError("members.lastAdmin");
    await tx.delete(portalMembers).where(and(eq(portalMembers.portalId, portalId), eq(portalMembers.userId, userId)));
    await recordMemberEvent(tx, actor, {
      portalId,
      action: "removed",
      subjectEmail: member.email,
      subjectUserId: userId,
      role: member.role,
    });
    return { userId, email: member.email, role: member.role, isYou: actor.kind === "user" && actor.userId === userId };
  });
}
