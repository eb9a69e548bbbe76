import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { memberEvents, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";

type MemberEventAction = (typeof memberEvents.$inferInsert)["action"];

export type MemberEventInput = {
  portalId: string;
  dossierId?: string | null;
  action: MemberEventAction;
  subjectEmail: string;
  subjectUserId?: string | null;
  role?: string | null;
  previousRole?: string | null;
};

/** "operator" for the command line and jobs; a person by name, else their address. */
export const OPERATOR_LABEL = "operator";

async function actorLabelOf(tx: DbOrTx, actor: Actor): Promise<{ actorUserId: string | null; actorLabel: string }> {
  if (actor.kind === "token") return { actorUserId: null, actorLabel: `api-key:${actor.tokenId}` };
  if (actor.kind === "system") return { actorUserId: null, actorLabel: OPERATOR_LABEL };
  const [user] = await tx
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, actor.userId))
    .limit(1);
  return { actorUserId: actor.userId, actorLabel: user?.name || user?.email || actor.userId };
}

/**
 * Records who did what to whom among an office's people. Call it inside the change's own
 * transaction, so the history and the change commit together.
 */
export async function recordMemberEvent(tx: DbOrTx, actor: Actor, event: MemberEventInput): Promise<void> {
  await tx.insert(memberEvents).values({ ...(await actorLabelOf(tx, actor)), ...event });
}
